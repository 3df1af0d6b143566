//! The commands written by hand, each on the SDK's public API: the ones people use differently from
//! the raw call (`agent logs --follow`, `secret set --env-file`, `session start`, `session proxy`) and
//! the workflows that chain calls (`deploy`, `build run`, `auth`).

mod auth;
mod build;
mod deploy;
mod logs;
mod secrets;
mod session;

use std::time::Duration;

use clap::{Arg, ArgMatches, Command, value_parser};

use crate::app::Context;
use crate::exit::refused;

/// Each hand-written command and the groups it sits under.
pub fn commands() -> Vec<(&'static [&'static str], Command)> {
    vec![
        (&[], deploy::command()),
        (&["agent"], logs::command()),
        (&["secret"], secrets::set_command()),
        (&["secret"], secrets::image_pull_secret_command()),
        (&["session"], session::start_command()),
        (&["session"], session::proxy_command()),
        (&["build"], build::command()),
        (&["auth"], auth::login_command()),
        (&["auth"], auth::status_command()),
        (&[], completions_command()),
    ]
}

/// Runs the hand-written command `words`, or `None` when it is a generated one.
pub async fn run(context: &Context, words: &[&str], matches: &ArgMatches) -> Option<anyhow::Result<()>> {
    Some(match words {
        ["deploy"] => deploy::run(context, matches).await,
        ["agent", "logs"] => logs::run(context, matches).await,
        ["secret", "set"] => secrets::set(context, matches).await,
        ["secret", "image-pull-secret"] => secrets::image_pull_secret(context, matches).await,
        ["session", "start"] => session::start(context, matches).await,
        ["session", "proxy"] => session::proxy(context, matches).await,
        ["build", "run"] => build::run(context, matches).await,
        ["auth", "login"] => auth::login(context, matches).await,
        ["auth", "status"] => auth::status(context, matches).await,
        ["completions"] => completions(matches),
        _ => return None,
    })
}

/// `--no-wait`, `--timeout SECONDS` and `--interval SECONDS`, for commands that wait.
pub fn wait_args(default_timeout: u64, default_interval: f64) -> Vec<Arg> {
    vec![
        Arg::new("no-wait")
            .long("no-wait")
            .action(clap::ArgAction::SetTrue)
            .help("Return once the API accepted the request, without waiting"),
        Arg::new("timeout")
            .long("timeout")
            .value_name("SECONDS")
            .value_parser(value_parser!(u64))
            .default_value(default_timeout.to_string())
            .help("Give up waiting after this long (exit code 3)"),
        Arg::new("interval")
            .long("interval")
            .value_name("SECONDS")
            .value_parser(value_parser!(f64))
            .default_value(default_interval.to_string())
            .help("Time between polls while waiting"),
    ]
}

/// The `(interval, timeout)` of [`wait_args`].
pub fn wait_times(matches: &ArgMatches) -> anyhow::Result<(Duration, Duration)> {
    let interval = matches.get_one::<f64>("interval").copied().unwrap_or(5.0);
    let interval = Duration::try_from_secs_f64(interval).map_err(|_| refused("--interval takes seconds, 0 or more"))?;
    let timeout = Duration::from_secs(matches.get_one::<u64>("timeout").copied().unwrap_or(600));
    Ok((interval, timeout))
}

fn completions_command() -> Command {
    Command::new("completions")
        .about("Print a shell completion script (bash, zsh, fish, powershell, elvish)")
        .arg(Arg::new("shell").required(true).value_parser(value_parser!(clap_complete::Shell)))
}

fn completions(matches: &ArgMatches) -> anyhow::Result<()> {
    let shell = matches.get_one::<clap_complete::Shell>("shell").copied().ok_or_else(|| refused("name a shell"))?;
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut crate::app::command(), "pipecat-cloud", &mut script);
    crate::output::line(String::from_utf8_lossy(&script).trim_end());
    Ok(())
}
