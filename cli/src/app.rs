//! The command tree and where each command goes. Generated commands come from
//! [`crate::operation_commands::OPERATION_COMMANDS`] and the catalog; the others are the workflows.
//! `tests/command-tree.txt` holds the whole tree (a test compares it).

use clap::{Arg, ArgAction, ArgMatches, Command};
use pipecat_cloud::catalog;

use crate::credentials::{self, Flags, Settings};
use crate::exit::{self, refused};
use crate::operation_commands::{Made, OPERATION_COMMANDS, generated_at};
use crate::output::Mode;
use crate::{generic, workflows};

/// What every command runs with: the output mode and the resolved settings.
#[derive(Debug)]
pub struct Context {
    /// How results are printed.
    pub mode: Mode,
    /// Keys and host, with where each came from.
    pub settings: Settings,
    /// `--verbose`.
    pub verbose: bool,
}

impl Context {
    /// A client with the resolved keys and host. A missing key is refused by the SDK when a command
    /// needs it, with advice (see `main.rs`).
    pub fn client(&self) -> anyhow::Result<pipecat_cloud::Client> {
        let mut builder = pipecat_cloud::Client::builder();
        if let Some((key, _)) = &self.settings.api_key {
            builder = builder.private_key(key.expose());
        }
        if let Some((key, _)) = &self.settings.public_key {
            builder = builder.public_key(key.expose());
        }
        if let Some((host, _)) = &self.settings.host {
            builder = builder.host(host.clone());
        }
        if self.settings.api_key.is_none() && self.settings.public_key.is_none() {
            return Err(refused(format!(
                "no API key: give one with --api-key, {}, or `pipecat-cloud auth login` (the public key: --public-key or {})",
                pipecat_cloud::ENV_PRIVATE_KEY,
                pipecat_cloud::ENV_PUBLIC_KEY
            )));
        }
        builder.build().map_err(|e| refused(e.to_string()))
    }
}

/// `--version`: this tool's version and the API version of the spec it was generated from.
pub fn version() -> String {
    format!(
        "{} ({} {}, generated from the spec)",
        env!("CARGO_PKG_VERSION"),
        catalog::SPEC_TITLE,
        catalog::SPEC_VERSION
    )
}

/// The whole command tree.
pub fn command() -> Command {
    let mut root = Command::new("pipecat-cloud")
        .version(version())
        .about("The Pipecat Cloud REST API from the command line: every operation a command, plus deploy, logs --follow, secrets from .env files and cloud builds.")
        .after_help(exit::HELP)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .args(global_args());
    for row in OPERATION_COMMANDS.iter().filter(|row| row.made == Made::Generated) {
        let Some(operation) = catalog::by_id(row.operation_id) else { continue };
        let Some((leaf, groups)) = row.command.split_last() else { continue };
        root = insert(root, groups, generic::command(leaf, operation));
    }
    for (groups, leaf) in workflows::commands() {
        root = insert(root, groups, leaf);
    }
    root
}

fn global_args() -> Vec<Arg> {
    let args = vec![
        Arg::new("api-key")
            .long("api-key")
            .global(true)
            .value_name("KEY")
            .hide_env_values(true)
            .help("The private API key (else PIPECAT_API_KEY, else the credentials file)"),
        Arg::new("public-key")
            .long("public-key")
            .global(true)
            .value_name("KEY")
            .help("The public API key (else PIPECAT_DEFAULT_PUBLIC_KEY, else the credentials file)"),
        Arg::new("host")
            .long("host")
            .global(true)
            .value_name("URL")
            .help("The API host (else PIPECAT_API_HOST, else the credentials file, else https://api.pipecat.daily.co)"),
        Arg::new("profile")
            .long("profile")
            .global(true)
            .value_name("NAME")
            .help("The credentials file's profile to use (else PIPECAT_PROFILE, else `default`)"),
        Arg::new("output")
            .long("output")
            .short('o')
            .global(true)
            .env("PIPECAT_OUTPUT")
            .value_name("FORMAT")
            .value_parser(["table", "plain", "json"])
            .help("How to print results: a table (the default in a terminal), plain tab-separated text (the default in a pipe), or JSON"),
        Arg::new("verbose")
            .long("verbose")
            .short('v')
            .global(true)
            .action(ArgAction::SetTrue)
            .help("Log each request and its answer to stderr (keys are never shown)"),
    ];
    args.into_iter().map(|arg| arg.help_heading("Global options")).collect()
}

/// What a group of commands is about.
fn group_about(word: &str) -> &'static str {
    match word {
        "agent" => "Agents: list, inspect, create, update, delete, read logs",
        "session" => "Sessions: start one, or talk to a running one through the proxy",
        "secret" => "Secret sets and image pull secrets",
        "build" => "Cloud builds of agent images",
        "region" => "Regions",
        "property" => "Organization properties",
        "auth" => "Store and check API keys",
        _ => "Sessions of an agent",
    }
}

/// `root` with `leaf` under the groups `path`, creating the groups it lacks.
fn insert(root: Command, path: &[&'static str], leaf: Command) -> Command {
    let Some((first, rest)) = path.split_first() else { return root.subcommand(leaf) };
    let root = if root.find_subcommand(first).is_some() {
        root
    } else {
        root.subcommand(
            Command::new(*first).about(group_about(first)).subcommand_required(true).arg_required_else_help(true),
        )
    };
    root.mut_subcommand(*first, |group| insert(group, rest, leaf))
}

/// The words of the command `matches` chose, and the leaf's own matches.
fn chosen(matches: &ArgMatches) -> (Vec<&str>, &ArgMatches) {
    let mut words = Vec::new();
    let mut current = matches;
    while let Some((name, sub)) = current.subcommand() {
        words.push(name);
        current = sub;
    }
    (words, current)
}

/// Runs the command `matches` chose.
pub async fn run(matches: &ArgMatches) -> anyhow::Result<()> {
    let (words, leaf) = chosen(matches);
    // `auth login --profile NEW` creates the profile every other command would refuse as unknown.
    let creating = words == ["auth", "login"];
    let context = Context {
        mode: Mode::choose(matches.get_one::<String>("output").map(String::as_str)),
        settings: credentials::resolve(&Flags {
            api_key: matches.get_one::<String>("api-key").cloned(),
            public_key: matches.get_one::<String>("public-key").cloned(),
            host: matches.get_one::<String>("host").cloned(),
            profile: matches.get_one::<String>("profile").cloned(),
            new_profile_allowed: creating,
        })?,
        verbose: matches.get_flag("verbose"),
    };
    if let Some(done) = workflows::run(&context, &words, leaf).await {
        return done;
    }
    let row = generated_at(&words).ok_or_else(|| refused(format!("no command `{}`", words.join(" "))))?;
    let operation =
        catalog::by_id(row.operation_id).ok_or_else(|| refused(format!("no operation {}", row.operation_id)))?;
    generic::run(&context, operation, leaf).await
}

/// The tree as text, one line per command and argument: what `tests/command-tree.txt` holds.
pub fn tree_text() -> String {
    let mut out = String::new();
    describe(&command(), "", &mut out);
    out
}

fn describe(command: &Command, prefix: &str, out: &mut String) {
    let name =
        if prefix.is_empty() { command.get_name().to_string() } else { format!("{prefix} {}", command.get_name()) };
    out.push_str(&format!("{name}: {}\n", command.get_about().map(ToString::to_string).unwrap_or_default()));
    for arg in command.get_arguments().filter(|a| !a.is_global_set() || prefix.is_empty()) {
        let id = arg.get_id().as_str();
        if id == "help" || id == "version" {
            continue;
        }
        let shape = match (arg.get_long(), arg.get_value_names()) {
            (Some(long), Some(names)) => {
                format!("--{long} {}", names.iter().map(ToString::to_string).collect::<Vec<_>>().join(" "))
            }
            (Some(long), None) => format!("--{long}"),
            (None, Some(names)) => names.iter().map(ToString::to_string).collect::<Vec<_>>().join(" "),
            (None, None) => id.to_string(),
        };
        let values: Vec<String> = arg.get_possible_values().iter().map(|v| v.get_name().to_string()).collect();
        let values = if values.is_empty() { String::new() } else { format!(" {{{}}}", values.join("|")) };
        let required = if arg.is_required_set() { " (required)" } else { "" };
        out.push_str(&format!("  {shape}{values}{required}\n"));
    }
    for sub in command.get_subcommands() {
        describe(sub, &name, out);
    }
}
