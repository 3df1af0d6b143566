//! A paged walk's memory over a log of 100,000 lines served at once by a local server
//! (`src/paged_server.rs`): dhat's peak heap above the heap before, each in a fresh process of its own
//! (dhat's peak cannot be reset), for the whole walk, for a walk a tenth as long, and for one page
//! decoded alone, and for a hand-written offset loop over the same lines: what any loop of requests
//! holds (hyper grows a busy connection's read buffer) is the baseline. The server runs in a process
//! of its own too: in the same process, the answer it
//! builds (56 KB of the peak, by dhat's own account) was counted as the client's.
//!
//! `cargo bench -p pipecat-cloud-benchmarks --bench paging_memory`.

use std::process::Command;

use pipecat_cloud::types::GetLogsOrder;
use pipecat_cloud_benchmarks::paged_server::{PAGE, PagedLogServer, log_client, walk_logs};

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

const LINES: usize = 100_000;
/// A walk a tenth as long, to show the peak does not grow with the list.
const SHORT: u64 = 10_000;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap_or_else(|e| panic!("{e}"))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--serve") {
        return serve();
    }
    if let Some(i) = args.iter().position(|a| a == "--peak") {
        let what = args.get(i + 1).cloned().unwrap_or_default();
        let url = args.get(i + 2).cloned().unwrap_or_default();
        return peak(&what, &url);
    }
    let exe = std::env::current_exe().unwrap_or_default();
    let mut server = Command::new(&exe)
        .arg("--serve")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut url = String::new();
    if let Some(stdout) = server.stdout.take() {
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut url).unwrap_or_else(|e| panic!("{e}"));
    }
    let url = url.trim().to_string();
    let mut peaks = Vec::new();
    for what in ["walk", "page", "short-walk", "loop"] {
        let out = Command::new(&exe).args(["--peak", what, &url]).output().unwrap_or_else(|e| panic!("{e}"));
        peaks.push(String::from_utf8_lossy(&out.stdout).trim().parse::<f64>().unwrap_or(f64::NAN));
    }
    let _ = server.kill();
    let _ = server.wait();
    println!("\nPeak heap above the heap before (dhat), each in a process of its own:");
    println!("  the whole walk of {LINES} lines  {:>8.1} KB", peaks[0] / 1e3);
    println!("  one page of {PAGE} lines alone   {:>8.1} KB", peaks[1] / 1e3);
    println!("  walk / page                    {:>8.2}", peaks[0] / peaks[1]);
    println!("  the first {SHORT} lines only     {:>8.1} KB  (flat: the list's length does not count)", peaks[2] / 1e3);
    println!("  a hand-written offset loop       {:>8.1} KB", peaks[3] / 1e3);
    println!("  walk / loop                    {:>8.2}", peaks[0] / peaks[3]);
}

/// The server, in a process of its own: prints its URL, then serves until killed.
fn serve() {
    let rt = runtime();
    let server = rt.block_on(PagedLogServer::start(LINES)).unwrap_or_else(|e| panic!("{e}"));
    println!("{}", server.url());
    rt.block_on(std::future::pending::<()>());
}

/// In this fresh process: the peak heap of a walk, or of one page alone, above the heap before.
fn peak(what: &str, url: &str) {
    let rt = runtime();
    let client = log_client(url);
    // One call opens the connection first, so that both measures start alike.
    rt.block_on(client.get_logs("bench").limit(1).send()).unwrap_or_else(|e| panic!("{e}"));
    let _profiler = dhat::Profiler::builder().testing().build();
    let before = dhat::HeapStats::get().curr_bytes;
    match what {
        "walk" => {
            rt.block_on(walk_logs(&client));
        }
        "loop" => {
            let mut offset = 0i64;
            loop {
                let page = rt
                    .block_on(
                        client.get_logs("bench").order(GetLogsOrder::Asc).limit(PAGE as i64).offset(offset).send(),
                    )
                    .unwrap_or_else(|e| panic!("{e}"));
                let read = page.logs.len();
                offset += read as i64;
                drop(page);
                if (read as u64) < PAGE {
                    break;
                }
            }
        }
        "short-walk" => {
            use futures_util::StreamExt;
            let order = GetLogsOrder::Asc;
            let items = client.get_logs("bench").order(order).paginate().page_size(PAGE).max_items(SHORT).items();
            let count = rt.block_on(items.fold(0u64, |n, item| async move { n + u64::from(item.is_ok()) }));
            assert_eq!(count, SHORT);
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
