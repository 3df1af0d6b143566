//! Memory per call: bytes allocated per call (every operation, every client), and the peak heap while
//! decoding the large `getLogs` answer, the wrapper against the hand-written call.
//!
//! Allocations are counted with dhat's global allocator. The server runs in a child process (this
//! binary with `--serve`), so only the client's allocations are counted; each peak is measured in a
//! fresh child process of its own (`--peak VARIANT`), as dhat's peak cannot be reset.

use std::process::Command;

use pipecat_cloud_benchmarks::{Fixture, LOG_ENTRIES, Op, Variant, serve_until_stdin_closes, spawn_server_process};

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

const CALLS: usize = 50;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap_or_else(|e| panic!("{e}"))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--serve") {
        return serve_until_stdin_closes();
    }
    if let Some(i) = args.iter().position(|a| a == "--peak") {
        let variant = if args.get(i + 1).map(String::as_str) == Some("wrapper") {
            Variant::Wrapper
        } else {
            Variant::HandWritten
        };
        let url = args.get(i + 2).cloned().unwrap_or_default();
        return peak(variant, &url);
    }
    // `cargo bench` passes `--bench`; anything else (cargo test's harness flags) is ignored.
    let (server, url) = spawn_server_process();
    let _profiler = dhat::Profiler::builder().testing().build();
    let rt = runtime();
    let fixture = rt.block_on(Fixture::connect(&url));
    println!("Bytes allocated per call (mean of {CALLS} calls after one warm-up call):");
    println!("{:<22} {:>14} {:>12} {:>13}", "operation", "hand-written", "wrapper", "wrapper/hand");
    for op in Op::ALL {
        let per_call = Variant::ALL.map(|variant| {
            rt.block_on(fixture.call(variant, op));
            let before = dhat::HeapStats::get().total_bytes;
            for _ in 0..CALLS {
                rt.block_on(fixture.call(variant, op));
            }
            (dhat::HeapStats::get().total_bytes - before) as f64 / CALLS as f64
        });
        let name = if op == Op::GetLogs { format!("getLogs ({LOG_ENTRIES})") } else { op.id().to_string() };
        println!("{name:<22} {:>14.0} {:>12.0} {:>13.3}", per_call[0], per_call[1], per_call[1] / per_call[0]);
    }
    drop(fixture);
    drop(rt);
    println!(
        "\nPeak heap while one getLogs ({LOG_ENTRIES} entries) call is received and decoded, above the heap before it:"
    );
    let exe = std::env::current_exe().unwrap_or_default();
    let mut peaks = Vec::new();
    for variant in [Variant::HandWritten, Variant::Wrapper] {
        let name = if variant == Variant::Wrapper { "wrapper" } else { "hand-written" };
        let out = Command::new(&exe).args(["--peak", name, &url]).output().unwrap_or_else(|e| panic!("{e}"));
        let bytes: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap_or(f64::NAN);
        println!("{name:<14} {:>10.2} MB", bytes / 1e6);
        peaks.push(bytes);
    }
    println!("{:<14} {:>10.3}", "wrapper/hand", peaks[1] / peaks[0]);
    drop(server);
}

/// Measures, in this fresh process, the peak heap of one `getLogs` call above the heap before it.
fn peak(variant: Variant, url: &str) {
    let _profiler = dhat::Profiler::builder().testing().build();
    let rt = runtime();
    let fixture = rt.block_on(Fixture::connect(url));
    // One small call opens the connection, so that the peak is the large answer's.
    rt.block_on(fixture.call(variant, Op::DeleteSecretFromSet));
    let before = dhat::HeapStats::get().curr_bytes;
    rt.block_on(fixture.call(variant, Op::GetLogs));
    let peak = dhat::HeapStats::get().max_bytes;
    println!("{}", peak.saturating_sub(before));
}
