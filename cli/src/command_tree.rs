//! The command tree: the generated commands of [`crate::operation_commands::command_of`] and the
//! catalog, the hand-written ones from [`crate::workflows::HAND_WRITTEN`], and each group's help,
//! keyed by its whole path. `tests/command-tree.txt` holds the whole tree (a test compares it).

use clap::{Arg, ArgAction, Command};
use pipecat_cloud::catalog;

use crate::exit;
use pipecat_cloud::operation::OperationId;

use crate::operation_commands::{Made, command_of};
use crate::{catalog_command, workflows};

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
        .after_help(exit::help())
        .subcommand_required(true)
        .arg_required_else_help(true)
        .args(global_args());
    for operation in OperationId::ALL {
        let Made::Generated(words) = command_of(operation) else { continue };
        let Some((leaf, groups)) = words.split_last() else { continue };
        root = insert(root, groups, catalog_command::command(leaf, operation.operation()));
    }
    for entry in workflows::HAND_WRITTEN {
        let Some((leaf, groups)) = entry.path.split_last() else { continue };
        root = insert(root, groups, (entry.command)().name(*leaf));
    }
    root
}

/// The flags every command takes.
pub(crate) fn global_args() -> Vec<Arg> {
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
            .hide_env(true)
            .value_name("FORMAT")
            .value_parser(["table", "wide", "plain", "json", "rich"])
            .help("How to print results: a table of the columns a person looks for first (the default in a terminal), `wide` for every column, plain tab-separated text (the default in a pipe), or JSON; `rich`, the official CLI's name for its tables, is the table. Also PIPECAT_OUTPUT"),
        Arg::new("verbose")
            .long("verbose")
            .short('v')
            .global(true)
            .action(ArgAction::Count)
            .help("Show each request on stderr: -v one line per request (method, path, status, time, attempt, request id), -vv with its headers, -vvv the HTTP stack's own log; keys are never shown"),
    ];
    args.into_iter().map(|arg| arg.help_heading("Global options")).collect()
}

/// What the group at `path` is about. Keyed by the whole path: `agent session` is not `session`.
fn group_about(path: &[&str]) -> &'static str {
    match path {
        ["agent"] => "Agents: list, inspect, create, update, delete, read logs",
        ["agent", "session"] => "Sessions of an agent: list, inspect, stop",
        ["session"] => "Sessions: start one, or talk to a running one through the proxy",
        ["secret"] => "Secret sets and image pull secrets",
        ["build"] => "Cloud builds of agent images",
        ["region"] => "Regions",
        ["property"] => "Organization properties",
        ["auth"] => "Store and check API keys",
        ["emulator"] => "A local Pipecat Cloud to try every command on, with no account",
        _ => "",
    }
}

/// The official CLI's name for the group at `path`, where it differs (`pipecat cloud secrets list`).
fn group_alias(path: &[&str]) -> Option<&'static str> {
    match path {
        ["secret"] => Some("secrets"),
        ["region"] => Some("regions"),
        _ => None,
    }
}

/// `root` with `leaf` under the groups `groups`, creating the groups it lacks.
fn insert(root: Command, groups: &[&'static str], leaf: Command) -> Command {
    insert_below(root, &[], groups, leaf)
}

fn insert_below(root: Command, above: &[&'static str], groups: &[&'static str], leaf: Command) -> Command {
    let Some((first, rest)) = groups.split_first() else { return root.subcommand(leaf) };
    let path: Vec<&'static str> = above.iter().copied().chain([*first]).collect();
    let root = if root.find_subcommand(first).is_some() {
        root
    } else {
        let mut group =
            Command::new(*first).about(group_about(&path)).subcommand_required(true).arg_required_else_help(true);
        if let Some(alias) = group_alias(&path) {
            group = group.visible_alias(alias);
        }
        root.subcommand(group)
    };
    root.mut_subcommand(*first, |group| insert_below(group, &path, rest, leaf))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn groups_without_help(command: &Command, path: &str, out: &mut Vec<String>) {
        for sub in command.get_subcommands() {
            let path = format!("{path} {}", sub.get_name());
            if sub.has_subcommands() && sub.get_about().is_none_or(|about| about.to_string().is_empty()) {
                out.push(path.clone());
            }
            groups_without_help(sub, &path, out);
        }
    }

    #[test]
    fn every_group_has_its_own_help() {
        let mut missing = Vec::new();
        groups_without_help(&command(), "pipecat-cloud", &mut missing);
        assert!(missing.is_empty(), "groups without help (add their whole path to group_about): {missing:?}");
    }
}
