//! Test support for the workspace's integration tests: a scripted HTTP server that records raw
//! requests, and a way to call any operation by its id.
#![forbid(unsafe_code)]

pub mod conformance;
pub mod operations;
pub mod recording;
pub mod replay;
pub mod scripted_server;

/// Prints a line that a test reports (coverage, counts) even when cargo captures test output: the
/// libtest capture covers `print!` and `eprint!`, not writes to the stderr handle.
pub fn report(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// `value` escaped as one path segment exactly as the client escapes it: RFC 3986's unreserved
/// characters stay, everything else is percent-encoded. The recorder writes paths with it; replaying the
/// recordings checks that the client sends the same.
pub fn escape_segment(value: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    percent_encoding::utf8_percent_encode(value, SEGMENT).to_string()
}
