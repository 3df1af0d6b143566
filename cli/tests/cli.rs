//! The real `pipecat-cloud` binary against a local server: every operation reachable by its command,
//! the workflows (deploy, logs --follow, secret set, build run), exit codes, JSON output, closed pipes,
//! and keys that never show. JSON output is parsed wherever a test uses it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use pipecat_cloud_tests::scripted_server::{Recorded, Reply, ScriptedServer};
use serde_json::{Value, json};

const PRIVATE_KEY: &str = "pk_private_cli_test_4f1c9a";
const PUBLIC_KEY: &str = "pk_public_cli_test_77b2e0";
const UUID: &str = "5d0f6a2e-1b7c-4e19-9a43-2f6b8c1d7e90";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{}", self.stdout))
    }
}

/// A fresh, empty config folder, so no test reads a real credentials file or another test's.
fn config_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pipecat-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the binary with `args`, the server as host, and `env`; no key unless the args or env give one.
async fn run_with(
    server: &ScriptedServer,
    name: &str,
    args: &[&str],
    env: &[(&str, &str)],
    stdin: Option<&str>,
) -> Run {
    launch(server, name, args, env, stdin, None).await
}

/// [`run_with`], in folder `cwd`.
async fn launch(
    server: &ScriptedServer,
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
    command.args(["--host", &server.url()]).args(args);
    for variable in
        ["PIPECAT_API_KEY", "PIPECAT_DEFAULT_PUBLIC_KEY", "PIPECAT_API_HOST", "PIPECAT_PROFILE", "PIPECAT_OUTPUT"]
    {
        command.env_remove(variable);
    }
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    command.env("PIPECAT_CONFIG_DIR", config_dir(&format!("{name}-{}", RUNS.fetch_add(1, Ordering::SeqCst))));
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
async fn run(server: &ScriptedServer, name: &str, args: &[&str]) -> Run {
    let mut all = vec!["--api-key", PRIVATE_KEY, "--public-key", PUBLIC_KEY];
    all.extend_from_slice(args);
    run_with(server, name, &all, &[], None).await
}

fn body(request: &Recorded) -> Value {
    serde_json::from_slice(&request.body).unwrap_or(Value::Null)
}

fn query(request: &Recorded) -> String {
    request.target.split_once('?').map(|(_, q)| q.to_string()).unwrap_or_default()
}

/// A sample value for a body field of `kind`.
fn sample(kind: &str) -> Value {
    match kind {
        "integer" | "number" => json!(1),
        "boolean" => json!(true),
        "object" => json!({}),
        "array" => json!([]),
        _ => json!("x"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_is_reachable_by_its_command() {
    let server = ScriptedServer::start_with(|request| match request.method.as_str() {
        "HEAD" => Reply::Respond { status: 200, headers: vec![], body: String::new() },
        _ => Reply::json(200, json!({"ok": true})),
    })
    .await
    .unwrap();
    let mut reached = 0;
    for operation in pipecat_cloud::catalog::OPERATIONS.iter() {
        let row = pipecat_cloud_cli::operation_commands::for_operation(operation.id)
            .unwrap_or_else(|| panic!("{} has no command", operation.id));
        let mut args: Vec<String> = vec!["--output".into(), "json".into()];
        args.extend(row.command.iter().map(|w| w.to_string()));
        let mut path = format!("/v1{}", operation.path);
        for param in operation.path_params {
            let value = if param.format == Some("uuid") {
                UUID
            } else if param.sub_path {
                "api/offer"
            } else {
                "sample-1"
            };
            args.push(value.into());
            path = path.replace(&format!("{{{}}}", param.name), value);
        }
        if let Some(method) = row.method {
            args.extend(["-X".into(), method.into()]);
        }
        for param in operation.query_params.iter().filter(|q| q.required) {
            args.extend([format!("--{}", param.name), "1".into()]);
        }
        let mut stdin = None;
        match operation.id {
            "upsertSecretSet" => args.extend(["A=1".into(), "--no-wait".into()]),
            _ if row.method.is_none() => {
                if let Some(spec) = operation.body.as_ref() {
                    let required: serde_json::Map<String, Value> = spec
                        .fields
                        .iter()
                        .filter(|f| f.required)
                        .map(|f| (f.name.to_string(), sample(f.kind)))
                        .collect();
                    if spec.required || !required.is_empty() {
                        args.extend(["--json-body".into(), "-".into()]);
                        stdin = Some(Value::Object(required).to_string());
                    }
                }
            }
            _ => {}
        }
        server.clear();
        let mut all = vec!["--api-key", PRIVATE_KEY, "--public-key", PUBLIC_KEY];
        all.extend(args.iter().map(String::as_str));
        let result = run_with(&server, "every", &all, &[], stdin.as_deref()).await;
        assert_eq!(result.code, 0, "{} ({}): {}", operation.id, args.join(" "), result.stderr);
        let _ = result.json();
        let requests = server.requests();
        assert!(
            requests.iter().any(|r| r.method == operation.method.as_str() && r.path() == path),
            "{}: `pipecat-cloud {}` sent {:?}, not {} {path}",
            operation.id,
            args.join(" "),
            requests.iter().map(|r| format!("{} {}", r.method, r.target)).collect::<Vec<_>>(),
            operation.method
        );
        reached += 1;
    }
    assert_eq!(reached, pipecat_cloud::catalog::OPERATIONS.len());
    pipecat_cloud_tests::report(&format!("cli: {reached} operations reached through their commands"));
}

/// Set UPDATE_GOLDEN=1 to rewrite `tests/command-tree.txt` after a deliberate change; review the diff.
#[test]
fn the_command_tree_matches_its_golden_file() {
    let golden = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("command-tree.txt");
    let tree = pipecat_cloud_cli::command_tree();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &tree).unwrap();
    }
    let expected = std::fs::read_to_string(&golden).unwrap_or_default();
    assert!(
        tree == expected,
        "the command tree changed; rerun with UPDATE_GOLDEN=1 and review tests/command-tree.txt:\n{tree}"
    );
}

/// An agent as getService answers: deployment `deployment`, reconciled to `reconciled`, `ready`.
fn agent(reconciled: Option<&str>, ready: bool) -> Value {
    json!({"name": "bot", "region": "us-west", "ready": ready, "desiredDeploymentId": "d-2",
        "reconciledDeploymentId": reconciled, "activeDeploymentReady": ready})
}

/// A server for deploys of agent `bot`: the agent exists or not, and the polls answer `polls` in order
/// (the last one repeats).
async fn deploy_server(exists: bool, polls: Vec<Reply>) -> (ScriptedServer, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    let server = ScriptedServer::start_with(move |request| match (request.method.as_str(), request.path()) {
        ("GET", "/v1/agents/bot") => {
            let n = seen.fetch_add(1, Ordering::SeqCst);
            if n == 0 {
                return if exists {
                    Reply::json(200, agent(Some("d-1"), true))
                } else {
                    Reply::json(404, json!({"error": "Service not found", "code": "NOT_FOUND"}))
                };
            }
            polls[(n - 1).min(polls.len() - 1)].clone()
        }
        ("POST", "/v1/agents") | ("POST", "/v1/agents/bot") => Reply::json(200, agent(Some("d-1"), false)),
        ("GET", "/v1/secrets/bot-secrets") => Reply::json(200, json!({"name": "bot-secrets", "status": "ready"})),
        _ => Reply::json(500, json!({"error": "unexpected"})),
    })
    .await
    .unwrap();
    (server, count)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_creates_then_waits_through_pending_to_ready() {
    let polls = vec![
        Reply::json(200, agent(None, false)),
        Reply::json(200, agent(Some("d-1"), false)),
        Reply::json(200, agent(Some("d-2"), true)),
    ];
    let (server, polled) = deploy_server(false, polls).await;
    let result = run(
        &server,
        "deploy-ready",
        &[
            "--output",
            "json",
            "deploy",
            "bot",
            "registry.example.com/bot:1",
            "--secret-set",
            "bot-secrets",
            "--min-agents",
            "1",
            "--interval",
            "0",
            "--timeout",
            "30",
        ],
    )
    .await;
    assert_eq!(result.code, 0, "{}", result.stderr);
    let shown = result.json();
    assert_eq!(shown["reconciledDeploymentId"], "d-2");
    assert_eq!(shown["ready"], true);
    let requests = server.requests();
    let create = requests.iter().find(|r| r.method == "POST").unwrap();
    assert_eq!(create.path(), "/v1/agents");
    assert_eq!(body(create)["serviceName"], "bot");
    assert_eq!(body(create)["image"], "registry.example.com/bot:1");
    assert_eq!(body(create)["autoScaling"], json!({"minAgents": 1}));
    assert_eq!(polled.load(Ordering::SeqCst), 4, "one look-up, three polls");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_updates_an_existing_agent_and_survives_a_502_while_polling() {
    // More 502s than one call retries, then a 500 (which a call does not retry): the wait rides them out.
    let bad_gateway = Reply::json(502, json!({"error": "bad gateway"}));
    let polls = vec![
        bad_gateway.clone(),
        bad_gateway.clone(),
        bad_gateway.clone(),
        bad_gateway,
        Reply::json(500, json!({"error": "oops"})),
        Reply::json(200, agent(Some("d-2"), true)),
    ];
    let (server, _) = deploy_server(true, polls).await;
    let result = run(
        &server,
        "deploy-502",
        &["--output", "json", "deploy", "bot", "registry.example.com/bot:2", "--interval", "0", "--timeout", "30"],
    )
    .await;
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(result.json()["ready"], true);
    let update = server.requests().into_iter().find(|r| r.method == "POST").unwrap();
    assert_eq!(update.path(), "/v1/agents/bot", "an existing agent is updated, not created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_fails_fast_on_a_failed_revision() {
    let failed = json!({"name": "bot", "ready": false, "desiredDeploymentId": "d-2", "reconciledDeploymentId": "d-1",
        "currentRevision": {"deploymentID": "d-2", "phase": "failed", "health": {"message": "crash loop: exit 1"}}});
    let (server, polled) = deploy_server(false, vec![Reply::json(200, failed)]).await;
    let result = run(
        &server,
        "deploy-fail",
        &["--output", "json", "deploy", "bot", "registry.example.com/bot:3", "--interval", "0", "--timeout", "30"],
    )
    .await;
    assert_eq!(result.code, 1, "{}", result.stderr);
    let error = result.json();
    assert!(error["error"]["message"].as_str().unwrap().contains("crash loop: exit 1"), "{error}");
    assert!(result.stderr.contains("pipecat-cloud agent logs bot"), "{}", result.stderr);
    assert_eq!(polled.load(Ordering::SeqCst), 2, "one look-up and one poll: no waiting on a failure");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_that_times_out_exits_3() {
    let (server, _) = deploy_server(false, vec![Reply::json(200, agent(Some("d-1"), false))]).await;
    let result = run(
        &server,
        "deploy-timeout",
        &["--output", "json", "deploy", "bot", "registry.example.com/bot:4", "--timeout", "1", "--interval", "0.1"],
    )
    .await;
    assert_eq!(result.code, 3, "{}", result.stderr);
    assert_eq!(result.json()["error"]["code"], "WAIT_TIMED_OUT");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_reads_pcc_deploy_toml() {
    let (server, _) = deploy_server(false, vec![Reply::json(200, agent(Some("d-2"), true))]).await;
    let dir = config_dir("deploy-toml-project");
    let file = dir.join("pcc-deploy.toml");
    std::fs::write(&file, "agent_name = \"bot\"\nimage = \"registry.example.com/bot:5\"\nregion = \"eu-central\"\n[scaling]\nmin_agents = 2\nmax_agents = 5\n").unwrap();
    let result = run(
        &server,
        "deploy-toml",
        &["--output", "json", "deploy", "--config-file", file.to_str().unwrap(), "--interval", "0", "--timeout", "30"],
    )
    .await;
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(result.json()["ready"], true);
    let create = server.requests().into_iter().find(|r| r.method == "POST").unwrap();
    assert_eq!(body(&create)["region"], "eu-central");
    assert_eq!(body(&create)["autoScaling"], json!({"minAgents": 2, "maxAgents": 5}));
    // Without --config-file, ./pcc-deploy.toml is read; a flag beats the file.
    let (server, _) = deploy_server(false, vec![Reply::json(200, agent(Some("d-2"), true))]).await;
    let args = [
        "--api-key",
        PRIVATE_KEY,
        "--output",
        "json",
        "deploy",
        "--region",
        "us-east",
        "--interval",
        "0",
        "--timeout",
        "30",
    ];
    let result = launch(&server, "deploy-cwd", &args, &[], None, Some(&dir)).await;
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(result.json()["ready"], true);
    let create = server.requests().into_iter().find(|r| r.method == "POST").unwrap();
    assert_eq!(body(&create)["image"], "registry.example.com/bot:5");
    assert_eq!(body(&create)["region"], "us-east");
}

/// Log lines at `seconds` past a fixed minute.
fn line(seconds: u32, text: &str) -> Value {
    json!({"log": text, "timestamp": format!("2025-04-18T20:34:{seconds:02}.000000000Z")})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_follow_prints_three_polls_without_duplicates() {
    let polls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&polls);
    let server = ScriptedServer::start_with(move |request| {
        let pages = [
            vec![line(1, "a"), line(2, "b")],
            vec![line(2, "b"), line(3, "c")],
            vec![line(3, "c"), line(3, "d"), line(4, "e"), line(4, "e")],
        ];
        let n = seen.fetch_add(1, Ordering::SeqCst);
        assert!(request.path() == "/v1/agents/bot/logs");
        Reply::json(200, json!({"logs": pages[n.min(2)], "total": {"value": 2, "relation": "eq"}}))
    })
    .await
    .unwrap();
    let result = run(
        &server,
        "logs",
        &[
            "--output",
            "json",
            "agent",
            "logs",
            "bot",
            "--follow",
            "--max-polls",
            "3",
            "--poll-interval",
            "0",
            "--query",
            "ERROR",
        ],
    )
    .await;
    assert_eq!(result.code, 0, "{}", result.stderr);
    let lines: Vec<Value> = result.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let texts: Vec<&str> = lines.iter().map(|l| l["log"].as_str().unwrap()).collect();
    assert_eq!(
        texts,
        ["a", "b", "c", "d", "e", "e"],
        "each line once, in order; a line logged twice at one instant, twice"
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert!(
        query(&requests[0]).contains("order=desc") && query(&requests[0]).contains("limit=10"),
        "the first poll reads the newest lines: {}",
        requests[0].target
    );
    for request in &requests[1..] {
        assert!(query(request).contains("order=asc"), "{}", request.target);
    }
    assert!(requests.iter().all(|r| query(r).contains("query=ERROR")), "the filter is on every poll");
    assert!(
        query(&requests[1]).contains("startTime=1745008442"),
        "the second poll starts at the newest second seen: {}",
        requests[1].target
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_set_sends_a_dotenv_file_in_one_call_then_waits() {
    let server = ScriptedServer::start_with(|request| match request.method.as_str() {
        "PUT" => Reply::json(200, json!({"message": "ok"})),
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
    let server = ScriptedServer::start_with(|request| match request.method.as_str() {
        "PUT" => Reply::json(200, json!({"message": "ok"})),
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_from_flag_env_or_file_never_appear_in_any_output() {
    let server = ScriptedServer::start_with(|request| match request.path() {
        "/v1/regions" => Reply::json(200, json!({"regions": [{"code": "us-west", "display_name": "US West"}]})),
        _ => Reply::json(401, json!({"error": "Unauthorized", "code": "UNAUTHORIZED"})),
    })
    .await
    .unwrap();
    let mut outputs = Vec::new();
    // By flag, with --verbose, a success and a refusal.
    outputs.push(run(&server, "keys-flag", &["--verbose", "region", "list"]).await);
    let refused = run(&server, "keys-flag", &["--verbose", "--output", "json", "agent", "get", "bot"]).await;
    assert_eq!((refused.code, refused.json()["error"]["status"].clone()), (1, json!(401)));
    outputs.push(refused);
    // By environment.
    outputs.push(
        run_with(
            &server,
            "keys-env",
            &["--verbose", "auth", "status"],
            &[("PIPECAT_API_KEY", PRIVATE_KEY), ("PIPECAT_DEFAULT_PUBLIC_KEY", PUBLIC_KEY)],
            None,
        )
        .await,
    );
    // By the credentials file, written by `auth login` from stdin.
    let login = run_with(
        &server,
        "keys-file",
        &["--output", "json", "auth", "login"],
        &[],
        Some(&format!("{PRIVATE_KEY}\n{PUBLIC_KEY}\n")),
    )
    .await;
    assert_eq!(login.code, 0, "{}", login.stderr);
    let file = PathBuf::from(login.json()["file"].as_str().unwrap());
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(PRIVATE_KEY), "the file holds the key");
    #[cfg(unix)]
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&file).unwrap().permissions()) & 0o777,
        0o600
    );
    outputs.push(login);
    let dir = file.parent().unwrap().to_str().unwrap().to_string();
    let status = run_with(
        &server,
        "keys-file",
        &["--verbose", "--output", "json", "auth", "status"],
        &[("PIPECAT_CONFIG_DIR", &dir)],
        None,
    )
    .await;
    assert_eq!(status.code, 0, "{}", status.stderr);
    let report = status.json();
    assert!(report["privateKey"].as_str().unwrap().contains("profile `default`"), "{report}");
    assert_eq!(report["privateKeyCheck"], "accepted (listRegions)");
    outputs.push(status);
    outputs.push(
        run_with(&server, "keys-file", &["--verbose", "agent", "get", "bot"], &[("PIPECAT_CONFIG_DIR", &dir)], None)
            .await,
    );
    for output in &outputs {
        for key in [PRIVATE_KEY, PUBLIC_KEY] {
            assert!(
                !output.stdout.contains(key) && !output.stderr.contains(key),
                "a key was printed:\n{}\n{}",
                output.stdout,
                output.stderr
            );
        }
    }
    assert!(outputs[0].stderr.contains("pipecat_cloud.call"), "--verbose logs the calls: {}", outputs[0].stderr);
    // Flags beat the environment, which beats the file.
    let sent = server.requests();
    assert!(sent.iter().all(|r| r.header("authorization") == Some(&format!("Bearer {PRIVATE_KEY}"))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flags_beat_the_environment_which_beats_the_credentials_file() {
    let server = ScriptedServer::start_with(|_| Reply::json(200, json!({"regions": []}))).await.unwrap();
    let login = run_with(
        &server,
        "precedence",
        &["--output", "json", "auth", "login", "--no-public-key"],
        &[],
        Some("file-key-0001\n"),
    )
    .await;
    let file = PathBuf::from(login.json()["file"].as_str().unwrap());
    let dir = file.parent().unwrap().to_str().unwrap().to_string();
    let env = [("PIPECAT_CONFIG_DIR", dir.as_str()), ("PIPECAT_API_KEY", "env-key-0002")];
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case<'_>; 3] = [
        (&["--api-key", "flag-key-0003", "region", "list"], &env, "flag-key-0003"),
        (&["region", "list"], &env, "env-key-0002"),
        (&["region", "list"], &env[..1], "file-key-0001"),
    ];
    for (args, env, expected) in cases {
        server.clear();
        let result = run_with(&server, "precedence", args, env, None).await;
        assert_eq!(result.code, 0, "{}", result.stderr);
        assert_eq!(server.requests()[0].header("authorization"), Some(format!("Bearer {expected}").as_str()));
    }
    let missing = run_with(&server, "precedence", &["--profile", "staging", "region", "list"], &env[..1], None).await;
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("no profile `staging`"), "{}", missing.stderr);
    let created = run_with(
        &server,
        "precedence",
        &["--profile", "staging", "auth", "login", "--no-public-key"],
        &env[..1],
        Some("staging-key-0004\n"),
    )
    .await;
    assert_eq!(created.code, 0, "auth login creates a new profile: {}", created.stderr);
    server.clear();
    let staging = run_with(&server, "precedence", &["--profile", "staging", "region", "list"], &env[..1], None).await;
    assert_eq!(staging.code, 0, "{}", staging.stderr);
    assert_eq!(server.requests()[0].header("authorization"), Some("Bearer staging-key-0004"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_start_prints_the_session_and_room_and_proxy_prints_the_bots_answer() {
    let server = ScriptedServer::start_with(|request| match (request.method.as_str(), request.path()) {
        ("POST", "/v1/public/bot/start") => Reply::json(200, json!({"sessionId": UUID, "dailyRoom": "https://example.daily.co/room-1", "dailyToken": "room-token-secret"})),
        (_, path) if path.starts_with("/v1/public/bot/sessions/") => Reply::text(200, "text/plain", "answer from the bot\n"),
        _ => Reply::json(500, json!({"error": "unexpected"})),
    })
    .await
    .unwrap();
    let started = run(
        &server,
        "session-start",
        &["--output", "plain", "session", "start", "bot", "--daily-room", "--data", "{\"lang\": \"en\"}"],
    )
    .await;
    assert_eq!(started.code, 0, "{}", started.stderr);
    assert!(
        started.stdout.contains(&format!("sessionId\t{UUID}"))
            && started.stdout.contains("dailyRoom\thttps://example.daily.co/room-1"),
        "{}",
        started.stdout
    );
    assert!(!started.stdout.contains("room-token-secret"), "the join token is shown only in JSON mode");
    let start = server.requests().into_iter().next().unwrap();
    assert_eq!(
        start.header("authorization"),
        Some(format!("Bearer {PUBLIC_KEY}").as_str()),
        "the public key starts sessions"
    );
    assert_eq!(body(&start), json!({"createDailyRoom": true, "body": {"lang": "en"}}));
    server.clear();
    let answer = run(
        &server,
        "session-proxy",
        &["session", "proxy", "bot", UUID, "api/offer", "-X", "POST", "--data", "{\"sdp\": \"x\"}", "--query", "a=1"],
    )
    .await;
    assert_eq!(answer.code, 0, "{}", answer.stderr);
    assert_eq!(answer.stdout, "answer from the bot\n");
    let sent = &server.requests()[0];
    assert_eq!(
        (sent.method.as_str(), sent.path(), query(sent).as_str()),
        ("POST", format!("/v1/public/bot/sessions/{UUID}/api/offer").as_str(), "a=1")
    );
    assert_eq!(String::from_utf8_lossy(&sent.body), "{\"sdp\": \"x\"}");
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
