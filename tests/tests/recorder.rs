//! The recorder against a local server answering like the API: what it writes is scrubbed, carries no
//! credential, and replays through the wrapper.
#![allow(clippy::unwrap_used)]

use std::process::Command;

use pipecat_cloud_tests::recording::load_all;
use pipecat_cloud_tests::replay::replay;
use pipecat_cloud_tests::scripted_server::{Reply, ScriptedServer};
use serde_json::json;

const KEY: &str = "recorder-test-private-key-55e1";

// Multi-threaded: the recorder runs as a blocking child process while this runtime serves its requests.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_recorder_writes_scrubbed_recordings_that_replay() {
    let server = ScriptedServer::start_with(|request| match request.path() {
        "/v1/secrets" => {
            Reply::json(200, json!({"sets": [{"name": "voice-bot-secrets", "type": "secret", "status": "ready"}]}))
        }
        "/v1/secrets/voice-bot-secrets" => Reply::json(
            200,
            json!({"region": "us-west", "status": "ready",
            "secrets": [{"fieldName": "OPENAI_API_KEY"}]}),
        )
        .with_header("x-request-id", "req-9"),
        "/v1/agents/support-bot/logs" => Reply::json(
            200,
            json!({"total": {"value": 1, "relation": "eq"},
            "logs": [{"log": "token=abc", "timestamp": "2026-11-01T12:00:00Z"}]}),
        ),
        _ => Reply::json(404, json!({"error": "Not found", "code": "NOT_FOUND"})),
    })
    .await
    .unwrap();
    let out = std::env::temp_dir().join(format!("recorder-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_record"))
            .args(args)
            .env("PIPECAT_API_KEY", KEY)
            .env("PIPECAT_API_HOST", server.url())
            .output()
            .unwrap()
    };
    let output = run(&[
        "--out",
        out.to_str().unwrap(),
        "listSecretSets",
        "getSecretSet:setName=voice-bot-secrets",
        "getLogs:agentName=support-bot,limit=20",
        "getSecretSet:setName=missing-set",
    ]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    // The server saw the key; the files never do.
    assert!(server.requests().iter().all(|r| r.header("authorization") == Some(&format!("Bearer {KEY}"))));
    let files = load_all(&out).unwrap();
    assert_eq!(files.len(), 4, "{files:#?}");
    for file in &files {
        let text = std::fs::read_to_string(&file.path).unwrap();
        assert!(!text.contains(KEY) && !text.to_ascii_lowercase().contains("authorization"), "{text}");
        assert_eq!(file.recording.source.as_deref(), Some("recorded"));
        replay(file, None).await.unwrap_or_else(|e| panic!("{}: {e}", file.path.display()));
    }
    let logs = files.iter().find(|f| f.operation_id == "getLogs").unwrap();
    assert_eq!(logs.recording.request.query.get("limit").map(String::as_str), Some("20"));
    assert!(files.iter().any(|f| f.operation_id == "getSecretSet" && f.status == 404));

    // Only read-only operations, and hostile path values are refused before anything is sent.
    let refused = run(&["--out", out.to_str().unwrap(), "deleteSecretSet:setName=voice-bot-secrets"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("only runs read-only (GET) operations"));
    let hostile = run(&["--out", out.to_str().unwrap(), "getService:agentName=.."]);
    assert!(!hostile.status.success());
    assert!(String::from_utf8_lossy(&hostile.stderr).contains("`agentName` is a dot segment"));
    assert_eq!(server.requests().len(), 4, "nothing more was sent");
}
