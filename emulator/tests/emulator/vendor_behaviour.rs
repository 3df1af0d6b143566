//! Where the emulator follows Pipecat Cloud at a point users' code branches on: each test names the
//! vendor's source it follows (the docs at `pipecat-ai/docs`, or the official client pipecatcloud 1.4.0,
//! whose code shows what the real answers hold).

use std::time::Duration;

use pipecat_cloud::types::{StartRequest, UpdateServiceRequest};
use pipecat_cloud_emulator::{CapacityAnswer, ImageRule};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;

/// Starts a session of agent `bot`; its id.
async fn start(client: &pipecat_cloud::Client) -> String {
    client.start_service("bot", StartRequest::new()).await.expect("start").session_id.expect("a session id")
}

/// Session `id` of agent `bot`.
async fn session(client: &pipecat_cloud::Client, id: &str) -> pipecat_cloud::types::SessionResponse {
    client.get_session("bot", id.parse().expect("a uuid")).await.expect("get")
}

/// The agent `name` once its desired deployment is reconciled, read by polling as the official
/// client's deploy wait does (`_utils/deploy_utils.py`: first `reconciledDeploymentId ==
/// desiredDeploymentId`, only then `ready`/`available`).
async fn reconciled(emulator: &Emulator, name: &str) -> Value {
    for _ in 0..50 {
        let (status, agent) =
            raw(emulator, "GET", &format!("/v1/agents/{name}"), Some(emulator.private_key()), None).await;
        assert_eq!(status, 200, "{agent}");
        if agent["reconciledDeploymentId"].is_string()
            && agent["reconciledDeploymentId"] == agent["desiredDeploymentId"]
        {
            return agent;
        }
    }
    panic!("agent {name} was never reconciled");
}

#[tokio::test]
async fn a_failed_deploy_is_reconciled_not_ready_with_the_failure_in_its_revision() {
    let emulator = Emulator::builder()
        .progression(Progression::AfterPolls { polls: 1 })
        .fail_image(ImageRule::new("bot:broken", "PCC_IMAGE_NOT_FOUND").expect("a documented code"))
        .fail_image(ImageRule::new("bot:crashes", "PCC_UNKNOWN_ERROR").expect("a documented code"))
        .start()
        .await
        .expect("start");
    let client = emulator.client();
    // A first deploy that fails: nothing serves, so neither ready nor available.
    client.create_service(agent("bot", "acme/bot:broken", 2)).await.expect("create");
    let failed = reconciled(&emulator, "bot").await;
    assert_eq!((failed["ready"].clone(), failed["available"].clone()), (json!(false), json!(false)), "{failed}");
    let revision = &failed["currentRevision"];
    assert_eq!(revision["phase"], "Failed", "{failed}");
    assert_eq!(revision["health"]["reason"], "ImagePullBackOff");
    assert!(revision["health"]["message"].as_str().unwrap_or_default().contains("PCC_IMAGE_NOT_FOUND"), "{revision}");

    // An update that fails while an older deployment serves: reconciled, not ready, still available.
    client.update_service("bot", UpdateServiceRequest::new().image("acme/bot:1")).await.expect("a good image");
    let good = reconciled(&emulator, "bot").await;
    assert_eq!(good["ready"], true, "{good}");
    client.update_service("bot", UpdateServiceRequest::new().image("acme/bot:crashes")).await.expect("update");
    let crashed = reconciled(&emulator, "bot").await;
    assert_eq!((crashed["ready"].clone(), crashed["available"].clone()), (json!(false), json!(true)), "{crashed}");
    let health = &crashed["currentRevision"]["health"];
    assert_eq!(
        (health["reason"].clone(), health["lastExitCode"].clone()),
        (json!("CrashLoopBackOff"), json!(1)),
        "{health}"
    );
    assert!(health["restartCount"].as_i64().unwrap_or_default() > 0, "{health}");
    assert_eq!(crashed["previousRevision"]["phase"], "Active", "the deployment before it serves: {crashed}");
    // The SDK's wait ends on it with the reason, as before.
    let desired = crashed["desiredDeploymentId"].as_str().map(str::to_string);
    let ended = client.wait_until_agent_ready("bot", desired.as_deref(), &quick()).await.expect_err("failed");
    assert!(ended.to_string().contains("PCC_UNKNOWN_ERROR"), "{ended}");
    all_answers_matched_the_spec(&emulator);
}

#[tokio::test]
async fn sessions_outlive_their_deleted_agent_and_are_stopped_by_its_name() {
    // fundamentals/active-sessions.mdx: deleting an agent "will not stop any active sessions. You must stop
    // each session individually."
    let emulator = Emulator::builder().progression(Progression::Immediate).start().await.expect("start");
    let client = emulator.client();
    client.create_service(agent("bot", "acme/bot:1", 2)).await.expect("create");
    let id = start(&client).await;
    client.delete_service("bot").await.expect("delete");
    let key = Some(emulator.private_key());
    let (status, running) = raw(&emulator, "GET", &format!("/v1/agents/bot/sessions/{id}"), key, None).await;
    assert_eq!((status, running["endedAt"].clone()), (200, Value::Null), "still running: {running}");
    let (status, stopped) = raw(&emulator, "DELETE", &format!("/v1/agents/bot/sessions/{id}"), key, None).await;
    assert_eq!((status, stopped["status"].clone()), (200, json!("terminated")), "{stopped}");
    let (_, ended) = raw(&emulator, "GET", &format!("/v1/agents/bot/sessions/{id}"), key, None).await;
    assert_eq!(ended["completionStatus"], "STOPPED", "{ended}");
    // The agent itself is gone: its list and a new start are 404, and the name is free again.
    let (status, _) = raw(&emulator, "GET", "/v1/agents/bot/sessions", key, None).await;
    assert_eq!(status, 404);
    let refused = client.start_service("bot", StartRequest::new()).await.expect_err("no agent");
    assert_eq!(refused.status(), Some(404));
    client.create_service(agent("bot", "acme/bot:2", 2)).await.expect("the name is free");
    let (status, _) = raw(&emulator, "GET", &format!("/v1/agents/bot/sessions/{id}"), key, None).await;
    assert_eq!(status, 200, "the old session is still found by the name");
    all_answers_matched_the_spec(&emulator);
}

#[tokio::test]
async fn what_a_session_does_not_know_yet_is_null_not_missing() {
    // The official client reads `s["endedAt"]` of every listed session (pipecatcloud 1.4.0,
    // cli/commands/agent.py): the key is there while the session runs.
    let emulator = Emulator::builder().progression(Progression::Immediate).start().await.expect("start");
    let client = emulator.client();
    client.create_service(agent("bot", "acme/bot:1", 2)).await.expect("create");
    let id = start(&client).await;
    let key = Some(emulator.private_key());
    let (_, list) = raw(&emulator, "GET", "/v1/agents/bot/sessions", key, None).await;
    let (_, one) = raw(&emulator, "GET", &format!("/v1/agents/bot/sessions/{id}"), key, None).await;
    for session in [&list["sessions"][0], &one] {
        for field in ["endedAt", "completionStatus", "resourceMetrics"] {
            assert_eq!(session.get(field), Some(&Value::Null), "`{field}` in {session}");
        }
        for field in ["sessionId", "createdAt", "botStartSeconds", "coldStart"] {
            assert!(session.get(field).is_some_and(|v| !v.is_null()), "`{field}` in {session}");
        }
    }
    all_answers_matched_the_spec(&emulator);
}

#[tokio::test]
async fn a_start_at_capacity_answers_the_wire_example_or_the_error_code_page_by_rule() {
    let emulator = Emulator::builder().progression(Progression::Immediate).start().await.expect("start");
    let client = emulator.client();
    client.create_service(agent("bot", "acme/bot:1", 1)).await.expect("create");
    client.start_service("bot", StartRequest::new()).await.expect("the one place");
    let start = || raw(&emulator, "POST", "/v1/public/bot/start", Some(emulator.public_key()), Some(json!({})));
    // fundamentals/active-sessions.mdx, the wire answer; the SDK reference branches on "429".
    let (status, body) = start().await;
    assert_eq!(status, 429);
    assert_eq!(body, json!({"status": 429, "code": "429", "message": "Rate limit exceeded. Please try again later"}));
    let typed = client.start_service("bot", StartRequest::new()).await.expect_err("full");
    assert_eq!((typed.code(), typed.is_retryable()), (Some("429"), true), "{typed}");
    assert!(typed.to_string().contains("Rate limit exceeded"), "the message reaches the error: {typed}");
    // fundamentals/error-codes.mdx, chosen by rule.
    emulator.set_capacity_answer(CapacityAnswer::AtCapacityCode);
    let (status, body) = start().await;
    assert_eq!(
        (status, body),
        (429, json!({"error": "Service maximum agent instances reached", "code": "PCC-AGENT-AT-CAPACITY"}))
    );
    all_answers_matched_the_spec(&emulator);
}

#[tokio::test]
async fn sessions_end_after_the_lifetime_given_and_free_their_place_and_instance() {
    let emulator = Emulator::builder()
        .progression(Progression::Immediate)
        .session_lifetime(Duration::from_secs(60))
        .start()
        .await
        .expect("start");
    let client = emulator.client();
    client.create_service(agent("bot", "acme/bot:1", 1)).await.expect("create");
    let first = start(&client).await;
    client.start_service("bot", StartRequest::new()).await.expect_err("at capacity while it runs");
    emulator.advance(Duration::from_secs(61)).expect("advance");
    let ended = session(&client, &first).await;
    assert_eq!(ended.completion_status.as_deref(), Some("HTTP_COMPLETED"));
    let ended_at = ended.ended_at.expect("ended");
    assert_eq!((ended_at - ended.created_at.expect("created")).num_seconds(), 60, "dated when due");
    // Its place is free, and the instance it gave back is warm.
    let second = start(&client).await;
    let second = session(&client, &second).await;
    assert_eq!(second.cold_start, Some(false), "{second:?}");
    all_answers_matched_the_spec(&emulator);
}

#[tokio::test]
async fn each_start_brings_up_an_idle_instance_that_is_warm_after_thirty_seconds() {
    // guides/capacity-planning.mdx: "each new active call triggers the creation of a new idle agent",
    // available after about 30 s.
    let emulator = Emulator::builder().progression(Progression::Immediate).start().await.expect("start");
    let client = emulator.client();
    client.create_service(agent("bot", "acme/bot:1", 5)).await.expect("create");
    let cold = |id: String| {
        let client = client.clone();
        async move { session(&client, &id).await.cold_start }
    };
    let first = start(&client).await;
    let second = start(&client).await;
    assert_eq!((cold(first).await, cold(second).await), (Some(true), Some(true)), "the buffer is not warm yet");
    emulator.advance(Duration::from_secs(31)).expect("advance");
    let third = start(&client).await;
    let fourth = start(&client).await;
    let fifth = start(&client).await;
    assert_eq!(
        (cold(third).await, cold(fourth).await, cold(fifth).await),
        (Some(false), Some(false), Some(true)),
        "two buffered instances, one per earlier start"
    );
    all_answers_matched_the_spec(&emulator);
}

#[tokio::test]
async fn after_a_new_deployment_the_old_instances_are_terminated_not_reused() {
    // fundamentals/deploy.mdx: "instances running the prior image are terminated once their sessions
    // conclude, rather than being recycled."
    let emulator = Emulator::builder()
        .progression(Progression::Immediate)
        .session_lifetime(Duration::from_secs(120))
        .start()
        .await
        .expect("start");
    let client = emulator.client();
    client.create_service(agent("bot", "acme/bot:1", 5)).await.expect("create");
    let old = start(&client).await;
    emulator.advance(Duration::from_secs(40)).expect("the buffer warms up");
    let updated = client.update_service("bot", UpdateServiceRequest::new().image("acme/bot:2")).await.expect("update");
    let new_deployment = updated.desired_deployment_id.expect("a new deployment");
    emulator.advance(Duration::from_secs(90)).expect("the old session ends by itself");
    let old = session(&client, &old).await;
    assert!(old.ended_at.is_some(), "{old:?}");
    // The instance it ran on is gone; the idle buffer now runs the new deployment.
    let next = start(&client).await;
    let next = session(&client, &next).await;
    assert_eq!(next.deployment_id.as_deref(), Some(new_deployment.as_str()));
    assert_eq!(next.cold_start, Some(false), "the buffer, moved to the new deployment: {next:?}");
    let after = start(&client).await;
    let after = session(&client, &after).await;
    assert_eq!(after.cold_start, Some(true), "the old session's instance was not given back: {after:?}");
    all_answers_matched_the_spec(&emulator);
}

#[tokio::test]
async fn a_wrong_or_missing_key_gets_the_401_the_spec_gives_each_operation() {
    let emulator = Emulator::builder().progression(Progression::Immediate).start().await.expect("start");
    emulator.client().create_service(agent("bot", "acme/bot:1", 2)).await.expect("create");
    // No session needs to exist: the key is checked before anything is looked up.
    let id = "8a3c0f5e-1b2d-4c6e-9f70-1a2b3c4d5e6f";
    let wrong = Some("sk_wrong_key_0123456789");
    let expired = json!({"error": "Unauthorized / token expired", "code": "401"});
    let cases = [
        ("GET", "/v1/agents".to_string(), wrong, json!({"error": "Unauthorized", "code": "UNAUTHORIZED"})),
        ("GET", format!("/v1/agents/bot/sessions/{id}"), wrong, expired.clone()),
        ("DELETE", format!("/v1/agents/bot/sessions/{id}"), wrong, expired.clone()),
        ("POST", "/v1/public/bot/start".to_string(), wrong, expired.clone()),
        ("GET", format!("/v1/public/bot/sessions/{id}/status"), wrong, expired.clone()),
        (
            "POST",
            "/v1/public/bot/start".to_string(),
            None,
            json!({"error": "Attempt to start agent without public api key.", "code": "PCC-1002"}),
        ),
    ];
    for (method, path, key, expected) in cases {
        let body = (method == "POST").then(|| json!({}));
        let (status, answer) = raw(&emulator, method, &path, key, body).await;
        assert_eq!((status, &answer), (401, &expected), "{method} {path} with key {key:?}");
    }
    all_answers_matched_the_spec(&emulator);
}

#[tokio::test]
async fn a_known_path_with_a_method_it_does_not_take_is_405_with_allow() {
    let emulator = Emulator::start().await.expect("start");
    let response = http()
        .patch(format!("{}/v1/agents", emulator.host()))
        .bearer_auth(emulator.private_key())
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers().get("allow").and_then(|v| v.to_str().ok()), Some("GET, POST"));
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["code"], "METHOD_NOT_ALLOWED", "{body}");
    // Without a key, still nothing about the routes.
    let anonymous = http().patch(format!("{}/v1/agents", emulator.host())).send().await.expect("answer");
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn an_unknown_property_is_refused_by_name_with_the_documented_message() {
    let emulator = Emulator::start().await.expect("start");
    let (status, body) =
        raw(&emulator, "PATCH", "/v1/properties", Some(emulator.private_key()), Some(json!({"invalidProp": "x"})))
            .await;
    assert_eq!(
        (status, body),
        (400, json!({"error": "Property 'invalidProp' is not a valid property", "code": "GENERIC_BAD_REQUEST"}))
    );
    all_answers_matched_the_spec(&emulator);
}

#[tokio::test]
async fn the_upload_takes_a_context_over_64_mb_and_refuses_one_announced_past_500_mb() {
    // api-reference/pipecat-cloud/rest-reference/endpoint/build-upload-url.mdx: at most 500 MB.
    let emulator = Emulator::builder().progression(Progression::Immediate).start().await.expect("start");
    let client = emulator.client();
    let url = client.get_build_upload_url(pipecat_cloud::types::UploadUrlRequest::new("us-west")).await.expect("url");
    let fields = serde_json::to_value(&url.upload_fields).expect("fields");
    let fields = fields.as_object().cloned().unwrap_or_default();
    let upload_url = url.upload_url.clone().expect("an upload url");
    let context = vec![0x5a_u8; 70 * 1024 * 1024];
    assert_eq!(upload(&upload_url, &fields, &context).await, 204, "70 MB, over the old 64 MB limit");
    let created = client
        .create_build(pipecat_cloud::types::CreateBuildRequest::new("us-west", url.upload_id.expect("id")))
        .await
        .expect("build");
    assert_eq!(created.build.and_then(|b| b.context_size_bytes), Some(70 * 1024 * 1024));

    // A body announced over the limit is refused before it is sent (only the head goes out).
    let url = client.get_build_upload_url(pipecat_cloud::types::UploadUrlRequest::new("us-west")).await.expect("url");
    let target = url::Url::parse(url.upload_url.as_deref().expect("url")).expect("a URL");
    let mut stream = tokio::net::TcpStream::connect(emulator.address()).await.expect("connect");
    let head = format!(
        "POST {} HTTP/1.1\r\nhost: {}\r\ncontent-type: multipart/form-data; boundary=b\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        target.path(),
        emulator.address(),
        502u64 * 1024 * 1024
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    let mut answer = vec![0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut answer))
        .await
        .expect("answered before any of the body is sent")
        .expect("read");
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("500 MB"), "{answer}");
    all_answers_matched_the_spec(&emulator);
}
