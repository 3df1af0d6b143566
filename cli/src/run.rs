//! Runs the tool: parse, run, map the outcome to an exit code.

use std::process::ExitCode;

use pipecat_cloud::Error;

use crate::{app, exit, output};

/// Runs `pipecat-cloud` with the process's arguments and returns its exit code.
pub fn main() -> ExitCode {
    let matches = match app::command().try_get_matches() {
        Ok(matches) => matches,
        Err(error) => {
            // Help and version go to stdout with 0; usage errors to stderr with 2. A closed pipe while
            // printing help is not an error.
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { exit::USAGE } else { exit::SUCCESS });
        }
    };
    if matches.get_flag("verbose") {
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_max_level(tracing_subscriber::filter::LevelFilter::DEBUG)
            .with_target(false)
            .init();
    }
    let mode = output::Mode::choose(matches.get_one::<String>("output").map(String::as_str));
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            output::note(&format!("error: cannot start the async runtime: {error}"));
            return ExitCode::from(exit::API_ERROR);
        }
    };
    match runtime.block_on(app::run(&matches)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let error = with_advice(error);
            let code = exit::code(&error);
            if mode == output::Mode::Json {
                output::line(&exit::error_json(&error).to_string());
            }
            output::note(&format!("error: {error:#}"));
            ExitCode::from(code)
        }
    }
}

/// A missing key gets the three ways to give one.
fn with_advice(error: anyhow::Error) -> anyhow::Error {
    if let Some(Error::MissingKey { needed, .. }) = error.downcast_ref::<Error>() {
        let (flag, variable) = match needed {
            pipecat_cloud::ApiKeyKind::Public => ("--public-key", pipecat_cloud::ENV_PUBLIC_KEY),
            _ => ("--api-key", pipecat_cloud::ENV_PRIVATE_KEY),
        };
        let advice = format!("give the {needed} key with {flag}, {variable}, or `pipecat-cloud auth login`");
        return error.context(advice);
    }
    error
}
