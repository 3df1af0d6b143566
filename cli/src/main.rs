//! The `pipecat-cloud` binary; everything is in the library (`src/lib.rs`).
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    pipecat_cloud_cli::main()
}
