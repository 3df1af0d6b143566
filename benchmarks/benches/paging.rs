//! A paged walk's cost per item against a hand-written offset loop, over a log of 100,000 lines served
//! at once by a local server (`src/paged_server.rs`): the walk
//! (`get_logs(..).paginate().page_size(100).items()`, every item counted) and the loop
//! (`get_logs(..).limit(100).offset(n)` until a short page), 5 rounds each, alternating; the ratio of
//! the medians. Its memory is `benches/paging_memory.rs` (dhat's allocator would tax this one's time).
//!
//! The server runs on a runtime of its own, on its own thread, and the client on a current-thread
//! runtime: so the figures are the client's own cost. When both shared one two-worker runtime, which
//! task woke on which worker decided the result: two runs of the same loop differed by 12%, and the
//! walk measured 1.19 to 1.23 times the loop although its own code took about 2% of the samples
//! (`perf record`).
//!
//! `cargo bench -p pipecat-cloud-benchmarks --bench paging`.

use std::time::{Duration, Instant};

use pipecat_cloud::Client;
use pipecat_cloud::types::GetLogsOrder;
use pipecat_cloud_benchmarks::paged_server::{PAGE, PagedLogServer, log_client, walk_logs};

const LINES: usize = 100_000;
const ROUNDS: usize = 21;

async fn hand_written(client: &Client) -> usize {
    let (mut count, mut offset) = (0, 0i64);
    loop {
        let page = client
            .get_logs("bench")
            .order(GetLogsOrder::Asc)
            .limit(PAGE as i64)
            .offset(offset)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let read = page.logs.len();
        count += read;
        offset += read as i64;
        if (read as u64) < PAGE {
            return count;
        }
    }
}

fn main() {
    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let server = server_runtime.block_on(PagedLogServer::start(LINES)).unwrap_or_else(|e| panic!("{e}"));
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap_or_else(|e| panic!("{e}"));
    let client = log_client(&server.url());
    let (mut walked, mut looped) = (Vec::new(), Vec::new());
    rt.block_on(walk_logs(&client));
    rt.block_on(hand_written(&client));
    for round in 0..ROUNDS {
        let order: [bool; 2] = if round % 2 == 0 { [true, false] } else { [false, true] };
        for is_walk in order {
            let began = Instant::now();
            let count = if is_walk { rt.block_on(walk_logs(&client)) } else { rt.block_on(hand_written(&client)) };
            assert_eq!(count, LINES, "every line, once");
            (if is_walk { &mut walked } else { &mut looped }).push(began.elapsed());
        }
    }
    let median = |times: &mut Vec<Duration>| {
        times.sort_unstable();
        times[times.len() / 2]
    };
    let (walk_median, loop_median) = (median(&mut walked), median(&mut looped));
    println!("Walking {LINES} log lines, pages of {PAGE}, median of {ROUNDS} rounds each, alternating:");
    println!("  hand-written offset loop  {:>8.1} ms  ({:.2} µs per line)", ms(loop_median), per_item(loop_median));
    println!("  paginate().items()        {:>8.1} ms  ({:.2} µs per line)", ms(walk_median), per_item(walk_median));
    println!("  walk / loop               {:>8.3}", walk_median.as_secs_f64() / loop_median.as_secs_f64());
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn per_item(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6 / LINES as f64
}
