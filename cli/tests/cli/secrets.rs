//! `secret set` and `secret image-pull-secret` against scripted answers: the exact bodies sent.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_set_sends_a_dotenv_file_in_one_call_then_waits() {
    let server = ScriptedServer::start_with(|request| match request.method.as_str() {
        "PUT" => Reply::json(202, json!({"status": "OK", "region": "us-west"})),
        _ => Reply::json(200, json!({"name": "bot-secrets", "status": "ready"})),
    })
    .await
    .unwrap();
    let dir = config_dir("dotenv");
    let file = dir.join(".env");
    std::fs::write(
        &file,
        "# a comment\nexport A=1\nB=\"two words\"\nC='single $QUOTED'\nEMPTY=\nMULTI=\"line1\nline2\"\nD=plain # trailing comment\n",
    )
    .unwrap();
    let result = run(
        &server,
        "secret-set",
        &[
            "--output",
            "json",
            "secret",
            "set",
            "bot-secrets",
            "--env-file",
            file.to_str().unwrap(),
            "E=from-arg",
            "--interval",
            "0",
            "--timeout",
            "30",
        ],
    )
    .await;
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(result.json()["status"], "ready");
    let puts: Vec<Recorded> = server.requests().into_iter().filter(|r| r.method == "PUT").collect();
    assert_eq!(puts.len(), 1, "one call for all keys");
    assert_eq!(puts[0].path(), "/v1/secrets/bot-secrets");
    let sent: Vec<(String, String)> = body(&puts[0])["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["secretKey"].as_str().unwrap().to_string(), s["secretValue"].as_str().unwrap().to_string()))
        .collect();
    let expected = [
        ("A", "1"),
        ("B", "two words"),
        ("C", "single $QUOTED"),
        ("EMPTY", ""),
        ("MULTI", "line1\nline2"),
        ("D", "plain"),
        ("E", "from-arg"),
    ];
    assert_eq!(sent, expected.map(|(k, v)| (k.to_string(), v.to_string())));
    for (_, value) in expected.iter().filter(|(_, v)| !v.is_empty()) {
        assert!(!result.stdout.contains(value) && !result.stderr.contains(value), "a secret value was printed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_set_reads_stdin_and_image_pull_secrets_are_encoded() {
    // The API reads an image pull secret only through the list (`GET /secrets`).
    let server = ScriptedServer::start_with(|request| match (request.method.as_str(), request.path()) {
        ("PUT", _) => Reply::json(202, json!({"status": "OK", "region": "us-west"})),
        ("GET", "/v1/secrets") => {
            Reply::json(200, json!({"sets": [{"name": "pull", "type": "imagePullSecret", "status": "ready"}]}))
        }
        _ => Reply::json(200, json!({"status": "ready"})),
    })
    .await
    .unwrap();
    let mut args = vec![
        "--api-key",
        PRIVATE_KEY,
        "--output",
        "json",
        "secret",
        "set",
        "from-stdin",
        "--env-file",
        "-",
        "--no-wait",
    ];
    let result = run_with(&server, "secret-stdin", &args, &[], Some("K=v\n")).await;
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(result.json()["status"], "submitted");
    assert_eq!(body(&server.requests()[0])["secrets"], json!([{"secretKey": "K", "secretValue": "v"}]));
    server.clear();
    args = vec![
        "--api-key",
        PRIVATE_KEY,
        "--output",
        "json",
        "secret",
        "image-pull-secret",
        "pull",
        "https://index.docker.io/v1/",
        "--interval",
        "0",
    ];
    let result = run_with(&server, "pull-secret", &args, &[], Some("user:pa55\n")).await;
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert!(result.stderr.contains("base64 of `username:password`"), "{}", result.stderr);
    assert_eq!(result.json()["status"], "ready");
    let put = server.requests().into_iter().find(|r| r.method == "PUT").unwrap();
    assert_eq!(
        body(&put),
        json!({"isImagePullSecret": true, "host": "https://index.docker.io/v1/", "secretValue": "dXNlcjpwYTU1"})
    );
}
