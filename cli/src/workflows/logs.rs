//! `agent logs`: the generated getLogs command, plus `--follow`.
//!
//! Following starts like `tail -f`: the newest lines (one page, `--limit` of them, 10 by default) unless
//! `--start-time` says where to begin. Then it polls in time order (`order=asc`) from the newest second
//! seen (`startTime`), pages through full pages with `offset` so nothing is skipped, and drops lines
//! already printed (the same second is read again, so the API's second-granular `startTime` leaves no
//! gap). In JSON mode each line is one JSON document (NDJSON).

use std::collections::HashMap;
use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use pipecat_cloud::catalog;
use pipecat_cloud::types::{GetLogsResponse, GetLogsResponseLogsItem};
use serde_json::json;

use crate::catalog_command;
use crate::catalog_command::ArgKey;
use crate::context::Context;
use crate::exit::refused;
use crate::output::{self, Mode};

/// Lines per request while following.
const PAGE: u64 = 100;

pub fn command() -> Command {
    catalog_command::command("logs", catalog::GET_LOGS)
        .arg(
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
    let operation = catalog::GET_LOGS;
    if !matches.get_flag("follow") {
        // Oldest to newest, as a log reads: the newest page asked for and shown in reverse, or with --all
        // every line in time order. `--order` given is followed as it is.
        let paged = matches.get_flag("all") || matches.get_one::<u64>("max-items").is_some();
        let adjust = match ArgKey::Query("order").text(matches)? {
            Some(_) => catalog_command::Adjust::default(),
            None if paged => catalog_command::Adjust { query: vec![("order", "asc")], reverse_page: false },
            None => catalog_command::Adjust { query: vec![("order", "desc")], reverse_page: true },
        };
        return catalog_command::run_with(context, operation, matches, &adjust).await;
    }
    let interval = matches.get_one::<f64>("poll-interval").copied().unwrap_or(2.0);
    let interval =
        Duration::try_from_secs_f64(interval).map_err(|_| refused("--poll-interval takes seconds, 0 or more"))?;
    let max_polls = matches.get_one::<u32>("max-polls").copied();
    // Both were checked as integers by their flags' parsers.
    let mut cursor: Option<i64> = ArgKey::Query("startTime").text(matches)?.and_then(|t| t.parse().ok());
    let first_page: i64 = ArgKey::Query("limit").text(matches)?.and_then(|l| l.parse().ok()).unwrap_or(10);
    let client = context.client()?;
    let mut printed = Printed::default();
    let mut polls = 0u32;
    loop {
        polls += 1;
        let started = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        // The filters the user gave (query, deploymentId, sessionId...), with the paging of a follow.
        let filters = catalog_command::call(&client, operation, &without_paging(matches))?;
        let fresh = match cursor {
            // Every line from the newest second seen on, oldest first: a walk over the pages (the SDK's
            // paging: no line lost or repeated while lines arrive).
            Some(start) => {
                let walk = filters
                    .query("order", "asc")
                    .query("startTime", start.to_string())
                    .paginate()
                    .ok_or_else(|| refused("getLogs is not a paged list in this spec"))?
                    .page_size(PAGE);
                read_all(walk.items()).await?
            }
            // The first poll: the newest lines only, not the whole history.
            None => match filters.query("order", "desc").query("limit", first_page.to_string()).send().await {
                Ok(answer) => {
                    answer.json::<GetLogsResponse>().map_err(|e| refused(format!("the logs did not decode: {e}")))?.logs
                }
                Err(error) if error.is_retryable() => {
                    output::note(&format!("note: {error}; trying again"));
                    Vec::new()
                }
                Err(error) => return Err(error.into()),
            },
        };
        let mut fresh = fresh;
        // In time order, whatever order the page came in.
        fresh.sort_by_key(|item| item.timestamp);
        for item in printed.new_lines(fresh) {
            print_line(context.mode, &item);
        }
        // From the newest second seen; after an empty start, from when the follow began (no gap).
        cursor = printed.newest_second().or(cursor).or(i64::try_from(started).ok());
        if let Some(cursor) = cursor {
            printed.forget_before(cursor);
        }
        if max_polls.is_some_and(|max| polls >= max) {
            return Ok(());
        }
        tokio::time::sleep(interval).await;
    }
}

/// The lines a walk returns; a failure a retry may fix ends this poll (the next one reads again).
async fn read_all(
    mut items: pipecat_cloud::paging::ItemStream<'_, serde_json::Value>,
) -> anyhow::Result<Vec<GetLogsResponseLogsItem>> {
    use futures_util::StreamExt;
    let mut lines = Vec::new();
    while let Some(item) = items.next().await {
        match item {
            Ok(value) => lines
                .push(serde_json::from_value(value).map_err(|e| refused(format!("a log line did not decode: {e}")))?),
            Err(error) if error.is_retryable() => {
                output::note(&format!("note: {error}; trying again"));
                break;
            }
            Err(error) => return Err(error.into()),
        }
    }
    Ok(lines)
}

/// A printed line, told apart from another with the same text at the same instant by its deployment.
type LineKey = (i64, String, String, String);

/// What a follow printed, as a multiset: a poll that reads the same second again prints only what is
/// new, and two identical lines logged at the same instant are both printed.
#[derive(Default)]
struct Printed {
    counts: HashMap<LineKey, usize>,
}

impl Printed {
    /// The lines of `batch` (in time order) not printed before.
    fn new_lines(&mut self, batch: Vec<GetLogsResponseLogsItem>) -> Vec<GetLogsResponseLogsItem> {
        let mut in_batch: HashMap<LineKey, usize> = HashMap::new();
        let mut out = Vec::new();
        for item in batch {
            let key = (
                item.timestamp.map(|t| t.timestamp()).unwrap_or_default(),
                item.timestamp.map(|t| t.to_rfc3339()).unwrap_or_default(),
                item.log.clone().unwrap_or_default(),
                item.deployment_id.clone().unwrap_or_default(),
            );
            let nth = in_batch.entry(key.clone()).or_default();
            *nth += 1;
            let seen = self.counts.entry(key).or_default();
            if *nth > *seen {
                *seen = *nth;
                out.push(item);
            }
        }
        out
    }

    fn newest_second(&self) -> Option<i64> {
        self.counts.keys().map(|(seconds, ..)| *seconds).max()
    }

    /// Only lines at or after `second` can be read again.
    fn forget_before(&mut self, second: i64) {
        self.counts.retain(|(seconds, ..), _| *seconds >= second);
    }
}

/// The matches without the flags a follow sets itself.
fn without_paging(matches: &ArgMatches) -> ArgMatches {
    let mut kept = matches.clone();
    for name in ["order", "limit", "offset", "startTime"] {
        let _ = kept.try_remove_one::<String>(&ArgKey::Query(name).id());
    }
    kept
}

fn print_line(mode: Mode, item: &GetLogsResponseLogsItem) {
    let time = item.timestamp.map(crate::times::canonical).unwrap_or_default();
    let text = item.log.clone().unwrap_or_default();
    match mode {
        Mode::Json => {
            output::line(&json!({"timestamp": time, "log": text, "deploymentId": item.deployment_id}).to_string())
        }
        Mode::Table => output::line(&format!("{time}  {text}")),
        Mode::Wide => output::line(&format!("{time}  {}  {text}", item.deployment_id.as_deref().unwrap_or("-"))),
        Mode::Plain => output::line(&format!("{time}\t{text}")),
    }
}
