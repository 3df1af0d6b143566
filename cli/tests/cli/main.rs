//! The real `pipecat-cloud` binary, one module per area. The workflows run end to end on the emulator
//! (`on_emulator.rs`); the other modules hold a scripted server's raw answers where a test needs exact
//! requests or edge cases no real server gives. JSON output is parsed wherever a test uses it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod background;
mod builds;
mod commands;
mod confirmations;
mod deploy;
mod exit_and_output;
mod keys;
mod logs;
mod new_operation;
mod official_habits;
mod on_emulator;
mod parity;
mod readme_tour;
mod secrets;
mod sessions;
mod tables;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use pipecat_cloud_tests::scripted_server::{Recorded, Reply, ScriptedServer};
use serde_json::{Value, json};

pub(crate) const PRIVATE_KEY: &str = "pk_private_cli_test_4f1c9a";
pub(crate) const PUBLIC_KEY: &str = "pk_public_cli_test_77b2e0";
pub(crate) const UUID: &str = "5d0f6a2e-1b7c-4e19-9a43-2f6b8c1d7e90";

pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{}", self.stdout))
    }
}

/// A fresh, empty config folder, so no test reads a real credentials file or another test's.
pub(crate) fn config_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pipecat-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the binary with `args`, the server as host, and `env`; no key unless the args or env give one.
pub(crate) async fn run_with(
    server: &ScriptedServer,
    name: &str,
    args: &[&str],
    env: &[(&str, &str)],
    stdin: Option<&str>,
) -> Run {
    launch(&server.url(), name, args, env, stdin, None).await
}

/// [`run_with`], in folder `cwd`.
pub(crate) async fn launch(
    host: &str,
    name: &str,
    args: &[&str],
    env: &[(&str, &str)],
    stdin: Option<&str>,
    cwd: Option<&std::path::Path>,
) -> Run {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_pipecat-cloud"));
    if let Some(cwd) = cwd {
        command.current_dir(cwd);
    }
    command.args(["--host", host]).args(args);
    for variable in
        ["PIPECAT_API_KEY", "PIPECAT_DEFAULT_PUBLIC_KEY", "PIPECAT_API_HOST", "PIPECAT_PROFILE", "PIPECAT_OUTPUT"]
    {
        command.env_remove(variable);
    }
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let own_config = config_dir(&format!("{name}-{}", RUNS.fetch_add(1, Ordering::SeqCst)));
    command.env("PIPECAT_CONFIG_DIR", &own_config);
    for (key, value) in env {
        command.env(key, value);
    }
    let stdin = stdin.map(str::to_string);
    let output = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        command
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = command.spawn().unwrap();
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
        drop(input);
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// [`run_with`] with both keys as flags.
pub(crate) async fn run(server: &ScriptedServer, name: &str, args: &[&str]) -> Run {
    let mut all = vec!["--api-key", PRIVATE_KEY, "--public-key", PUBLIC_KEY];
    all.extend_from_slice(args);
    run_with(server, name, &all, &[], None).await
}

pub(crate) fn body(request: &Recorded) -> Value {
    serde_json::from_slice(&request.body).unwrap_or(Value::Null)
}

pub(crate) fn query(request: &Recorded) -> String {
    request.target.split_once('?').map(|(_, q)| q.to_string()).unwrap_or_default()
}

/// A sample value for a body field of `kind`.
pub(crate) fn sample(kind: &str) -> Value {
    match kind {
        "integer" | "number" => json!(1),
        "boolean" => json!(true),
        "object" => json!({}),
        "array" => json!([]),
        _ => json!("x"),
    }
}
