//! A paged walk's memory over a log of 100,000 lines served at once by a local server
//! (`src/paged_server.rs`): dhat's peak heap above the heap before, each in a fresh process of its own
//! (dhat's peak cannot be reset), for the whole walk and for one page decoded alone. A walk that holds
//! one page at a time peaks near one page.
//!
//! `cargo bench -p pipecat-cloud-benchmarks --bench paging_memory`.

use std::process::Command;

use pipecat_cloud::types::GetLogsOrder;
use pipecat_cloud_benchmarks::paged_server::{PAGE, PagedLogServer, log_client, walk_logs};

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

const LINES: usize = 100_000;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap_or_else(|e| panic!("{e}"))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--peak") {
        let what = args.get(i + 1).cloned().unwrap_or_default();
        return peak(&what);
    }
    let exe = std::env::current_exe().unwrap_or_default();
    let mut peaks = Vec::new();
    for what in ["walk", "page"] {
        let out = Command::new(&exe).args(["--peak", what]).output().unwrap_or_else(|e| panic!("{e}"));
        peaks.push(String::from_utf8_lossy(&out.stdout).trim().parse::<f64>().unwrap_or(f64::NAN));
    }
    println!("\nPeak heap above the heap before (dhat), each in a process of its own:");
    println!("  the whole walk of {LINES} lines  {:>8.1} KB", peaks[0] / 1e3);
    println!("  one page of {PAGE} lines alone   {:>8.1} KB", peaks[1] / 1e3);
    println!("  walk / page                    {:>8.2}", peaks[0] / peaks[1]);
}

/// In this fresh process: the peak heap of the whole walk, or of one page alone, above the heap before.
fn peak(what: &str) {
    // The server runs on its own thread's runtime, so its allocations count too; they are the same
    // for both measures (one page's bytes), and the page measure includes them as well.
    let rt = runtime();
    let server = rt.block_on(PagedLogServer::start(LINES)).unwrap_or_else(|e| panic!("{e}"));
    let client = log_client(&server.url());
    // One call opens the connection first, so that both measures start alike.
    rt.block_on(client.get_logs("bench").limit(1).send()).unwrap_or_else(|e| panic!("{e}"));
    let _profiler = dhat::Profiler::builder().testing().build();
    let before = dhat::HeapStats::get().curr_bytes;
    match what {
        "walk" => {
            rt.block_on(walk_logs(&client));
        }
        _ => {
            let page = rt
                .block_on(client.get_logs("bench").order(GetLogsOrder::Asc).limit(PAGE as i64).send())
                .unwrap_or_else(|e| panic!("{e}"));
            std::hint::black_box(&page);
            drop(page);
        }
    }
    let stats = dhat::HeapStats::get();
    println!("{}", stats.max_bytes.saturating_sub(before));
}
