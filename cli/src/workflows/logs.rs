//! `agent logs`: the generated getLogs command, plus `--follow`.
//!
//! Following starts like `tail -f`: the newest lines (one page, `--limit` of them, 10 by default) unless
//! `--start-time` says where to begin. Then it polls in time order (`order=asc`) from the newest second
//! seen (`startTime`), pages through full pages with `offset` so nothing is skipped, and drops lines
//! already printed (the same second is read again, so the API's second-granular `startTime` leaves no
//! gap). In JSON mode each line is one JSON document (NDJSON).

use std::collections::HashSet;
use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use pipecat_cloud::catalog;
use pipecat_cloud::types::{GetLogsResponse, GetLogsResponseLogsItem};
use serde_json::json;

use crate::app::Context;
use crate::exit::refused;
use crate::generic;
use crate::output::{self, Mode};

const PAGE: i64 = 100;

pub fn command() -> Command {
    let operation = catalog::by_id("getLogs");
    let base = match operation {
        Some(operation) => generic::command("logs", operation),
        None => Command::new("logs"),
    };
    base.arg(
        Arg::new("follow")
            .long("follow")
            .short('f')
            .action(ArgAction::SetTrue)
            .help("Keep printing new lines as they are logged"),
    )
    .arg(
        Arg::new("poll-interval")
            .long("poll-interval")
            .value_name("SECONDS")
            .value_parser(value_parser!(f64))
            .default_value("2")
            .help("With --follow: time between polls"),
    )
    .arg(
        Arg::new("max-polls")
            .long("max-polls")
            .value_name("N")
            .value_parser(value_parser!(u32))
            .help("With --follow: stop after N polls (default: until interrupted)"),
    )
}

pub async fn run(context: &Context, matches: &ArgMatches) -> anyhow::Result<()> {
    let operation = catalog::by_id("getLogs").ok_or_else(|| refused("no getLogs in the catalog"))?;
    if !matches.get_flag("follow") {
        return generic::run(context, operation, matches).await;
    }
    let interval = matches.get_one::<f64>("poll-interval").copied().unwrap_or(2.0);
    let interval =
        Duration::try_from_secs_f64(interval).map_err(|_| refused("--poll-interval takes seconds, 0 or more"))?;
    let max_polls = matches.get_one::<u32>("max-polls").copied();
    let client = context.client()?;
    let mut cursor: Option<i64> = matches.get_one::<String>("query:startTime").and_then(|t| t.parse().ok());
    let first_page: i64 = matches.get_one::<String>("query:limit").and_then(|l| l.parse().ok()).unwrap_or(10);
    let mut seen: HashSet<(i64, String, String)> = HashSet::new();
    let mut polls = 0u32;
    loop {
        polls += 1;
        let mut fresh: Vec<GetLogsResponseLogsItem> = Vec::new();
        let mut offset = 0i64;
        loop {
            // The filters the user gave (query, deploymentId, sessionId...), with the paging of a follow.
            let filters = generic::call(&client, operation, &without_paging(matches))?;
            let (mut call, tail) = match cursor {
                Some(start) => {
                    let call = filters.query("order", "asc").query("limit", PAGE.to_string());
                    (call.query("startTime", start.to_string()), false)
                }
                // The first poll: the newest lines only, not the whole history.
                None => (filters.query("order", "desc").query("limit", first_page.to_string()), true),
            };
            if offset > 0 {
                call = call.query("offset", offset.to_string());
            }
            let page = match call.send().await {
                Ok(answer) => {
                    answer.json::<GetLogsResponse>().map_err(|e| refused(format!("the logs did not decode: {e}")))?
                }
                Err(error) if error.is_retryable() => {
                    output::note(&format!("note: {error}; trying again"));
                    break;
                }
                Err(error) => return Err(error.into()),
            };
            let count = page.logs.len() as i64;
            fresh.extend(page.logs);
            if tail || count < PAGE {
                break;
            }
            offset += count;
        }
        // In time order, whatever order the page came in.
        fresh.sort_by_key(|item| item.timestamp);
        for item in fresh {
            let seconds = item.timestamp.map(|t| t.timestamp()).unwrap_or_default();
            let key = (
                seconds,
                item.timestamp.map(|t| t.to_rfc3339()).unwrap_or_default(),
                item.log.clone().unwrap_or_default(),
            );
            if !seen.insert(key) {
                continue;
            }
            print_line(context.mode, &item);
            cursor = Some(cursor.map_or(seconds, |c| c.max(seconds)));
        }
        // Only the newest second is read again; older keys can go.
        if let Some(cursor) = cursor {
            seen.retain(|(seconds, _, _)| *seconds >= cursor);
        }
        if max_polls.is_some_and(|max| polls >= max) {
            return Ok(());
        }
        tokio::time::sleep(interval).await;
    }
}

/// The matches without the flags a follow sets itself.
fn without_paging(matches: &ArgMatches) -> ArgMatches {
    let mut kept = matches.clone();
    for id in ["query:order", "query:limit", "query:offset", "query:startTime"] {
        let _ = kept.try_remove_one::<String>(id);
    }
    kept
}

fn print_line(mode: Mode, item: &GetLogsResponseLogsItem) {
    let time = item.timestamp.map(|t| t.to_rfc3339()).unwrap_or_default();
    let text = item.log.clone().unwrap_or_default();
    match mode {
        Mode::Json => {
            output::line(&json!({"timestamp": time, "log": text, "deploymentId": item.deployment_id}).to_string())
        }
        Mode::Table => output::line(&format!("{time}  {text}")),
        Mode::Plain => output::line(&format!("{time}\t{text}")),
    }
}
