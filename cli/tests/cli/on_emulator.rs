//! The CLI's workflows end to end on the emulator: no scripted answers. Each test reads the emulator's
//! journal for what was sent and asserts that every answer it gave matched the spec.

use std::time::Duration;

use pipecat_cloud::types::{AutoScaling, CreateServiceRequest, CreateServiceRequestServiceName, StartRequest};
use pipecat_cloud_emulator::{Emulator, Fault, ImageRule, Progression};

use super::*;

/// An emulator whose resources take one step per poll.
async fn emulator() -> Emulator {
    Emulator::builder().progression(Progression::AfterPolls { polls: 1 }).start().await.unwrap()
}

/// Runs the binary against `emulator` with its keys.
async fn on(emulator: &Emulator, name: &str, args: &[&str]) -> Run {
    let mut all = vec!["--api-key", emulator.private_key(), "--public-key", emulator.public_key()];
    all.extend_from_slice(args);
    launch(&emulator.host(), name, &all, &[], None, None).await
}

/// The statuses the emulator answered `operation_id` with, in order.
fn statuses(emulator: &Emulator, operation_id: &str) -> Vec<u16> {
    emulator
        .journal()
        .iter()
        .filter(|e| e.operation_id.as_deref() == Some(operation_id))
        .filter_map(|e| e.status)
        .collect()
}

fn matched_the_spec(emulator: &Emulator) {
    assert!(emulator.response_problems().is_empty(), "{:#?}", emulator.response_problems());
}

async fn agent_with_max(emulator: &Emulator, name: &str, max_agents: i64) {
    let name: CreateServiceRequestServiceName = name.parse().unwrap();
    let request =
        CreateServiceRequest::new(name).image("acme/bot:1").auto_scaling(AutoScaling::new().max_agents(max_agents));
    let created = emulator.client().create_service(request).await.unwrap();
    let options = pipecat_cloud::wait::WaitOptions::default().interval(Duration::from_millis(5));
    emulator.client().wait_until_agent_ready("bot", created.desired_deployment_id.as_deref(), &options).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_goes_from_pending_to_ready() {
    let emulator = emulator().await;
    let result =
        on(&emulator, "emu-deploy", &["deploy", "bot", "acme/bot:1", "--interval", "0.01", "-o", "json"]).await;
    assert_eq!(result.code, 0, "{}", result.stderr);
    let agent = result.json();
    assert_eq!(agent["ready"], true);
    assert_eq!(agent["reconciledDeploymentId"], agent["desiredDeploymentId"]);
    let readiness: Vec<bool> = emulator
        .journal()
        .iter()
        .filter(|e| e.operation_id.as_deref() == Some("getService") && e.status == Some(200))
        .filter_map(|e| e.response_body.as_ref()?.get("ready")?.as_bool())
        .collect();
    assert_eq!(readiness.first(), Some(&false), "the wait saw the rollout: {readiness:?}");
    assert_eq!(readiness.last(), Some(&true));
    matched_the_spec(&emulator);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_image_exits_1_with_its_health_message() {
    let emulator = Emulator::builder()
        .progression(Progression::AfterPolls { polls: 1 })
        .fail_image(ImageRule::new("bot:broken", "PCC_IMAGE_PULL_UNAUTHORIZED").unwrap())
        .start()
        .await
        .unwrap();
    let result = on(&emulator, "emu-fail", &["deploy", "bot", "acme/bot:broken", "--interval", "0.01"]).await;
    assert_eq!(result.code, 1, "{}", result.stderr);
    assert!(result.stderr.contains("PCC_IMAGE_PULL_UNAUTHORIZED"), "{}", result.stderr);
    matched_the_spec(&emulator);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deploy_against_a_pending_secret_set_waits_for_the_set() {
    let emulator = Emulator::builder().progression(Progression::AfterPolls { polls: 3 }).start().await.unwrap();
    let set = on(&emulator, "emu-set", &["secret", "set", "bot-secrets", "A=1", "--no-wait"]).await;
    assert_eq!(set.code, 0, "{}", set.stderr);
    let result = on(
        &emulator,
        "emu-pending",
        &["deploy", "bot", "acme/bot:1", "--secret-set", "bot-secrets", "--interval", "0.01"],
    )
    .await;
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert!(statuses(&emulator, "getSecretSet").len() >= 2, "the set was polled until ready");
    assert_eq!(statuses(&emulator, "createService"), [200], "no 409: the deploy waited for the set");
    matched_the_spec(&emulator);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_pull_secret_is_waited_for_through_the_list() {
    let emulator = Emulator::builder().progression(Progression::AfterPolls { polls: 2 }).start().await.unwrap();
    let result = on(
        &emulator,
        "emu-pull",
        &["secret", "image-pull-secret", "registry", "https://ghcr.io/", "bot:hunter2", "--interval", "0.01"],
    )
    .await;
    assert_eq!(result.code, 0, "{}", result.stderr);
    // The API refuses to read an image pull secret by name: the wait must not ask.
    assert!(statuses(&emulator, "getSecretSet").is_empty(), "{:?}", statuses(&emulator, "getSecretSet"));
    let listed: Vec<String> = emulator
        .journal()
        .iter()
        .filter(|e| e.operation_id.as_deref() == Some("listSecretSets"))
        .filter_map(|e| e.response_body.as_ref()?.pointer("/sets/0/status")?.as_str().map(str::to_string))
        .collect();
    assert_eq!(listed.first().map(String::as_str), Some("pending"), "{listed:?}");
    assert_eq!(listed.last().map(String::as_str), Some("ready"), "{listed:?}");
    matched_the_spec(&emulator);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn build_run_without_a_region_uses_the_organizations_default() {
    let emulator = emulator().await;
    let dir = config_dir("emu-build-default-region");
    std::fs::write(dir.join("Dockerfile"), "FROM scratch\n").unwrap();
    let context = dir.to_string_lossy().to_string();
    let result =
        on(&emulator, "emu-build-region", &["build", "run", &context, "--interval", "0.01", "-o", "json"]).await;
    assert_eq!(result.code, 0, "{}", result.stderr);
    let regions: Vec<Value> = emulator
        .journal()
        .iter()
        .filter(|e| e.operation_id.as_deref() == Some("getBuildUploadUrl"))
        .filter_map(|e| e.request_body.as_ref()?.get("region").cloned())
        .collect();
    assert_eq!(regions, [Value::from("us-west")], "the region getProperties answered");
    matched_the_spec(&emulator);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn build_run_twice_is_new_then_cached() {
    let emulator = emulator().await;
    let dir = config_dir("emu-build-context");
    std::fs::write(dir.join("Dockerfile"), "FROM scratch\n").unwrap();
    std::fs::write(dir.join("bot.py"), "print('hi')\n").unwrap();
    let context = dir.to_string_lossy().to_string();
    for (round, note) in [(1, "started"), (2, "served from cache")] {
        let result = on(
            &emulator,
            "emu-build",
            &["build", "run", &context, "--region", "us-west", "--interval", "0.01", "-o", "json"],
        )
        .await;
        assert_eq!(result.code, 0, "round {round}: {}", result.stderr);
        assert!(result.stderr.contains(note), "round {round}: {}", result.stderr);
        assert_eq!(result.json()["status"], "success");
    }
    assert_eq!(statuses(&emulator, "createBuild"), [201, 200]);
    matched_the_spec(&emulator);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_follow_shows_a_new_sessions_lines_once_each() {
    let emulator = Emulator::builder().progression(Progression::Immediate).start().await.unwrap();
    agent_with_max(&emulator, "bot", 5).await;
    let client = emulator.client();
    let starter = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(400)).await;
        client.start_service("bot", StartRequest::new()).await.unwrap().session_id.unwrap()
    });
    let result = on(
        &emulator,
        "emu-follow",
        &["agent", "logs", "bot", "--follow", "--poll-interval", "0.1", "--max-polls", "12"],
    )
    .await;
    let session = starter.await.unwrap().to_string();
    assert_eq!(result.code, 0, "{}", result.stderr);
    let lines: Vec<&str> = result.stdout.lines().filter(|l| l.contains(&session)).collect();
    assert_eq!(lines.len(), 2, "the session's two lines, once each:\n{}", result.stdout);
    assert_ne!(lines[0], lines[1]);
    let all: Vec<&str> = result.stdout.lines().collect();
    let unique: std::collections::BTreeSet<&&str> = all.iter().collect();
    assert_eq!(unique.len(), all.len(), "a line printed twice:\n{}", result.stdout);
    matched_the_spec(&emulator);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_start_past_max_agents_exits_5() {
    let emulator = Emulator::builder().progression(Progression::Immediate).start().await.unwrap();
    agent_with_max(&emulator, "bot", 1).await;
    let first = on(&emulator, "emu-start-1", &["session", "start", "bot"]).await;
    assert_eq!(first.code, 0, "{}", first.stderr);
    let second = on(&emulator, "emu-start-2", &["session", "start", "bot"]).await;
    assert_eq!(second.code, 5, "{}", second.stderr);
    // The resource and the next step; the API's terms only with -v.
    assert!(
        second.stderr.contains("agent 'bot' is at capacity") && second.stderr.contains("--max-agents"),
        "{}",
        second.stderr
    );
    assert!(!second.stderr.contains("startService"), "{}", second.stderr);
    matched_the_spec(&emulator);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wait_past_its_timeout_exits_3() {
    let emulator =
        Emulator::builder().progression(Progression::after(Duration::from_secs(3600))).start().await.unwrap();
    let result =
        on(&emulator, "emu-timeout", &["secret", "set", "slow-set", "A=1", "--timeout", "1", "--interval", "0.1"])
            .await;
    assert_eq!(result.code, 3, "{}", result.stderr);
    matched_the_spec(&emulator);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundreds_during_a_wait_are_ridden_out() {
    let emulator = emulator().await;
    // The first getService asks whether the agent exists; the faults hit the wait's polls after it.
    emulator.fault(Fault::status(503).on("getService").after(2).times(3));
    let result = on(&emulator, "emu-5xx", &["deploy", "bot", "acme/bot:1", "--interval", "0.01"]).await;
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(statuses(&emulator, "getService").iter().filter(|s| **s == 503).count(), 3);
    matched_the_spec(&emulator);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_serve_prints_its_exports_and_a_killed_state_file_is_never_torn() {
    let dir = config_dir("emu-serve");
    let state = dir.join("state.json");
    for round in 0..3 {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pipecat-cloud"))
            .args(["emulator", "serve", "--port", "0", "--progression", "immediate", "-o", "json"])
            .args(["--state", &state.to_string_lossy()])
            .env("PIPECAT_CONFIG_DIR", &dir)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut first = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut first).unwrap();
        let exports: Value = serde_json::from_str(&first).unwrap();
        let client = pipecat_cloud::Client::builder()
            .host(exports["host"].as_str().unwrap())
            .private_key(exports["privateKey"].as_str().unwrap())
            .build()
            .unwrap();
        if round > 0 {
            let kept = client.list_secret_sets().await.unwrap().sets.len();
            assert!(kept >= 1, "round {round}: the state of the killed run was lost");
        }
        // Writes keep the state file busy; the kill lands at a different moment each round.
        let writer = tokio::spawn(async move {
            for i in 0.. {
                let name = format!("set-{round}-{i}");
                let body = pipecat_cloud::types::RegularSecretsRequest::new(vec![
                    pipecat_cloud::types::RegularSecretsRequestSecretsItem::new("A", "x".repeat(2000)),
                ]);
                if client.upsert_secret_set(&name, body).await.is_err() {
                    break;
                }
            }
        });
        tokio::time::sleep(Duration::from_millis(300 + 170 * round)).await;
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        writer.await.unwrap();
        let text = std::fs::read(&state).unwrap();
        let parsed = pipecat_cloud_emulator::Snapshot::from_json(&text);
        assert!(parsed.is_ok(), "round {round}: the state file is torn: {:?}", parsed.err());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_list_all_pages_into_one_array_or_ndjson() {
    let emulator = Emulator::builder().progression(Progression::Immediate).start().await.unwrap();
    agent_with_max(&emulator, "bot", 10).await;
    for _ in 0..7 {
        emulator.client().start_service("bot", StartRequest::new()).await.unwrap();
    }
    let all =
        on(&emulator, "emu-all", &["agent", "session", "list", "bot", "--all", "--limit", "3", "-o", "json"]).await;
    assert_eq!(all.code, 0, "{}", all.stderr);
    let sessions = all.json();
    let ids: std::collections::BTreeSet<&str> =
        sessions.as_array().unwrap().iter().filter_map(|s| s["sessionId"].as_str()).collect();
    assert_eq!(ids.len(), 7, "{}", all.stdout);
    let pages = emulator
        .journal()
        .into_iter()
        .filter(|e| e.operation_id.as_deref() == Some("getSessions"))
        .map(|e| e.query.iter().find(|(n, _)| n == "limit").map(|(_, v)| v.clone()))
        .collect::<Vec<_>>();
    assert!(pages.len() >= 3 && pages.iter().all(|l| l.as_deref() == Some("3")), "{pages:?}");

    let stream =
        on(&emulator, "emu-stream", &["agent", "session", "list", "bot", "--max-items", "5", "--stream", "-o", "json"])
            .await;
    assert_eq!(stream.code, 0, "{}", stream.stderr);
    let lines: Vec<Value> = stream.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 5);
    let empty = on(&emulator, "emu-empty", &["build", "list", "--all", "-o", "json"]).await;
    assert_eq!((empty.code, empty.json()), (0, serde_json::json!([])));
    matched_the_spec(&emulator);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_clis_rich_output_is_the_table_and_an_unknown_one_names_the_choices() {
    let emulator = emulator().await;
    let args = ["--api-key", emulator.private_key(), "region", "list"];
    let rich = launch(&emulator.host(), "emu-rich", &args, &[("PIPECAT_OUTPUT", "rich")], None, None).await;
    assert_eq!(rich.code, 0, "{}", rich.stderr);
    assert!(rich.stdout.contains("us-west"), "{}", rich.stdout);
    let yaml = launch(&emulator.host(), "emu-yaml", &args, &[("PIPECAT_OUTPUT", "yaml")], None, None).await;
    assert_eq!(yaml.code, 2, "{}", yaml.stderr);
    for choice in ["table", "plain", "json", "rich"] {
        assert!(yaml.stderr.contains(choice), "the error should name `{choice}`: {}", yaml.stderr);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paged_list_that_fails_at_once_prints_one_json_document() {
    let emulator = Emulator::builder().progression(Progression::Immediate).start().await.unwrap();
    agent_with_max(&emulator, "bot", 5).await;
    emulator.fault(Fault::status(404).on("getSessions"));
    let failed = on(&emulator, "emu-all-fails", &["agent", "session", "list", "bot", "--all", "-o", "json"]).await;
    assert_eq!(failed.code, 1, "{}", failed.stderr);
    assert_eq!(failed.json()["error"]["status"], 404, "stdout is the error document alone: {}", failed.stdout);
}
