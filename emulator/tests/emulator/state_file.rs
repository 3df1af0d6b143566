//! `--state FILE`: kept across restarts, written atomically.

use super::*;

fn scratch(name: &str) -> std::path::PathBuf {
    let folder = std::env::temp_dir().join(format!("pcc-emulator-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).expect("scratch folder");
    folder.join("state.json")
}

#[tokio::test]
async fn the_state_survives_a_restart() {
    let path = scratch("restart");
    let emulator =
        Emulator::builder().progression(Progression::Immediate).state_file(&path).start().await.expect("start");
    let keys = (emulator.private_key().to_string(), emulator.public_key().to_string());
    emulator.client().upsert_secret_set("kept", secrets(&[("A", "1")])).await.expect("upsert");
    emulator.shutdown().await;
    let again = Emulator::builder()
        .private_key(&keys.0)
        .public_key(&keys.1)
        .progression(Progression::Immediate)
        .state_file(&path)
        .start()
        .await
        .expect("restart");
    let set = again.client().get_secret_set("kept").await.expect("still there");
    assert_eq!(set.secrets.len(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("file").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the state file holds secret values");
    }
}

#[tokio::test]
async fn a_malformed_state_file_is_refused_with_its_name() {
    let path = scratch("malformed");
    std::fs::write(&path, "{ not a state").expect("write");
    let refused = Emulator::builder().state_file(&path).start().await.expect_err("refused");
    assert!(refused.to_string().contains(&path.display().to_string()), "{refused}");
}

#[tokio::test]
async fn binding_beyond_loopback_needs_an_explicit_yes() {
    let address: std::net::SocketAddr = "0.0.0.0:0".parse().expect("address");
    let refused = Emulator::builder().address(address).start().await.expect_err("refused");
    assert!(refused.to_string().contains("--allow-remote"), "{refused}");
    // A key the SDK would refuse is refused at start, so `client()` can always be made.
    let bad_key = Emulator::builder().private_key("sk_\u{1}bad").start().await.expect_err("refused");
    assert!(bad_key.to_string().contains("private key"), "{bad_key}");
}

/// Starts an emulator on a copy of the fixture `name` (in `tests/fixtures/`).
async fn on_fixture(name: &str) -> Result<Emulator, pipecat_cloud_emulator::EmulatorError> {
    let path = scratch(name);
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    std::fs::copy(&fixture, &path).expect("fixture");
    Emulator::builder().progression(Progression::Immediate).state_file(&path).start().await
}

/// `state-before-format-versions.json` was written by `pipecat-cloud emulator serve --state` at commit
/// 3b0e91c, before state files carried a format version: a secret set, a deployed agent, two sessions
/// (one stopped).
#[tokio::test]
async fn a_state_file_written_before_format_versions_loads() {
    let emulator = on_fixture("state-before-format-versions.json").await.expect("loads");
    let client = emulator.client();
    let set = client.get_secret_set("bot-secrets").await.expect("the set");
    assert_eq!(set.secrets.iter().filter_map(|s| s.field_name.as_deref()).collect::<Vec<_>>(), ["OPENAI_API_KEY"]);
    let agent = client.get_service("bot").await.expect("the agent");
    assert_eq!(agent.ready, Some(true));
    assert_eq!(agent.reconciled_deployment_id, agent.desired_deployment_id);
    let sessions = client.get_sessions("bot").await.expect("its sessions");
    assert_eq!(sessions.total_count, Some(2));
    assert_eq!(emulator.snapshot().format_version, pipecat_cloud_emulator::snapshot::FORMAT_VERSION);
}

/// `state-format-1.json` was written by this emulator in format 1 (a set, an agent, a session, a
/// build): it keeps loading whatever the emulator's internals become.
#[tokio::test]
async fn a_state_file_of_format_1_loads() {
    let emulator = on_fixture("state-format-1.json").await.expect("loads");
    let client = emulator.client();
    assert_eq!(client.get_service("bot").await.expect("the agent").ready, Some(true));
    assert_eq!(client.get_sessions("bot").await.expect("its sessions").total_count, Some(1));
    let builds = client.list_builds().await.expect("the builds");
    assert_eq!(builds.builds.len(), 1);
    assert_eq!(builds.builds[0].status.as_ref().map(ToString::to_string).as_deref(), Some("success"));
}

/// Format 1 kept only when each idle instance became idle; format 2 reads them as instances of the
/// serving deployment, kept five minutes from then: a start within those minutes is warm.
#[tokio::test]
async fn the_idle_instances_of_a_format_1_file_are_read_as_instances_of_the_serving_deployment() {
    let path = scratch("format-1-idle");
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/state-format-1.json");
    let mut state: serde_json::Value = serde_json::from_slice(&std::fs::read(fixture).expect("fixture")).expect("JSON");
    let idle_since = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now()) - chrono::Duration::minutes(1);
    state["agents"]["bot"]["idleInstances"] = serde_json::json!([idle_since]);
    state["agents"]["bot"]["sessions"] = serde_json::json!([]);
    std::fs::write(&path, serde_json::to_vec(&state).expect("JSON")).expect("write");
    let emulator =
        Emulator::builder().progression(Progression::Immediate).state_file(&path).start().await.expect("loads");
    let instances = &emulator.snapshot().agents["bot"].idle_instances;
    assert_eq!(instances.len(), 1, "{instances:?}");
    assert_eq!((instances[0].expires_at - instances[0].ready_at).num_seconds(), 300);
    let client = emulator.client();
    let id = client
        .start_service("bot", pipecat_cloud::types::StartRequest::new())
        .await
        .expect("start")
        .session_id
        .expect("an id");
    let session = client.get_session("bot", id.parse().expect("uuid")).await.expect("get");
    assert_eq!(session.cold_start, Some(false), "the upgraded idle instance took it");
}

/// `state-format-2.json` was written by this emulator in format 2: a deployed agent with an idle
/// instance, and a session of a deleted agent that still runs.
#[tokio::test]
async fn a_state_file_of_format_2_loads() {
    let emulator = on_fixture("state-format-2.json").await.expect("loads");
    let snapshot = emulator.snapshot();
    assert_eq!(snapshot.orphans.len(), 1, "{:?}", snapshot.orphans);
    let orphan = &snapshot.orphans[0];
    let client = emulator.client();
    let session = client.get_session(&orphan.agent_name, orphan.session.id).await.expect("found by the agent's name");
    assert_eq!(session.session_id.as_deref(), Some(orphan.session.id.to_string().as_str()));
    assert!(client.get_service(&orphan.agent_name).await.is_err(), "its agent is deleted");
    assert!(!snapshot.agents["bot"].idle_instances.is_empty());
}

#[tokio::test]
async fn a_state_file_of_a_newer_format_is_refused_naming_both_versions() {
    let path = scratch("newer");
    let mut newer: serde_json::Value = serde_json::from_slice(
        &std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/state-format-1.json"))
            .expect("fixture"),
    )
    .expect("JSON");
    let current = pipecat_cloud_emulator::snapshot::FORMAT_VERSION;
    newer["formatVersion"] = serde_json::json!(current + 1);
    std::fs::write(&path, serde_json::to_vec(&newer).expect("JSON")).expect("write");
    let refused = Emulator::builder().state_file(&path).start().await.expect_err("refused");
    let message = refused.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    let (found, reads) = (format!("state format {}", current + 1), format!("reads format {current}"));
    assert!(message.contains(&found) && message.contains(&reads), "{message}");
    println!("{message}");
}
