//! Test support for the workspace's integration tests: a scripted HTTP server that records raw
//! requests, and a way to call any operation by its id.
#![forbid(unsafe_code)]

pub mod conformance;
pub mod hostile;
pub mod operations;
pub mod recording;
pub mod replay;
pub mod routes;
pub mod scripted_server;

/// Prints a line that a test reports (coverage, counts) even when cargo captures test output: the
/// libtest capture covers `print!` and `eprint!`, not writes to the stderr handle.
pub fn report(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}
