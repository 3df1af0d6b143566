//! `deploy`: the SDK's [`Client::deploy`](pipecat_cloud::Client::deploy), with its settings from the
//! flags, then from `pcc-deploy.toml` (the official CLI's file, read from the current folder or
//! `--config-file`), and its waits shown as they go.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use pipecat_cloud::deploy::{Deploy, DeployError, DeployOptions};
use pipecat_cloud::types::ServiceDetailsResponse;
use serde_json::{Map, Value};

use super::deploy_file;
use super::wait_flags::{wait_args, wait_times};
use crate::context::Context;
use crate::exit::refused;
use crate::messages::about;
use crate::output::{self, Mode};
use crate::progress::Reporter;

pub fn command() -> Command {
    Command::new("deploy")
        .about("Create or update an agent, then wait until it runs the new deployment")
        .long_about(
            "Create the agent, or update it if it exists, then wait until it runs what you deployed: each phase \
             (Creating, Validating, ready) is shown as it comes, and a revision that fails ends the wait with its \
             reason. Settings come from the flags, then from pcc-deploy.toml (the official CLI's file).",
        )
        .arg(Arg::new("agent").value_name("AGENT").help("The agent's name (else agent_name in pcc-deploy.toml)"))
        .arg(Arg::new("image").value_name("IMAGE").help("The container image (else image in pcc-deploy.toml)"))
        .arg(
            Arg::new("build-id")
                .long("build-id")
                .short('b')
                .value_name("UUID")
                .help("Deploy a finished cloud build instead of an image"),
        )
        .arg(Arg::new("region").long("region").short('r').value_name("REGION").help("Region (only when creating)"))
        .arg(
            Arg::new("secret-set")
                .long("secret-set")
                .visible_alias("secrets")
                .short('s')
                .value_name("SET")
                .help("Secret set whose keys become environment variables"),
        )
        .arg(
            Arg::new("image-pull-secret-set")
                .long("image-pull-secret-set")
                .visible_alias("credentials")
                .short('c')
                .value_name("SET")
                .help("Image pull secret set for a private registry"),
        )
        .arg(
            Arg::new("min-agents")
                .long("min-agents")
                .value_name("N")
                .value_parser(value_parser!(i64))
                .help("Agents kept warm"),
        )
        .arg(
            Arg::new("max-agents")
                .long("max-agents")
                .value_name("N")
                .value_parser(value_parser!(i64))
                .help("Most agents at once"),
        )
        .arg(Arg::new("agent-profile").long("agent-profile").value_name("PROFILE").help("Agent profile, e.g. agent-1x"))
        .arg(
            Arg::new("max-session-duration")
                .long("max-session-duration")
                .value_name("SECONDS")
                .value_parser(value_parser!(i64))
                .help("Longest a session may run"),
        )
        .arg(
            Arg::new("krisp-viva-audio-filter")
                .long("krisp-viva-audio-filter")
                .value_name("FILTER")
                .help("Krisp VIVA filter, e.g. tel or pro"),
        )
        .arg(
            Arg::new("force")
                .long("force")
                .visible_alias("force-redeploy")
                .short('f')
                .action(ArgAction::SetTrue)
                .help("Redeploy even if nothing changed (updates only)"),
        )
        .arg(
            Arg::new("architecture").long("architecture").value_name("ARCH").help(
                "arm64, the one the published API runs (its nodeType `arm`); else architecture in pcc-deploy.toml",
            ),
        )
        .arg(
            Arg::new("yes")
                .long("yes")
                .short('y')
                .action(ArgAction::SetTrue)
                .hide(true)
                .help("Accepted for the official CLI's habit; deploy asks nothing"),
        )
        .arg(
            Arg::new("config-file")
                .long("config-file")
                .value_name("FILE")
                .help("Read settings from FILE instead of ./pcc-deploy.toml"),
        )
        .args(wait_args(600, 1.0))
}

pub async fn run(context: &Context, matches: &ArgMatches) -> anyhow::Result<()> {
    let file_name = matches.get_one::<String>("config-file").cloned();
    let file = deploy_file::read(file_name.as_ref().map(PathBuf::from))?.file;
    let file_name = file_name.unwrap_or_else(|| deploy_file::DEPLOY_FILE.to_string());
    let text =
        |flag: &str, from_file: &Option<String>| matches.get_one::<String>(flag).cloned().or_else(|| from_file.clone());
    let name = text("agent", &file.agent_name).ok_or_else(|| {
        refused(format!("name the agent: pipecat-cloud deploy AGENT IMAGE (or agent_name in {file_name})"))
    })?;
    let mut deploy = match (text("image", &file.image), text("build-id", &file.build_id)) {
        (Some(_), Some(_)) => return Err(refused("give an image or a build id, not both")),
        (None, None) => return Err(refused("give the image to deploy (or --build-id)")),
        (Some(image), None) => Deploy::image(&name, image),
        (None, Some(id)) => Deploy::build(
            &name,
            id.parse().map_err(|_| {
                refused(format!(
                    "--build-id `{id}` (or build_id in {file_name}) is not a build id (a UUID, from `build run`)"
                ))
            })?,
        ),
    };
    let optional = [
        ("region", &file.region, Deploy::region as fn(Deploy, String) -> Deploy),
        ("secret-set", &file.secret_set, Deploy::secret_set),
        ("image-pull-secret-set", &file.image_credentials, Deploy::image_pull_secret_set),
        ("agent-profile", &file.agent_profile, Deploy::agent_profile),
        ("krisp-viva-audio-filter", &file.krisp_viva.audio_filter, Deploy::krisp_viva_audio_filter),
    ];
    for (flag, from_file, set) in optional {
        if let Some(value) = text(flag, from_file) {
            deploy = set(deploy, value);
        }
    }
    let number = |flag: &str, from_file: Option<i64>| matches.get_one::<i64>(flag).copied().or(from_file);
    if let Some(seconds) = number("max-session-duration", file.max_session_duration) {
        deploy = deploy.max_session_duration(seconds);
    }
    if let Some(min) = number("min-agents", file.scaling.min_agents) {
        deploy = deploy.min_agents(min);
    }
    if let Some(max) = number("max-agents", file.scaling.max_agents) {
        deploy = deploy.max_agents(max);
    }
    deploy = deploy.force(matches.get_flag("force"));
    if let Some(node_type) =
        node_type(matches.get_one::<String>("architecture").or(file.architecture.as_ref()), &file_name)?
    {
        deploy = deploy.node_type(node_type);
    }
    let client = context.client()?;
    let (interval, timeout) = wait_times(matches)?;
    let reporter = Reporter::new();
    let options = DeployOptions::default()
        .wait(growing(reporter.options(interval, timeout), matches))
        .wait_for_rollout(!matches.get_flag("no-wait"));
    let secret_set = text("secret-set", &file.secret_set);
    let deployed = client.deploy(&deploy, &options).await.map_err(|error| {
        reporter.abandon();
        explain(error, &name, secret_set.as_deref(), &file_name)
    })?;
    if deployed.region_ignored {
        output::note("note: the region of an existing agent cannot change; --region is ignored");
    }
    if deployed.force_ignored {
        output::note("note: --force redeploys an existing agent; a new agent is deployed anyway");
    }
    let verb = if deployed.created { "created" } else { "updated" };
    let deployment = deployed.deployment_id.as_deref().unwrap_or("?");
    if options.wait_for_rollout {
        reporter.finish(&format!("agent {name} {verb} and ready (deployment {deployment})"));
    } else {
        output::note(&format!("agent {name} {verb}; deployment {deployment} rolling out (not waiting)"));
    }
    print_agent(context, &deployed.agent)
}

/// A deploy's failure in the command's terms: a refused setting names its flag and the deploy file; an
/// agent the API took whose answer was unreadable says how to look at it; a failed rollout where to see
/// why.
/// The published API's `nodeType` for the official CLI's `architecture`: `arm64` is `arm`, the one node
/// type the API offers; `amd64` has none.
fn node_type(architecture: Option<&String>, file: &str) -> anyhow::Result<Option<String>> {
    match architecture.map(String::as_str) {
        None => Ok(None),
        Some("arm64" | "arm") => Ok(Some("arm".into())),
        Some(other) => Err(refused(format!(
            "architecture `{other}` (--architecture, or architecture in {file}): the published API runs agents on arm64 only (nodeType `arm`); build the image for linux/arm64"
        ))),
    }
}

/// The deploy's wait: every second, so a rollout of a few seconds shows each phase (Creating,
/// Validating, ready); after ten polls the interval grows to 5 s. An `--interval` given is kept steady.
fn growing(options: pipecat_cloud::wait::WaitOptions, matches: &ArgMatches) -> pipecat_cloud::wait::WaitOptions {
    match matches.value_source("interval") {
        Some(clap::parser::ValueSource::DefaultValue) | None => options.growing_to(Duration::from_secs(5)),
        Some(_) => options,
    }
}

fn explain(error: DeployError, name: &str, secret_set: Option<&str>, file: &str) -> anyhow::Error {
    let names = [("agentName", name), ("setName", secret_set.unwrap_or_default())];
    match error {
        DeployError::InvalidSetting { setting: "name", value, reason, .. } => {
            refused(format!("`{value}` cannot name an agent: {reason}"))
        }
        DeployError::InvalidSetting { setting, value, reason, .. } => {
            // The SDK's setting, as this command's flag and the deploy file's key.
            let in_file = match setting {
                "krisp_viva_audio_filter" => "[krisp_viva] audio_filter".to_string(),
                "image_pull_secret_set" => "image_credentials".to_string(),
                other => other.to_string(),
            };
            let flag = setting.replace('_', "-");
            refused(format!("--{flag} `{value}` (or {in_file} in {file}): {reason}"))
        }
        unread @ DeployError::AnswerUnread { .. } => {
            anyhow::Error::from(unread).context(format!("see the agent with: pipecat-cloud agent get {name}"))
        }
        DeployError::Wait(wait) => {
            // A rollout that failed or took too long: the agent's logs tell why. An API error is its own
            // message.
            if !matches!(wait, pipecat_cloud::wait::WaitError::Api(_)) {
                output::note(&format!("see why with: pipecat-cloud agent logs {name}"));
            }
            about(wait, &names)
        }
        DeployError::Api(api) => about(api, &names),
        other => other.into(),
    }
}

fn print_agent(context: &Context, agent: &ServiceDetailsResponse) -> anyhow::Result<()> {
    let agent = serde_json::to_value(agent).unwrap_or(Value::Null);
    match context.mode {
        Mode::Json => output::value(Mode::Json, &agent),
        mode => {
            let summary: Map<String, Value> =
                ["name", "region", "ready", "desiredDeploymentId", "reconciledDeploymentId"]
                    .iter()
                    .filter_map(|k| agent.get(*k).map(|v| (k.to_string(), v.clone())))
                    .collect();
            output::value(mode, &Value::Object(summary));
        }
    }
    Ok(())
}
