//! The documented workflows, through the SDK: secret sets, deploys, failures, sessions, logs, builds,
//! properties, the proxy.

use pipecat_cloud::types::{StartRequest, UpdateServiceRequest};
use pipecat_cloud::wait::WaitError;
use pipecat_cloud_emulator::ImageRule;
use serde_json::{Value, json};

use super::*;

#[tokio::test]
async fn a_secret_set_is_pending_then_ready_and_shows_key_names_only() {
    // Two reads: the list (which reports the status, so it counts) sees it pending, the wait's get ready.
    let emulator = Emulator::builder()
        .progression(pipecat_cloud_emulator::Progression::AfterPolls { polls: 2 })
        .start()
        .await
        .expect("emulator");
    let client = emulator.client();
    let accepted = client.upsert_secret_set("bot-secrets", secrets(&[("A", "1"), ("B", "2")])).await.expect("upsert");
    assert_eq!(accepted.region, "us-west");
    let listed = client.list_secret_sets().await.expect("list");
    assert_eq!(listed.sets[0].status.as_ref().map(|s| s.as_str()), Some("pending"));
    let ready = client.wait_until_secret_set_ready("bot-secrets", &quick()).await.expect("ready");
    let keys: Vec<_> = ready.secrets.iter().filter_map(|k| k.field_name.clone()).collect();
    assert_eq!(keys, ["A", "B"]);
    // A second upsert adds to the set and provisions again.
    client.upsert_secret_set("bot-secrets", secrets(&[("C", "3")])).await.expect("upsert");
    let again = client.get_secret_set("bot-secrets").await.expect("get");
    assert_eq!(again.secrets.len(), 3);
    client.delete_secret_from_set("bot-secrets", "A").await.expect("delete key");
    let missing = client.delete_secret_from_set("bot-secrets", "A").await.expect_err("gone");
    assert_eq!((missing.status(), missing.code()), (Some(404), Some("NOT_FOUND")));
    all_answers_matched_the_spec(&emulator);
}

#[tokio::test]
async fn a_deploy_is_refused_while_its_secret_set_is_pending_and_runs_once_it_is_ready() {
    let emulator = polled().await;
    let client = emulator.client();
    client.upsert_secret_set("bot-secrets", secrets(&[("A", "1")])).await.expect("upsert");
    let refused =
        client.create_service(agent("bot", "acme/bot:1", 5).secret_set("bot-secrets")).await.expect_err("409");
    assert_eq!(refused.status(), Some(409));
    assert!(refused.to_string().contains("Secret set 'bot-secrets' is not yet ready"), "{refused}");
    client.wait_until_secret_set_ready("bot-secrets", &quick()).await.expect("ready");
    let created = client.create_service(agent("bot", "acme/bot:1", 5).secret_set("bot-secrets")).await.expect("create");
    assert_eq!(created.ready, Some(false));
    assert_eq!(created.reconciled_deployment_id, None);
    let desired = created.desired_deployment_id.clone();
    let ready = client.wait_until_agent_ready("bot", desired.as_deref(), &quick()).await.expect("ready");
    assert_eq!(ready.reconciled_deployment_id, desired);
    assert_eq!(ready.current_revision.as_ref().and_then(|r| r.phase.as_ref()).map(|p| p.as_str()), Some("Active"));

    // A new image: a new deployment, the old one drains.
    let updated = client.update_service("bot", UpdateServiceRequest::new().image("acme/bot:2")).await.expect("update");
    assert_ne!(updated.desired_deployment_id, desired);
    assert_eq!(updated.reconciled_deployment_id, desired, "reconciled catches up later");
    let ready =
        client.wait_until_agent_ready("bot", updated.desired_deployment_id.as_deref(), &quick()).await.expect("ready");
    let previous = ready.previous_revision.as_ref().and_then(|r| r.phase.as_ref()).map(|p| p.as_str().to_string());
    assert_eq!(previous.as_deref(), Some("Draining"));
    // Scaling alone is no new deployment.
    let scaled = client
        .update_service(
            "bot",
            UpdateServiceRequest::new().auto_scaling(pipecat_cloud::types::AutoScaling::new().max_agents(9)),
        )
        .await
        .expect("scale");
    assert_eq!(scaled.desired_deployment_id, ready.desired_deployment_id);
    all_answers_matched_the_spec(&emulator);
}

/// An emulator, one step per poll, where images containing `bot:broken` fail with
/// `PCC_IMAGE_NOT_FOUND`.
async fn failing_broken_images() -> Emulator {
    Emulator::builder()
        .progression(Progression::AfterPolls { polls: 1 })
        .fail_image(ImageRule::new("bot:broken", "PCC_IMAGE_NOT_FOUND").expect("a documented code"))
        .start()
        .await
        .expect("start")
}

#[tokio::test]
async fn an_image_a_rule_fails_ends_the_wait_with_its_documented_code() {
    let emulator = failing_broken_images().await;
    let client = emulator.client();
    let created = client.create_service(agent("bot", "acme/bot:broken", 5)).await.expect("create");
    let failed = client.wait_until_agent_ready("bot", created.desired_deployment_id.as_deref(), &quick()).await;
    match failed {
        Err(WaitError::Failed { reason, .. }) => assert!(reason.contains("PCC_IMAGE_NOT_FOUND"), "{reason}"),
        other => panic!("expected a failed deploy, got {other:?}"),
    }
    let logs = client.get_logs("bot").query_param("PCC_IMAGE_NOT_FOUND").await.expect("logs");
    assert_eq!(logs.logs.len(), 1);
    all_answers_matched_the_spec(&emulator);
}

#[tokio::test]
async fn sessions_count_against_max_agents_and_page_with_a_total() {
    let emulator = Emulator::builder().progression(Progression::Immediate).start().await.expect("start");
    let client = emulator.client();
    client.create_service(agent("bot", "acme/bot:1", 3)).await.expect("create");
    let mut ids = Vec::new();
    for _ in 0..3 {
        let started = client.start_service("bot", StartRequest::new()).await.expect("start");
        ids.push(started.session_id.expect("a session id"));
    }
    let full = client.start_service("bot", StartRequest::new()).await.expect_err("at capacity");
    assert_eq!((full.status(), full.code()), (Some(429), Some("429")));
    let agent_view = client.get_service("bot").await.expect("get");
    assert_eq!(agent_view.active_session_count, Some(3));

    let page = client.get_sessions("bot").limit(2).offset(0).await.expect("list");
    assert_eq!((page.total_count, page.sessions.len()), (Some(3), 2));
    let stopped = client.stop_session("bot", ids[0].parse().expect("uuid")).await.expect("stop");
    assert_eq!(stopped.session_id.map(|id| id.to_string()).as_deref(), Some(ids[0].as_str()));
    let active =
        client.get_sessions("bot").status(pipecat_cloud::types::GetSessionsStatus::Active).await.expect("list");
    assert_eq!(active.total_count, Some(2));
    client.start_service("bot", StartRequest::new()).await.expect("a place is free again");

    let room = client.start_service("bot", StartRequest::new().create_daily_room(true)).await;
    assert_eq!(room.expect_err("full again").status(), Some(429));
    all_answers_matched_the_spec(&emulator);
}

#[tokio::test]
async fn logs_tell_what_happened_filtered_and_ordered() {
    let emulator = Emulator::builder().progression(Progression::Immediate).start().await.expect("start");
    let client = emulator.client();
    client.create_service(agent("bot", "acme/bot:1", 5)).await.expect("create");
    let session = client.start_service("bot", StartRequest::new()).await.expect("start").session_id.expect("id");
    let of_session = client
        .get_logs("bot")
        .session_id(session.as_str())
        .order(pipecat_cloud::types::GetLogsOrder::Asc)
        .await
        .expect("logs");
    let lines: Vec<_> = of_session.logs.iter().filter_map(|l| l.log.clone()).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].contains("started"), "{lines:?}");
    let all = client.get_logs("bot").limit(100).await.expect("logs");
    let total = all.total.as_ref().and_then(|t| t.value);
    assert_eq!(total, Some(all.logs.len() as i64));
    let stamps: Vec<_> = all.logs.iter().filter_map(|l| l.timestamp).collect();
    assert!(stamps.windows(2).all(|w| w[0] >= w[1]), "newest first: {stamps:?}");
    all_answers_matched_the_spec(&emulator);
}

#[tokio::test]
async fn a_build_is_new_then_cached_and_deployable() {
    let emulator = polled().await;
    let client = emulator.client();
    let mut build_ids = Vec::new();
    for expected in [201, 200] {
        let url = client
            .get_build_upload_url(pipecat_cloud::types::UploadUrlRequest::new("us-west"))
            .await
            .expect("upload url");
        let fields = serde_json::to_value(&url.upload_fields).expect("fields");
        let fields = fields.as_object().cloned().unwrap_or_default();
        let status = upload(url.upload_url.as_deref().expect("url"), &fields, b"same context").await;
        assert_eq!(status, 204);
        let upload_id = url.upload_id.expect("id");
        let created = client
            .create_build(pipecat_cloud::types::CreateBuildRequest::new("us-west", upload_id))
            .send_with_response()
            .await
            .expect("create build");
        assert_eq!(created.status(), expected);
        let build = created.into_body().build.expect("build");
        let id = build.id.expect("id");
        let done = client.wait_for_build(id, &quick()).await.expect("success");
        assert!(done.build.and_then(|b| b.image_uri).is_some());
        build_ids.push(id);
    }
    assert_eq!(build_ids[0], build_ids[1], "the cached answer is the first build");
    let logs = client.get_build_logs(build_ids[0]).await.expect("logs");
    assert!(logs.logs.iter().any(|l| l.contains("SUCCEEDED")), "{:?}", logs.logs);
    let listed = client.list_builds().await.expect("list");
    assert_eq!(listed.total, Some(1));
    // A form without its signature is refused, as a pre-signed URL refuses it.
    let url = client.get_build_upload_url(pipecat_cloud::types::UploadUrlRequest::new("us-west")).await.expect("url");
    assert_eq!(upload(url.upload_url.as_deref().expect("url"), &serde_json::Map::new(), b"x").await, 403);
    let deployed = client
        .create_service({
            let name = "built".parse::<pipecat_cloud::types::CreateServiceRequestServiceName>().expect("name");
            pipecat_cloud::types::CreateServiceRequest::new(name).build_id(build_ids[0])
        })
        .await
        .expect("deploy the build");
    assert!(deployed.desired_deployment_id.is_some());
    all_answers_matched_the_spec(&emulator);
}

#[tokio::test]
async fn properties_regions_and_the_default_region() {
    let emulator = polled().await;
    let client = emulator.client();
    assert_eq!(client.list_regions().await.expect("regions").regions.len(), 4);
    let schema = client.get_properties_schema().await.expect("schema");
    assert!(serde_json::to_string(&schema).expect("json").contains("availableValues"));
    client
        .update_properties(pipecat_cloud::types::UpdatePropertiesBody::new().default_region("eu-central"))
        .await
        .expect("update");
    let accepted = client.upsert_secret_set("eu-set", secrets(&[("A", "1")])).await.expect("upsert");
    assert_eq!(accepted.region, "eu-central");
    let refused = http()
        .patch(format!("{}/v1/properties", emulator.host()))
        .bearer_auth(emulator.private_key())
        .json(&json!({"defaultRegion": "mars-1"}))
        .send()
        .await
        .expect("send");
    assert_eq!(refused.status(), 400);
    all_answers_matched_the_spec(&emulator);
}

#[tokio::test]
async fn the_session_proxy_echoes_for_a_running_session_and_refuses_an_ended_one() {
    let emulator = Emulator::builder().progression(Progression::Immediate).start().await.expect("start");
    let client = emulator.client();
    client.create_service(agent("bot", "acme/bot:1", 5)).await.expect("create");
    let id = client.start_service("bot", StartRequest::new()).await.expect("start").session_id.expect("id");
    let answer = client
        .session_proxy_post("bot", id.parse().expect("uuid"), "api/offer")
        .json(&json!({"sdp": "v=0"}))
        .query("debug", "1")
        .await
        .expect("proxy");
    let echoed: Value = answer.json().expect("json");
    assert_eq!(echoed["path"], "api/offer");
    assert_eq!(echoed["body"]["sdp"], "v=0");
    assert_eq!(echoed["query"]["debug"], "1");
    client.stop_session("bot", id.parse().expect("uuid")).await.expect("stop");
    let ended = client.session_proxy_get("bot", id.parse().expect("uuid"), "status").await.expect_err("ended");
    assert_eq!(ended.status(), Some(404));
    all_answers_matched_the_spec(&emulator);
}

#[tokio::test]
async fn a_failed_deploy_during_a_drain_leaves_the_serving_deployment_as_previous() {
    let emulator = failing_broken_images().await;
    let client = emulator.client();
    let first = client.create_service(agent("bot", "acme/bot:1", 5)).await.expect("create");
    client.wait_until_agent_ready("bot", first.desired_deployment_id.as_deref(), &quick()).await.expect("ready");
    let second = client.update_service("bot", UpdateServiceRequest::new().image("acme/bot:2")).await.expect("update");
    let serving =
        client.wait_until_agent_ready("bot", second.desired_deployment_id.as_deref(), &quick()).await.expect("ready");
    assert!(serving.previous_revision.is_some(), "the first deployment drains");
    // A new deploy while the first still drains, and it fails.
    let third =
        client.update_service("bot", UpdateServiceRequest::new().image("acme/bot:broken")).await.expect("update");
    let failed = client.wait_until_agent_ready("bot", third.desired_deployment_id.as_deref(), &quick()).await;
    assert!(matches!(failed, Err(WaitError::Failed { .. })), "{failed:?}");
    let agent_view = client.get_service("bot").await.expect("get");
    let previous = agent_view.previous_revision.expect("the serving deployment shows as previous");
    assert_eq!(previous.deployment_id, second.desired_deployment_id);
    assert_eq!(previous.phase.map(|p| p.to_string()).as_deref(), Some("Active"));
    assert_eq!(agent_view.available, Some(true), "the second deployment still serves");
    all_answers_matched_the_spec(&emulator);
}
