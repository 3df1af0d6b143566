//! `build run` against scripted answers: the upload form, the cache, a failed build's log tail.

use super::*;

/// A server for `build run`: upload URL, upload, createBuild answering `status`, and a build that ends as
/// `finished` (the body getBuild answers), with a two-line log.
async fn build_server(status: u16, finished: Value) -> ScriptedServer {
    let upload_target: Arc<std::sync::Mutex<String>> = Arc::default();
    let target = Arc::clone(&upload_target);
    let server = ScriptedServer::start_with(move |request| match (request.method.as_str(), request.path()) {
        ("POST", "/v1/builds/upload-url") => Reply::json(
            200,
            json!({"uploadId": UUID, "uploadUrl": format!("{}/upload?signature=secret-sig", target.lock().unwrap()),
                "uploadFields": {"key": "contexts/abc.tar.gz"}}),
        ),
        ("POST", "/upload") => Reply::Respond { status: 204, headers: vec![], body: String::new() },
        ("POST", "/v1/builds") => Reply::json(
            status,
            json!({"build": {"id": UUID, "status": if status == 200 { "success" } else { "building" }}, "cached": status == 200}),
        ),
        ("GET", path) if path.ends_with("/logs") => {
            Reply::json(200, json!({"logs": ["Step 3/5: RUN pip install", "ERROR: no matching distribution"]}))
        }
        ("GET", path) if path.starts_with("/v1/builds/") => Reply::json(200, finished.clone()),
        _ => Reply::json(500, json!({"error": "unexpected"})),
    })
    .await
    .unwrap();
    *upload_target.lock().unwrap() = server.url();
    server
}

/// `build run` of a fresh context folder against `server`, in JSON mode.
async fn build_run(server: &ScriptedServer, name: &str) -> Run {
    let dir = build_context(name);
    let args = [
        "--output",
        "json",
        "build",
        "run",
        dir.to_str().unwrap(),
        "--region",
        "us-west",
        "--interval",
        "0",
        "--timeout",
        "30",
    ];
    run(server, name, &args).await
}

fn build_context(name: &str) -> PathBuf {
    let dir = config_dir(name).join("context");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("Dockerfile"), "FROM python:3.12\nCOPY . .\n").unwrap();
    std::fs::write(dir.join("src").join("bot.py"), "print('hello')\n").unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn build_run_uploads_builds_and_waits_and_reports_a_cached_build() {
    let succeeded = json!({"build": {"id": UUID, "status": "success", "imageUri": "registry.pipecat/bot@sha256:1"}});
    for (status, cached) in [(201, false), (200, true)] {
        let server = build_server(status, succeeded.clone()).await;
        let result = build_run(&server, &format!("build-{status}")).await;
        assert_eq!(result.code, 0, "{}", result.stderr);
        let summary = result.json();
        assert_eq!(summary["cached"], cached);
        assert_eq!(summary["status"], "success");
        assert_eq!(summary["imageUri"], "registry.pipecat/bot@sha256:1");
        assert_eq!(result.stderr.contains("served from cache"), cached, "{}", result.stderr);
        let requests = server.requests();
        let upload = requests.iter().find(|r| r.path() == "/upload").unwrap();
        assert!(upload.header("content-type").unwrap().starts_with("multipart/form-data; boundary="));
        let sent = String::from_utf8_lossy(&upload.body);
        assert!(
            sent.contains("name=\"key\"\r\n\r\ncontexts/abc.tar.gz") && sent.contains("filename=\"context.tar.gz\"")
        );
        assert!(upload.body.windows(2).any(|w| w == [0x1f, 0x8b]), "the file is gzip");
        let create = requests.iter().find(|r| r.path() == "/v1/builds").unwrap();
        assert_eq!(body(create), json!({"uploadId": UUID, "region": "us-west", "dockerfilePath": "Dockerfile"}));
        assert!(!result.stderr.contains("secret-sig"), "the presigned URL's signature is not printed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_build_prints_the_tail_of_its_log() {
    let failed = json!({"build": {"id": UUID, "status": "failed", "errorMessage": "pip install failed"}});
    let server = build_server(201, failed).await;
    let result = build_run(&server, "build-failed").await;
    assert_eq!(result.code, 1, "{}", result.stderr);
    assert!(result.json()["error"]["message"].as_str().unwrap().contains("pip install failed"));
    assert!(result.stderr.contains("ERROR: no matching distribution"), "{}", result.stderr);
}

/// A wait flag that cannot be used is refused before anything is uploaded or written: `build run` and
/// `secret set` check `--interval` first, not after the work it would only have paced.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_interval_is_refused_before_any_request() {
    let server = build_server(201, json!({})).await;
    let dir = build_context("build-bad-interval");
    let build = ["build", "run", dir.to_str().unwrap(), "--region", "us-west", "--interval=-1"];
    let secret = ["secret", "set", "bot-secrets", "KEY=value", "--interval=-1"];
    for (name, args) in [("build-bad-interval", &build[..]), ("secret-bad-interval", &secret[..])] {
        let result = run(&server, name, args).await;
        assert_eq!(result.code, 2, "{name}: {}", result.stderr);
        assert!(result.stderr.contains("--interval takes seconds, 0 or more"), "{name}: {}", result.stderr);
    }
    assert!(server.requests().is_empty(), "nothing was sent");
}
