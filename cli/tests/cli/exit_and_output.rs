//! Exit codes by kind of failure, and a closed pipe.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_tell_404_409_429_usage_and_refused_values_apart() {
    let server = ScriptedServer::start_with(|request| match request.path() {
        "/v1/agents/missing" => Reply::json(404, json!({"error": "Service not found", "code": "NOT_FOUND"})),
        "/v1/secrets/busy" => Reply::json(409, json!({"error": "Secret set is not ready", "code": "CONFLICT"})),
        _ => Reply::json(429, json!({"error": "Too many requests", "code": "RATE_LIMITED"}))
            .with_header("retry-after", "0"),
    })
    .await
    .unwrap();
    let cases: [(&[&str], i32, Option<u16>); 3] = [
        (&["agent", "get", "missing"], 1, Some(404)),
        (&["secret", "set", "busy", "A=1"], 4, Some(409)),
        (&["region", "list"], 5, Some(429)),
    ];
    for (args, code, status) in cases {
        let mut all = vec!["--output", "json"];
        all.extend_from_slice(args);
        let result = run(&server, "codes", &all).await;
        assert_eq!(result.code, code, "{args:?}: {}", result.stderr);
        let error = result.json();
        assert_eq!(error["error"]["status"], json!(status), "{error}");
        assert!(error["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    server.clear();
    let usage = run(&server, "codes", &["--output", "json", "agent", "get", "--no-such-flag"]).await;
    assert_eq!(usage.code, 2, "{}", usage.stderr);
    assert_eq!(usage.json()["error"]["code"], "USAGE");
    let not_a_number = run(&server, "codes", &["agent", "logs", "bot", "--limit", "ten"]).await;
    assert_eq!(not_a_number.code, 2, "{}", not_a_number.stderr);
    let refused = run(&server, "codes", &["--output", "json", "agent", "get", ".."]).await;
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert_eq!(refused.json()["error"]["code"], "REFUSED");
    let missing_key = run_with(&server, "codes", &["region", "list"], &[], None).await;
    assert_eq!(missing_key.code, 2, "{}", missing_key.stderr);
    assert!(
        missing_key.stderr.contains("--api-key, PIPECAT_API_KEY, or `pipecat-cloud auth login`"),
        "{}",
        missing_key.stderr
    );
    assert!(server.requests().is_empty(), "nothing was sent for a usage error, a refused value or a missing key");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_pipe_ends_the_output_quietly() {
    let many: Vec<Value> = (0..5000).map(|i| json!({"name": format!("agent-{i}"), "region": "us-west"})).collect();
    let server =
        ScriptedServer::start_with(move |_| Reply::json(200, json!({"services": many.clone()}))).await.unwrap();
    for command in [
        format!("agent list --host {} --api-key {PRIVATE_KEY}", server.url()),
        "completions bash".to_string(),
        "--help".to_string(),
    ] {
        let binary = env!("CARGO_BIN_EXE_pipecat-cloud");
        let script = format!("'{binary}' {command} | head -1 >/dev/null; echo \"exit=${{PIPESTATUS[0]}}\"");
        let output = tokio::task::spawn_blocking(move || {
            std::process::Command::new("bash")
                .args(["-c", &script])
                .env("PIPECAT_CONFIG_DIR", config_dir("closed-pipe"))
                .output()
                .unwrap()
        })
        .await
        .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stdout.contains("exit=0"), "{command}: {stdout} {stderr}");
        assert!(!stderr.contains("panicked"), "{command}: {stderr}");
    }
}

/// A refused connection's cause is printed once: the SDK's message holds it, and the CLI prints the
/// error's chain, which must not repeat it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_connection_names_its_cause_once() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let host = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let result = launch(&host, "refused", &["--api-key", PRIVATE_KEY, "region", "list"], &[], None, None).await;
    assert_eq!(result.code, 1, "{}", result.stderr);
    let error = result.stderr.lines().find(|l| l.starts_with("error:")).unwrap_or_default().to_string();
    assert!(error.contains(&format!("{host} (from --host) could not be reached")), "{}", result.stderr);
    assert!(!error.contains("listRegions"), "the operationId only with -v: {error}");
    assert_eq!(error.matches("Connection refused").count(), 1, "the cause once: {error}");
    assert!(!error.contains("error sending request"), "{error}");
    pipecat_cloud_tests::report(&format!("a refused connection: {error}"));
}
