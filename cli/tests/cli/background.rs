//! `emulator start` runs the emulator in the background and prints its exports (what `eval` takes);
//! `emulator stop` ends it.

use super::*;

fn run_in(config: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_pipecat-cloud"));
    command.args(args).env("PIPECAT_CONFIG_DIR", config).stdin(std::process::Stdio::null());
    for variable in ["PIPECAT_API_KEY", "PIPECAT_DEFAULT_PUBLIC_KEY", "PIPECAT_API_HOST", "PIPECAT_OUTPUT"] {
        command.env_remove(variable);
    }
    command.envs(env.iter().copied());
    let output = command.output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The `export NAME=VALUE` lines of `stdout`, by name.
fn exports(stdout: &str) -> Vec<(String, String)> {
    stdout
        .lines()
        .filter_map(|line| line.strip_prefix("export "))
        .filter_map(|pair| pair.split_once('=').map(|(n, v)| (n.to_string(), v.to_string())))
        .collect()
}

#[test]
fn start_prints_the_exports_of_a_background_emulator_and_stop_ends_it() {
    let config = config_dir("background");
    let started = run_in(&config, &["emulator", "start", "--port", "0", "--progression", "immediate"], &[]);
    assert_eq!(started.code, 0, "{}", started.stderr);
    let exported = exports(&started.stdout);
    let names: Vec<&str> = exported.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["PIPECAT_API_HOST", "PIPECAT_API_KEY", "PIPECAT_DEFAULT_PUBLIC_KEY"], "{}", started.stdout);
    // What `eval` would set: every command reaches it.
    let env: Vec<(&str, &str)> = exported.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let deployed = run_in(&config, &["deploy", "bot", "acme/bot:1"], &env);
    assert_eq!(deployed.code, 0, "{}", deployed.stderr);
    // Started again while it runs: the same exports.
    let again = run_in(&config, &["emulator", "start"], &[]);
    assert_eq!(exports(&again.stdout), exported, "{}", again.stderr);
    let stopped = run_in(&config, &["emulator", "stop"], &[]);
    assert_eq!(stopped.code, 0, "{}", stopped.stderr);
    assert!(stopped.stderr.contains("stopped"), "{}", stopped.stderr);
    let gone = run_in(&config, &["agent", "list"], &env);
    assert_eq!(gone.code, 1, "nothing listens any more: {}", gone.stderr);
    assert!(gone.stderr.contains("could not be reached"), "{}", gone.stderr);
    let nothing = run_in(&config, &["emulator", "stop"], &[]);
    assert!(nothing.stderr.contains("nothing to stop"), "{}", nothing.stderr);
    let _ = std::fs::remove_dir_all(config);
}
