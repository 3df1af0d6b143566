//! Runs the tool: parse, run, map the outcome to an exit code.

use std::process::ExitCode;

use pipecat_cloud::Error;

use crate::{command_tree, dispatch, exit, messages, output, verbose};

/// Runs `pipecat-cloud` with the process's arguments and returns its exit code.
pub fn main() -> ExitCode {
    let matches = match command_tree::command().try_get_matches() {
        Ok(matches) => matches,
        // `pipecat-cloud` alone, or a group without its command: the help is the answer, on stdout.
        Err(error) if error.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let help = error.render();
            let text = if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                help.ansi().to_string()
            } else {
                help.to_string()
            };
            output::bytes(text.as_bytes());
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            // Help and version go to stdout with 0; usage errors to stderr with 2. A closed pipe while
            // printing help is not an error.
            // In JSON mode a usage error is also the error document on stdout.
            if error.use_stderr() && json_asked() {
                output::line(
                    &serde_json::json!({"error": {"status": null, "code": "USAGE", "message": usage_message(&error)}})
                        .to_string(),
                );
            }
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { exit::USAGE } else { exit::SUCCESS });
        }
    };
    verbose::install(matches.get_count("verbose"));
    let mode = output::Mode::choose(matches.get_one::<String>("output").map(String::as_str));
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            output::note(&format!("error: cannot start the async runtime: {error}"));
            return ExitCode::from(exit::API_ERROR);
        }
    };
    match runtime.block_on(dispatch::run(&matches)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let error = with_advice(error);
            let code = exit::code(&error);
            let technical = exit::describe(&error);
            let explained = messages::explain(&error, technical.clone());
            // A command that ended with a negative result printed its result as the one document.
            if mode == output::Mode::Json && error.downcast_ref::<exit::Negative>().is_none() {
                output::line(&exit::error_json(&error, &explained, &technical).to_string());
            }
            output::note(&format!("error: {}", explained.line));
            if matches.get_count("verbose") > 0 {
                output::note(&messages::details(&explained, &technical));
            }
            ExitCode::from(code)
        }
    }
}

/// A usage error in one line, naming what is missing or wrong: clap's message up to its usage line
/// (`the following required arguments were not provided: <AGENT_NAME>`).
fn usage_message(error: &clap::Error) -> String {
    let rendered = error.render().to_string();
    rendered
        .lines()
        .take_while(|line| !line.starts_with("Usage:"))
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .trim_start_matches("error: ")
        .to_string()
}

/// Whether JSON output was asked for, read from the raw arguments and the environment: for errors found
/// before the arguments could be parsed.
fn json_asked() -> bool {
    let args: Vec<String> = std::env::args().collect();
    let flagged = args.windows(2).any(|w| (w[0] == "--output" || w[0] == "-o") && w[1] == "json")
        || args.iter().any(|a| a == "--output=json" || a == "-ojson");
    flagged || std::env::var("PIPECAT_OUTPUT").is_ok_and(|v| v == "json")
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
