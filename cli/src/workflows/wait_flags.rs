//! `--no-wait`, `--timeout` and `--interval`: the flags of every command that waits for background work.

use std::time::Duration;

use clap::{Arg, ArgMatches, value_parser};

use crate::exit::refused;

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
