//! `deploy`: create the agent or update it, then wait until it runs what was just deployed.
//!
//! Settings come from the flags, then from `pcc-deploy.toml` (the official CLI's file, read from the
//! current folder or `--config-file`). A secret set that is still being provisioned is waited for first
//! (a deploy against it would get a 409). The wait is the SDK's `wait_until_agent_ready`: done when the
//! agent's `reconciledDeploymentId` equals the `desiredDeploymentId` the create or update answered with
//! and the agent is ready; a failed revision ends it at once; 5xx answers and dropped connections while
//! polling are ridden out; a 4xx stops it.

use std::path::PathBuf;

use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use pipecat_cloud::Error;
use pipecat_cloud::types::{
    CreateServiceRequest, CreateServiceRequestAgentProfile, CreateServiceRequestAutoScaling,
    CreateServiceRequestKrispViva, CreateServiceRequestServiceName, ServiceDetailsResponse, UpdateServiceRequest,
    UpdateServiceRequestAgentProfile, UpdateServiceRequestAutoScaling, UpdateServiceRequestKrispViva,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::wait_flags::{wait_args, wait_times};
use crate::context::Context;
use crate::exit::refused;
use crate::output::{self, Mode};
use crate::progress::Reporter;

/// The official CLI's deploy file.
const DEPLOY_FILE: &str = "pcc-deploy.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeployFile {
    agent_name: Option<String>,
    image: Option<String>,
    build_id: Option<String>,
    image_credentials: Option<String>,
    secret_set: Option<String>,
    region: Option<String>,
    agent_profile: Option<String>,
    max_session_duration: Option<i64>,
    enable_krisp: Option<bool>,
    enable_managed_keys: Option<bool>,
    websocket_auth: Option<String>,
    #[serde(default)]
    scaling: Scaling,
    #[serde(default)]
    krisp_viva: KrispViva,
    // Read by the official CLI's build and docker commands; accepted here so one file serves both.
    #[allow(dead_code, reason = "accepted, not used: the official CLI's build and docker settings")]
    build: Option<toml::Value>,
    #[allow(dead_code, reason = "accepted, not used: the official CLI's build and docker settings")]
    docker: Option<toml::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Scaling {
    min_agents: Option<i64>,
    max_agents: Option<i64>,
    min_instances: Option<i64>,
    max_instances: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct KrispViva {
    audio_filter: Option<String>,
}

pub fn command() -> Command {
    Command::new("deploy")
        .about("Create or update an agent, then wait until it runs the new deployment")
        .long_about(
            "Create the agent (createService) or update it (updateService), then wait until it runs the new \
             deployment: its reconciledDeploymentId equals the desiredDeploymentId just created and it reports \
             ready. Settings come from the flags, then from pcc-deploy.toml.",
        )
        .arg(Arg::new("agent").value_name("AGENT").help("The agent's name (else agent_name in pcc-deploy.toml)"))
        .arg(Arg::new("image").value_name("IMAGE").help("The container image (else image in pcc-deploy.toml)"))
        .arg(
            Arg::new("build-id")
                .long("build-id")
                .value_name("UUID")
                .help("Deploy a finished cloud build instead of an image"),
        )
        .arg(Arg::new("region").long("region").short('r').value_name("REGION").help("Region (only when creating)"))
        .arg(
            Arg::new("secret-set")
                .long("secret-set")
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
                .action(ArgAction::SetTrue)
                .help("Redeploy even if nothing changed (updates only)"),
        )
        .arg(
            Arg::new("config-file")
                .long("config-file")
                .value_name("FILE")
                .help("Read settings from FILE instead of ./pcc-deploy.toml"),
        )
        .args(wait_args(600, 5.0))
}

/// What is deployed: an image, or the image of a build.
enum Source {
    Image(String),
    Build(pipecat_cloud::Uuid),
}

/// The body a deploy sends: an update of an existing agent, or a new agent.
enum Body {
    Update(UpdateServiceRequest),
    Create(CreateServiceRequest),
}

/// What a deploy sets, from the flags and the deploy file; the same for a new agent and an update.
struct Settings {
    /// The deploy file's name as the user gave it (`--config-file`), else `pcc-deploy.toml`: where a
    /// refused value may have come from.
    file: String,
    source: Source,
    secret_set: Option<String>,
    image_pull_secret_set: Option<String>,
    agent_profile: Option<String>,
    max_session_duration: Option<i64>,
    krisp_viva_audio_filter: Option<String>,
    min_agents: Option<i64>,
    max_agents: Option<i64>,
}

/// `request` with `settings` set. `createService` and `updateService` take the same settings, but
/// each body is its own generated type with its own nested types (`CreateServiceRequestAgentProfile`,
/// `UpdateServiceRequestAgentProfile`, ...), with setters of the same names: one macro sets both.
/// A value the API does not list (a profile, a filter) is refused here, naming the accepted ones.
macro_rules! with_settings {
    ($request:expr, $settings:expr, $profile:ty, $scaling:ty, $krisp:ty) => {{
        let settings: &Settings = $settings;
        let mut request = match &settings.source {
            Source::Image(image) => $request.image(image.as_str()),
            Source::Build(id) => $request.build_id(*id),
        };
        if let Some(set) = &settings.secret_set {
            request = request.secret_set(set.as_str());
        }
        if let Some(set) = &settings.image_pull_secret_set {
            request = request.image_pull_secret_set(set.as_str());
        }
        if let Some(profile) = &settings.agent_profile {
            request = request.agent_profile(listed::<$profile>(settings, "agent-profile", "agent_profile", profile)?);
        }
        if let Some(seconds) = settings.max_session_duration {
            request = request.max_session_duration(seconds);
        }
        if let Some(filter) = &settings.krisp_viva_audio_filter {
            request = request.krisp_viva(<$krisp>::new(Some(listed(
                settings,
                "krisp-viva-audio-filter",
                "[krisp_viva] audio_filter",
                filter,
            )?)));
        }
        if settings.min_agents.is_some() || settings.max_agents.is_some() {
            let mut scaling = <$scaling>::new();
            if let Some(min) = settings.min_agents {
                scaling = scaling.min_agents(min);
            }
            if let Some(max) = settings.max_agents {
                scaling = scaling.max_agents(max);
            }
            request = request.auto_scaling(scaling);
        }
        request
    }};
}

/// `text` as a value of the enum `T`, or a refusal that names where it came from (`--flag`, or
/// `setting` in the deploy file) and the values the API lists (serde's own message for an unknown
/// variant lists them).
fn listed<T: DeserializeOwned>(settings: &Settings, flag: &str, setting: &str, text: &str) -> anyhow::Result<T> {
    serde_json::from_value(Value::from(text))
        .map_err(|e| refused(format!("--{flag} `{text}` (or {setting} in {}): {e}", settings.file)))
}

pub async fn run(context: &Context, matches: &ArgMatches) -> anyhow::Result<()> {
    let file_name = matches.get_one::<String>("config-file").cloned();
    let file = read_file(file_name.as_ref().map(PathBuf::from))?;
    let file_name = file_name.unwrap_or_else(|| DEPLOY_FILE.to_string());
    let text =
        |flag: &str, from_file: &Option<String>| matches.get_one::<String>(flag).cloned().or_else(|| from_file.clone());
    let name = text("agent", &file.agent_name).ok_or_else(|| {
        refused(format!("name the agent: pipecat-cloud deploy AGENT IMAGE (or agent_name in {file_name})"))
    })?;
    let image = text("image", &file.image);
    let build_id = text("build-id", &file.build_id);
    let secret_set = text("secret-set", &file.secret_set);
    let source = match (image, build_id) {
        (Some(_), Some(_)) => return Err(refused("give an image or a build id, not both")),
        (None, None) => return Err(refused("give the image to deploy (or --build-id)")),
        (Some(image), None) => Source::Image(image),
        (None, Some(id)) => Source::Build(id.parse().map_err(|_| {
            refused(format!(
                "--build-id `{id}` (or build_id in {file_name}) is not a build id (a UUID, from `build run`)"
            ))
        })?),
    };
    let settings = Settings {
        file: file_name.clone(),
        source,
        secret_set: secret_set.clone(),
        image_pull_secret_set: text("image-pull-secret-set", &file.image_credentials),
        agent_profile: text("agent-profile", &file.agent_profile),
        max_session_duration: matches.get_one::<i64>("max-session-duration").copied().or(file.max_session_duration),
        krisp_viva_audio_filter: text("krisp-viva-audio-filter", &file.krisp_viva.audio_filter),
        min_agents: matches
            .get_one::<i64>("min-agents")
            .copied()
            .or(file.scaling.min_agents)
            .or(file.scaling.min_instances),
        max_agents: matches
            .get_one::<i64>("max-agents")
            .copied()
            .or(file.scaling.max_agents)
            .or(file.scaling.max_instances),
    };
    if file.enable_krisp.is_some() || file.enable_managed_keys.is_some() || file.websocket_auth.is_some() {
        output::note(&format!(
            "note: enable_krisp, enable_managed_keys and websocket_auth in {file_name} are not part of the \
                 published API; they are not sent"
        ));
    }
    let region = text("region", &file.region);
    let existing_request = |force: bool| -> anyhow::Result<UpdateServiceRequest> {
        let request = with_settings!(
            UpdateServiceRequest::new(),
            &settings,
            UpdateServiceRequestAgentProfile,
            UpdateServiceRequestAutoScaling,
            UpdateServiceRequestKrispViva
        );
        Ok(if force { request.force_redeploy(true) } else { request })
    };
    let new_request = |region: Option<String>| -> anyhow::Result<CreateServiceRequest> {
        let service_name = CreateServiceRequestServiceName::try_from(name.as_str())
            .map_err(|e| refused(format!("`{name}` cannot name an agent: {e}")))?;
        let request = with_settings!(
            CreateServiceRequest::new(service_name),
            &settings,
            CreateServiceRequestAgentProfile,
            CreateServiceRequestAutoScaling,
            CreateServiceRequestKrispViva
        );
        Ok(match region {
            Some(region) => request.region(region),
            None => request,
        })
    };
    // Both bodies are built before anything is sent: a value the API does not list for either is
    // refused here. A refusal of one alone (a name `createService` would not take) waits until the
    // look-up says which one is sent, so an existing agent can still be updated.
    let region_given = region.is_some();
    let force = matches.get_flag("force");
    let update = existing_request(force);
    let create = new_request(region);
    if let (Err(refusal), Err(_)) = (&update, &create) {
        return Err(refused(refusal.to_string()));
    }
    let client = context.client()?;
    let (interval, timeout) = wait_times(matches)?;
    let wait = !matches.get_flag("no-wait");

    // The look-up decides which body is sent, and a body that cannot be sent is refused before the
    // wait for the secret set, which may take minutes.
    let existing = match client.get_service(&name).send().await {
        Ok(_) => true,
        Err(Error::Api(api)) if api.status == 404 => false,
        Err(other) => return Err(other.into()),
    };
    let body = if existing {
        if region_given {
            output::note("note: the region of an existing agent cannot change; --region is ignored");
        }
        Body::Update(update?)
    } else {
        if force {
            output::note("note: --force redeploys an existing agent; a new agent is deployed anyway");
        }
        Body::Create(create?)
    };
    let reporter = Reporter::new();
    if let (Some(set_name), true) = (&secret_set, wait) {
        client
            .wait_until_secret_set_ready(set_name, &reporter.options(interval, timeout))
            .await
            .inspect_err(|_| reporter.abandon())?;
    }
    let verb = if existing { "updated" } else { "created" };
    let sent = match body {
        Body::Update(request) => client.update_service(&name, request).await,
        Body::Create(request) => client.create_service(request).await,
    };
    let agent = sent.map_err(|error| match error {
        // The API took the change; only its answer could not be read. Said, so that nobody deploys twice.
        Error::Decode { status, .. } => anyhow::Error::from(error).context(format!(
            "agent {name} was {verb} (HTTP {status}), but its answer could not be read (see the agent with: \
             pipecat-cloud agent get {name})"
        )),
        other => other.into(),
    })?;
    let deployment = agent.desired_deployment_id.clone();
    if !wait {
        output::note(&format!(
            "agent {name} {verb}; deployment {} rolling out (not waiting)",
            deployment.as_deref().unwrap_or("?")
        ));
        return print_agent(context, &agent);
    }
    let ready = client
        .wait_until_agent_ready(&name, deployment.as_deref(), &reporter.options(interval, timeout))
        .await
        .inspect_err(|_| {
            reporter.abandon();
            output::note(&format!("see why with: pipecat-cloud agent logs {name}"));
        })?;
    reporter.finish(&format!("agent {name} {verb} and ready (deployment {})", deployment.as_deref().unwrap_or("?")));
    print_agent(context, &ready)
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

fn read_file(explicit: Option<PathBuf>) -> anyhow::Result<DeployFile> {
    let path = match explicit {
        Some(path) => path,
        None if std::path::Path::new(DEPLOY_FILE).is_file() => PathBuf::from(DEPLOY_FILE),
        None => return Ok(DeployFile::default()),
    };
    let text = std::fs::read_to_string(&path).map_err(|e| refused(format!("cannot read {}: {e}", path.display())))?;
    toml::from_str(&text).map_err(|e| refused(format!("{} is not a valid deploy file: {e}", path.display())))
}
