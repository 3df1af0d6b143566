//! Runs N calls of one operation through one client, for instruction-level profiling:
//!
//! ```text
//! cargo build --release -p pipecat-cloud-benchmarks --example profile_calls
//! valgrind --tool=callgrind target/release/examples/profile_calls wrapper listSecretSets 2000
//! ```
//! The server runs in a child process (this binary with `--serve`), so the profile holds client work only.

use pipecat_cloud_benchmarks::{Fixture, Op, Variant, serve_until_stdin_closes, spawn_server_process};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--serve") {
        return serve_until_stdin_closes();
    }
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap_or_else(|e| panic!("{e}"));
    let variant = match args.first().map(String::as_str) {
        Some("wrapper") => Variant::Wrapper,
        _ => Variant::HandWritten,
    };
    let op =
        Op::ALL.into_iter().find(|op| Some(op.id()) == args.get(1).map(String::as_str)).unwrap_or(Op::ListSecretSets);
    let calls: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(1000);
    let (mut server, url) = spawn_server_process();
    let fixture = rt.block_on(Fixture::connect(&url));
    let mut decoded = 0;
    for _ in 0..calls {
        decoded += rt.block_on(fixture.call(variant, op));
    }
    println!("{calls} calls of {} through {}: {decoded} items decoded", op.id(), variant.name());
    drop(server.stdin.take());
    let _ = server.wait();
}
