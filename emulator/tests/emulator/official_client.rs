//! The official client as a witness. pipecatcloud 1.4.0 (`pip download pipecatcloud==1.4.0`) runs
//! against the real service, so what its code reads from an answer is what the real answers hold. Its
//! reads are written down here in Rust, each with the file and line of the package it comes from
//! (paths are the package's, `pipecatcloud/...`), and played against the emulator's answers to the
//! published operations they correspond to. The client itself calls organization-scoped paths
//! (`/v1/organizations/{org}/services/...`) that the published spec does not have; only the start,
//! `/v1/public/{agent}/start`, is the same path. No Python runs here.

use pipecat_cloud_emulator::ImageRule;
use serde_json::{Value, json};

use super::*;

/// What `AgentStartError` says of an error body, or why it is not raised: `api.py:199-203` raises it
/// for a truthy dict whose `status` key (if any) is truthy; `exception.py:63-71` reads only `code` and
/// `error` (`message` is ignored) and says `"{code} - {error}"`.
fn agent_start_error(body: &Value) -> Option<(String, String)> {
    let object = body.as_object().filter(|o| !o.is_empty())?;
    let status_truthy = match object.get("status") {
        None => true,
        Some(Value::Null | Value::Bool(false)) => false,
        Some(Value::Number(n)) => n.as_f64() != Some(0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    };
    if !status_truthy {
        return None;
    }
    let code = match object.get("code") {
        Some(Value::String(code)) => code.clone(),
        Some(other) => other.to_string(),
        None => "None".to_string(),
    };
    let error = match object.get("error") {
        Some(Value::String(error)) => error.clone(),
        Some(Value::Null) => "None".to_string(),
        Some(other) => other.to_string(),
        None => "Unknown error. Please contact support.".to_string(),
    };
    Some((code.clone(), format!("{code} - {error}")))
}

/// The CLI's re-login panel: `api.py:223` compares `code` with the string `"401"`.
fn shows_the_relogin_panel(body: &Value) -> bool {
    body.get("code").and_then(Value::as_str) == Some("401")
}

async fn start(emulator: &Emulator, agent: &str, key: Option<&str>) -> (u16, Value) {
    raw(emulator, "POST", &format!("/v1/public/{agent}/start"), key, Some(json!({"createDailyRoom": true}))).await
}

#[tokio::test]
async fn the_start_answers_what_the_official_sdk_and_cli_read() {
    let emulator = Emulator::builder()
        .progression(Progression::AfterPolls { polls: 1 })
        .fail_image(ImageRule::new("bot:broken", "PCC_IMAGE_NOT_FOUND").expect("a documented code"))
        .start()
        .await
        .expect("start");
    let client = emulator.client();
    let public = Some(emulator.public_key());
    client.create_service(agent("bot", "acme/bot:1", 1)).await.expect("create");

    // 400: a start before the deployment is ready. `exception.py:63-71` -> "PCC-1001 - Attempt to start...".
    let (status, body) = start(&emulator, "bot", public).await;
    assert_eq!(status, 400, "{body}");
    let (code, message) = agent_start_error(&body).expect("AgentStartError is raised");
    assert_eq!(code, "PCC-1001");
    assert!(
        message.starts_with("PCC-1001 - Attempt to start agent when deployment is not in ready state"),
        "{message}"
    );
    client.wait_until_agent_ready("bot", None, &quick()).await.expect("ready");

    // 200: `agent.py:1277-1288` reads `dailyRoom`, `dailyToken` (with -D) and `sessionId`, softly; the SDK
    // returns the body as it is (`session.py:119`).
    let (status, body) = start(&emulator, "bot", public).await;
    assert_eq!(status, 200, "{body}");
    for key in ["sessionId", "dailyRoom", "dailyToken"] {
        assert!(body[key].is_string(), "`{key}` in {body}");
    }

    // 429: the SDK reference branches on `e.error_code == "429"`; `exception.py:65` takes `code`.
    let (status, body) = start(&emulator, "bot", public).await;
    assert_eq!(status, 429, "{body}");
    let (code, message) = agent_start_error(&body).expect("AgentStartError is raised");
    assert_eq!(code, "429", "{body}");
    assert_eq!(
        message, "429 - Unknown error. Please contact support.",
        "only `error` is read, and this body has `message`"
    );

    // 404: the SDK raises "404 - ..." (`_API()` is not the CLI: `session.py:85`); the CLI counts it as a
    // success (`api.py:155-156`, `not_found_is_empty=True`), so the body only matters to the SDK.
    let (status, body) = start(&emulator, "nosuch", public).await;
    assert_eq!(status, 404, "{body}");
    let (code, _) = agent_start_error(&body).expect("AgentStartError is raised");
    assert_eq!(code, "404");

    // 401 with a wrong key: the CLI's re-login panel needs `code == "401"` (`api.py:223`).
    let (status, body) = start(&emulator, "bot", Some("pk_wrong_0123456789")).await;
    assert_eq!(status, 401, "{body}");
    assert!(shows_the_relogin_panel(&body), "{body}");
    assert_eq!(agent_start_error(&body).map(|(code, _)| code).as_deref(), Some("401"));
    // Without a key the SDK raises PCC-1002 itself, before any request (`session.py:79-80`); the
    // emulator answers the code error-codes.mdx gives a start without a key.
    let (status, body) = start(&emulator, "bot", None).await;
    assert_eq!((status, body["code"].clone()), (401, json!("PCC-1002")), "{body}");
    all_answers_matched_the_spec(&emulator);
}

#[tokio::test]
async fn every_listed_session_holds_the_keys_the_official_cli_reads_hard() {
    let emulator = Emulator::builder().progression(Progression::Immediate).start().await.expect("start");
    let client = emulator.client();
    client.create_service(agent("bot", "acme/bot:1", 3)).await.expect("create");
    let running = client.start_service("bot", pipecat_cloud::types::StartRequest::new()).await.expect("start");
    let stopped = client.start_service("bot", pipecat_cloud::types::StartRequest::new()).await.expect("start");
    let stopped_id = stopped.session_id.expect("id");
    client.stop_session("bot", stopped_id.parse().expect("uuid")).await.expect("stop");
    let (status, list) = raw(&emulator, "GET", "/v1/agents/bot/sessions", Some(emulator.private_key()), None).await;
    assert_eq!(status, 200);
    // `agent.py:760`: the wrapper is a dict with a `sessions` list (`null` would crash `len`).
    let sessions = list["sessions"].as_array().expect("`sessions` is a list");
    assert_eq!(sessions.len(), 2);
    for session in sessions {
        // `agent.py:780-786` (plain) and `:857-876` (rich) index these keys directly.
        assert!(session["sessionId"].is_string(), "{session}");
        // `format_timestamp(s["createdAt"])`: a string, never null (`console_utils.py:376-379` would raise).
        assert!(session["createdAt"].as_str().is_some_and(|t| t.ends_with('Z') && t.contains('.')), "{session}");
        for (key, allowed) in [("endedAt", "string"), ("botStartSeconds", "number"), ("coldStart", "boolean")] {
            let value = session.get(key).unwrap_or_else(|| panic!("`{key}` is read as s[\"{key}\"]: {session}"));
            let fits = match allowed {
                "string" => value.is_string(),
                "number" => value.is_number(),
                _ => value.is_boolean(),
            };
            assert!(value.is_null() || fits, "`{key}` is null or a {allowed}: {session}");
        }
    }
    let by_id = |id: &str| sessions.iter().find(|s| s["sessionId"] == id).expect("listed");
    assert!(by_id(running.session_id.as_deref().expect("id"))["endedAt"].is_null());
    assert!(by_id(&stopped_id)["endedAt"].is_string());
    // `agent.py:576`: only the string "500" is shown as an error; the emulator's statuses are other text.
    assert_ne!(by_id(&stopped_id)["completionStatus"], "500");
    all_answers_matched_the_spec(&emulator);
}

/// The official deploy wait's reading of one status answer (`_utils/deploy_utils.py:163-264`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DeployPhase {
    WaitingForOperator,
    Ready,
    DegradedAvailable,
    ProgressingAvailable,
    ProgressingNew,
    Unavailable,
}

fn interpret_deployment_status(status: &Value) -> DeployPhase {
    let get = |key: &str| status.get(key);
    let truthy = |value: Option<&Value>| match value {
        None | Some(Value::Null | Value::Bool(false)) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    };
    // :173-180. `desiredDeploymentId` falls back to `activeDeploymentId` only when its key is absent.
    let reconciled = get("reconciledDeploymentId").cloned().unwrap_or(Value::Null);
    let desired = match get("desiredDeploymentId") {
        Some(value) => value.clone(),
        None => get("activeDeploymentId").cloned().unwrap_or(Value::Null),
    };
    let available = match get("available") {
        Some(value) => truthy(Some(value)),
        None => truthy(get("ready")),
    };
    let ready = truthy(get("ready"));
    let active_deployment_ready = truthy(get("activeDeploymentReady"));
    let condition = |kind: &str| {
        get("conditions")
            .and_then(Value::as_array)
            .and_then(|all| all.iter().find(|c| c.get("type").and_then(Value::as_str) == Some(kind)))
            .is_some_and(|c| c.get("status").and_then(Value::as_str) == Some("True"))
    };
    // :186
    if truthy(Some(&desired)) && reconciled != desired {
        return DeployPhase::WaitingForOperator;
    }
    // :195
    if available && (ready || active_deployment_ready) {
        return DeployPhase::Ready;
    }
    // :215, :227, :238, :248
    match (condition("Degraded"), available, ready, condition("Progressing")) {
        (true, true, _, _) => DeployPhase::DegradedAvailable,
        (_, true, false, _) => DeployPhase::ProgressingAvailable,
        (_, false, _, true) => DeployPhase::ProgressingNew,
        (_, false, false, _) => DeployPhase::Unavailable,
        // :259, the fallback.
        _ => DeployPhase::ProgressingNew,
    }
}

/// What the deploy wait reads of each revision (`deploy_utils.py:80-148`): `deploymentID` a string
/// (`None[:8]` would crash), `health.restartCount` a number when there is a health (`None > 0` would
/// crash), `health.message` a string.
fn revisions_read_as_the_wait_reads_them(status: &Value) {
    for key in ["currentRevision", "previousRevision"] {
        let Some(revision) = status.get(key).filter(|r| !r.is_null()) else { continue };
        assert!(revision["deploymentID"].is_string(), "{key}.deploymentID: {revision}");
        assert!(revision["phaseStartedAt"].is_string(), "{key}.phaseStartedAt: {revision}");
        if let Some(health) = revision.get("health").filter(|h| !h.is_null()) {
            assert!(health["restartCount"].is_number(), "{key}.health.restartCount: {health}");
            assert!(health.get("message").is_none_or(Value::is_string), "{key}.health.message: {health}");
        }
    }
}

/// Polls agent `name` as the official deploy loop does (`deploy.py:460-540`) until its reading is no
/// longer "waiting for the operator" nor progressing, or 50 polls; every reading on the way.
async fn deploy_wait(emulator: &Emulator, name: &str) -> Vec<DeployPhase> {
    let mut seen = Vec::new();
    for _ in 0..50 {
        let (status, answer) =
            raw(emulator, "GET", &format!("/v1/agents/{name}"), Some(emulator.private_key()), None).await;
        assert_eq!(status, 200, "{answer}");
        // `deploy.py:508-517`: any non-empty `errors` ends the deploy; the published API has none.
        assert!(answer.get("errors").is_none_or(|e| e.as_array().is_none_or(Vec::is_empty)), "{answer}");
        revisions_read_as_the_wait_reads_them(&answer);
        let phase = interpret_deployment_status(&answer);
        if seen.last() != Some(&phase) {
            seen.push(phase);
        }
        if !matches!(phase, DeployPhase::WaitingForOperator | DeployPhase::ProgressingNew) {
            break;
        }
    }
    seen
}

#[tokio::test]
async fn the_official_deploy_wait_ends_on_a_ready_and_on_a_failed_deployment() {
    let emulator = Emulator::builder()
        .progression(Progression::AfterPolls { polls: 1 })
        .fail_image(ImageRule::new("bot:broken", "PCC_IMAGE_NOT_FOUND").expect("a documented code"))
        .start()
        .await
        .expect("start");
    let client = emulator.client();
    client.create_service(agent("bot", "acme/bot:1", 2)).await.expect("create");
    assert_eq!(deploy_wait(&emulator, "bot").await, [DeployPhase::WaitingForOperator, DeployPhase::Ready]);
    // A failed update while the old deployment serves: reconciled, so the wait reads it (not "waiting for
    // the operator" until its 600 s timeout), and it is still available.
    client
        .update_service("bot", pipecat_cloud::types::UpdateServiceRequest::new().image("acme/bot:broken"))
        .await
        .expect("update");
    assert_eq!(
        deploy_wait(&emulator, "bot").await,
        [DeployPhase::WaitingForOperator, DeployPhase::ProgressingAvailable]
    );
    // A first deploy that fails: reconciled, nothing serves: "Unavailable".
    client.create_service(agent("broken", "acme/bot:broken", 2)).await.expect("create");
    assert_eq!(deploy_wait(&emulator, "broken").await, [DeployPhase::WaitingForOperator, DeployPhase::Unavailable]);
    all_answers_matched_the_spec(&emulator);
}

#[tokio::test]
async fn deletes_stops_and_logs_answer_what_the_official_cli_counts_as_success() {
    let emulator = Emulator::builder().progression(Progression::Immediate).start().await.expect("start");
    let client = emulator.client();
    let key = Some(emulator.private_key());
    client.create_service(agent("bot", "acme/bot:1", 2)).await.expect("create");
    let id = client.start_service("bot", pipecat_cloud::types::StartRequest::new()).await.expect("start").session_id;
    let id = id.expect("a session id");
    // `agent.py:960-971`: `logs` non-empty (an empty list exits 1), each entry's `log` a string and its
    // `timestamp` a string (`null` would crash `format_timestamp`), reformatted only as `...T....<digits>Z`.
    let (_, logs) = raw(&emulator, "GET", "/v1/agents/bot/logs?limit=100", key, None).await;
    let entries = logs["logs"].as_array().expect("a `logs` list");
    assert!(!entries.is_empty(), "{logs}");
    for entry in entries {
        assert!(entry["log"].as_str().is_some_and(|l| !l.is_empty()), "{entry}");
        let stamp = entry["timestamp"].as_str().expect("a timestamp");
        assert!(stamp.ends_with('Z') && stamp.split('.').nth(1).is_some_and(|f| f.len() > 1), "{stamp}");
    }
    // `agent.py:1351-1354`: a stop succeeds on any 2xx.
    let (status, _) = raw(&emulator, "DELETE", &format!("/v1/agents/bot/sessions/{id}"), key, None).await;
    assert!((200..300).contains(&status));
    // `agent.py:1024-1026`: a delete succeeds only with a truthy JSON body (a 204 or `{}` reads as
    // "not found").
    let (status, body) = raw(&emulator, "DELETE", "/v1/agents/bot", key, None).await;
    assert_eq!(status, 200);
    assert!(body.as_object().is_some_and(|o| !o.is_empty()), "{body}");
    all_answers_matched_the_spec(&emulator);
}
