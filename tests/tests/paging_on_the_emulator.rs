//! Lists that page themselves, against the emulator: every item once, none missed while the data moves,
//! page sizes within the spec's bounds, and no request after the last page (read from the emulator's
//! journal).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use futures_util::{StreamExt, TryStreamExt};
use pipecat_cloud::types::{CreateServiceRequest, CreateServiceRequestServiceName, GetSessionsStatus, StartRequest};
use pipecat_cloud_emulator::snapshot::{LogLine, Session};
use pipecat_cloud_emulator::{Emulator, JournalEntry, Progression};

/// An emulator with agent `bot`, ready, holding `sessions` ended sessions (made in its state: starting
/// them one by one through the API would be bound by `maxAgents`).
async fn with_sessions(sessions: usize) -> Emulator {
    let emulator = Emulator::builder().progression(Progression::Immediate).start().await.unwrap();
    let name: CreateServiceRequestServiceName = "bot".parse().unwrap();
    emulator.client().create_service(CreateServiceRequest::new(name).image("acme/bot:1")).await.unwrap();
    let mut state = emulator.snapshot();
    let agent = state.agents.get_mut("bot").unwrap();
    let deployment = agent.deployments[0].id;
    // Sessions the walks start must not meet the cap (the state holds no rule against it).
    agent.deployments[0].config.max_agents = 50_000;
    let now = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now());
    for i in 0..sessions {
        let at = now - chrono::Duration::seconds((sessions - i) as i64);
        let mut session = Session::new(deployment, at);
        session.ended_at = Some(at);
        session.completion_status = Some("STOPPED".into());
        agent.sessions.push(session);
    }
    emulator.restore(state);
    emulator
}

fn requests_of<'a>(journal: &'a [JournalEntry], operation: &str) -> Vec<&'a JournalEntry> {
    journal.iter().filter(|e| e.operation_id.as_deref() == Some(operation)).collect()
}

fn query(entry: &JournalEntry, name: &str) -> Option<u64> {
    entry.query.iter().find(|(n, _)| n == name).and_then(|(_, v)| v.parse().ok())
}

#[tokio::test]
async fn twelve_hundred_thirty_four_sessions_give_as_many_unique_ids_and_no_extra_request() {
    let emulator = with_sessions(1234).await;
    let ids: Vec<String> =
        emulator.client().get_sessions("bot").items().map_ok(|s| s.session_id.unwrap()).try_collect().await.unwrap();
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!((ids.len(), unique.len()), (1234, 1234));
    let journal = emulator.journal();
    let pages = requests_of(&journal, "getSessions");
    for page in &pages {
        assert_eq!(query(page, "limit"), Some(pipecat_cloud::paging::DEFAULT_PAGE_SIZE), "the page size");
    }
    // Every page but the last was full; the last reached the total; nothing was asked after it.
    let last = pages.last().unwrap();
    let read = |e: &JournalEntry| e.response_body.as_ref().unwrap()["sessions"].as_array().unwrap().len() as u64;
    assert!(query(last, "offset").unwrap() + read(last) >= 1234);
    for page in &pages[..pages.len() - 1] {
        assert_eq!(read(page), 100);
        assert!(query(page, "offset").unwrap() + 100 < 1234, "a request after the total was reached");
    }
    pipecat_cloud_tests::report(&format!(
        "paging: 1234 sessions -> {} unique ids in {} requests",
        unique.len(),
        pages.len()
    ));
}

/// Walks `status` sessions page by page; between two pages, starts up to 10 sessions and (when
/// `stop`) stops up to 10 running ones, drawn from `seed`. Returns the ids returned, the ids that were
/// in the list for the whole walk, and the number of pages.
async fn walk_while_moving(
    emulator: &Emulator,
    status: Option<GetSessionsStatus>,
    stop: bool,
    seed: u64,
    naive: bool,
) -> (Vec<String>, BTreeSet<String>, usize) {
    let client = emulator.client();
    let list = |status: Option<GetSessionsStatus>| {
        let builder = client.get_sessions("bot");
        match status {
            Some(status) => builder.status(status),
            None => builder,
        }
    };
    // Newest first, as the list is ordered.
    let before: Vec<String> = list(status).items().map_ok(|s| s.session_id.unwrap()).try_collect().await.unwrap();
    let mut throughout: BTreeSet<String> = before.iter().cloned().collect();
    let mut draws = fastrand::Rng::with_seed(seed);
    let mut pages = list(status).pages();
    let mut returned = Vec::new();
    let mut count = 0;
    let mut naive_offset = 0;
    loop {
        let ids: Vec<String> = if naive {
            // The hand-written offset loop the SDK replaces: no overlap, no de-duplication.
            let page = list(status).limit(100).offset(naive_offset).await.unwrap();
            naive_offset += page.sessions.len() as i64;
            if page.sessions.is_empty() {
                break;
            }
            page.sessions.into_iter().map(|s| s.session_id.unwrap()).collect()
        } else {
            let Some(page) = pages.next().await else { break };
            page.unwrap().items.into_iter().map(|s| s.session_id.unwrap()).collect()
        };
        count += 1;
        returned.extend(ids);
        for _ in 0..draws.usize(0..=10) {
            client.start_service("bot", StartRequest::new()).await.unwrap();
        }
        if stop {
            // The newest running sessions: ahead of the walk, so the rest of the list shifts up.
            let stops = draws.usize(0..=10);
            let ahead: Vec<String> = before.iter().filter(|id| throughout.contains(*id)).take(stops).cloned().collect();
            for id in &ahead {
                client.stop_session("bot", id.parse().unwrap()).await.unwrap();
                throughout.remove(id);
            }
        }
    }
    (returned, throughout, count)
}

/// Duplicates and misses of a walk: ids returned more than once, and ids in the list for the whole walk
/// that were not returned.
fn problems(returned: &[String], throughout: &BTreeSet<String>) -> (usize, usize) {
    let unique: BTreeSet<&String> = returned.iter().collect();
    (returned.len() - unique.len(), throughout.iter().filter(|id| !unique.contains(id)).count())
}

#[tokio::test]
async fn sessions_started_and_stopped_between_pages_are_neither_repeated_nor_missed() {
    let mut naive_problems = (0, 0);
    for seed in [1, 2, 3] {
        for naive in [false, true] {
            // Insertions only: every session ever listed stays listed (status all).
            let emulator = with_sessions(640).await;
            let (returned, throughout, pages) = walk_while_moving(&emulator, None, false, seed, naive).await;
            let inserted = problems(&returned, &throughout);
            // Insertions and removals: stopped sessions leave the `active` list while it is walked.
            let emulator = running_sessions(600).await;
            let (returned, throughout, pages_active) =
                walk_while_moving(&emulator, Some(GetSessionsStatus::Active), true, seed, naive).await;
            let removed = problems(&returned, &throughout);
            let label = if naive { "a plain offset loop" } else { "the SDK's walk" };
            pipecat_cloud_tests::report(&format!(
                "paging, seed {seed}, {label}: {pages} + {pages_active} pages; duplicates {}, missed {}",
                inserted.0 + removed.0,
                inserted.1 + removed.1
            ));
            if naive {
                naive_problems.0 += inserted.0 + removed.0;
                naive_problems.1 += inserted.1 + removed.1;
            } else {
                assert_eq!((inserted, removed), ((0, 0), (0, 0)), "seed {seed}: (duplicates, missed)");
            }
        }
    }
    // The schedule does move the data: a plain offset loop repeats and misses sessions under it.
    assert!(naive_problems.0 > 0 && naive_problems.1 > 0, "the moving-data schedule tests nothing: {naive_problems:?}");
}

/// An emulator with agent `bot` and `running` sessions still active.
async fn running_sessions(running: i64) -> Emulator {
    let emulator = Emulator::builder().progression(Progression::Immediate).start().await.unwrap();
    let name: CreateServiceRequestServiceName = "bot".parse().unwrap();
    let client = emulator.client();
    let agent = CreateServiceRequest::new(name)
        .image("acme/bot:1")
        .auto_scaling(pipecat_cloud::types::AutoScaling::new().max_agents(50));
    client.create_service(agent).await.unwrap();
    let mut state = emulator.snapshot();
    // 600 running sessions: more than maxAgents would let start, so they are made in the state.
    let bot = state.agents.get_mut("bot").unwrap();
    let deployment = bot.deployments[0].id;
    let now = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now());
    for i in 0..running {
        let at = now - chrono::Duration::seconds(running - i);
        bot.sessions.push(Session::new(deployment, at));
    }
    bot.deployments[0].config.max_agents = 50_000;
    emulator.restore(state);
    emulator
}

#[tokio::test]
async fn a_log_line_logged_twice_is_returned_twice_and_builds_never_ask_more_than_the_maximum() {
    let emulator = with_sessions(0).await;
    let mut state = emulator.snapshot();
    let agent = state.agents.get_mut("bot").unwrap();
    let at = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now());
    for i in 0..250 {
        let line = LogLine::new(at + chrono::Duration::milliseconds(i / 2), None, None, format!("line {}", i / 2));
        agent.logs.push(line);
    }
    agent.logs.sort_by_key(|l| l.at);
    emulator.restore(state);
    let client = emulator.client();
    let lines: Vec<String> =
        client.get_logs("bot").paginate().page_size(40).items().map_ok(|l| l.log.unwrap()).try_collect().await.unwrap();
    let expected = 250 + 3; // the 250 written, and the deployment's own three
    assert_eq!(lines.len(), expected, "every line, each as often as it was logged");
    assert_eq!(lines.iter().filter(|l| *l == "line 7").count(), 2);

    let builds: Vec<_> = client.list_builds().paginate().page_size(500).items().try_collect().await.unwrap();
    assert!(builds.is_empty());
    let journal = emulator.journal();
    for request in requests_of(&journal, "listBuilds") {
        assert!(query(request, "limit").unwrap() <= 100, "listBuilds asked for more than the spec's maximum");
    }
}
