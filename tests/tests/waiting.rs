//! The SDK's waits against a scripted server: through pending to ready, failing fast on a reported
//! failure, riding out a 502 while polling, stopping on a 404, and timing out with the last phase seen.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use pipecat_cloud::wait::{WaitError, WaitOptions};
use pipecat_cloud::{Client, RetryConfig, Uuid};
use pipecat_cloud_tests::scripted_server::{Reply, ScriptedServer};
use serde_json::json;

fn client(url: &str) -> Client {
    Client::builder().private_key("wait-test-key").host(url).retry(RetryConfig::disabled()).build().unwrap()
}

fn fast() -> WaitOptions {
    WaitOptions::default().interval(Duration::from_millis(5)).timeout(Duration::from_secs(5))
}

#[tokio::test]
async fn a_secret_set_is_waited_for_through_pending_and_a_502_until_ready() {
    let server = ScriptedServer::start(
        vec![
            Reply::json(200, json!({"status": "pending"})),
            Reply::text(502, "text/html", "<html>bad gateway</html>"),
            Reply::json(200, json!({"status": "pending"})),
            Reply::json(200, json!({"status": "ready", "secrets": [{"fieldName": "A"}]})),
        ],
        Reply::Drop,
    )
    .await
    .unwrap();
    let phases = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&phases);
    let options = fast().on_progress(move |p| seen.lock().unwrap().push((p.polls, p.phase.clone())));
    let set = client(&server.url()).wait_until_secret_set_ready("my-set", &options).await.unwrap();
    assert_eq!(set.secrets.len(), 1);
    let phases = phases.lock().unwrap().clone();
    assert_eq!(phases.len(), 3, "{phases:?}");
    assert_eq!(phases[0], (1, "pending".to_string()));
    assert!(phases[1].1.starts_with("poll failed, retrying: getSecretSet failed with HTTP 502"), "{phases:?}");
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn a_failed_set_ends_the_wait_at_once_with_the_apis_reason() {
    let server = ScriptedServer::start(
        vec![Reply::json(200, json!({"status": "failed", "errorMessage": "registry credentials rejected"}))],
        Reply::Drop,
    )
    .await
    .unwrap();
    let err = client(&server.url()).wait_until_secret_set_ready("my-set", &fast()).await.unwrap_err();
    assert_eq!(err.to_string(), "secret set my-set failed: registry credentials rejected");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_404_stops_the_wait_and_a_timeout_names_the_last_phase() {
    let server = ScriptedServer::start(vec![], Reply::json(404, json!({"error": "no such set", "code": "NOT_FOUND"})))
        .await
        .unwrap();
    let err = client(&server.url()).wait_until_secret_set_ready("gone", &fast()).await.unwrap_err();
    assert!(matches!(&err, WaitError::Api(e) if e.status() == Some(404)), "{err:?}");
    assert_eq!(server.requests().len(), 1, "a 404 is not retried");

    let server = ScriptedServer::start(vec![], Reply::json(200, json!({"status": "pending"}))).await.unwrap();
    let options = WaitOptions::default().interval(Duration::from_millis(20)).timeout(Duration::from_millis(100));
    let err = client(&server.url()).wait_until_secret_set_ready("slow", &options).await.unwrap_err();
    assert!(matches!(&err, WaitError::TimedOut { last_phase, .. } if last_phase == "pending"), "{err:?}");
    assert!(err.to_string().starts_with("secret set slow was not ready after"), "{err}");
}

#[tokio::test]
async fn an_agent_is_ready_when_the_new_deployment_is_reconciled_and_ready() {
    let agent = |reconciled: &str, ready: bool| {
        Reply::json(
            200,
            json!({"name": "bot", "desiredDeploymentId": "d-2", "reconciledDeploymentId": reconciled, "ready": ready,
                   "currentRevision": {"deploymentID": "d-2", "phase": "Creating"}}),
        )
    };
    // Ready, but still on the old deployment; then the new one, not ready; then ready.
    let server = ScriptedServer::start(vec![agent("d-1", true), agent("d-2", false), agent("d-2", true)], Reply::Drop)
        .await
        .unwrap();
    let ready = client(&server.url()).wait_until_agent_ready("bot", Some("d-2"), &fast()).await.unwrap();
    assert_eq!(ready.reconciled_deployment_id.as_deref(), Some("d-2"));
    assert_eq!(server.requests().len(), 3);

    let failed = Reply::json(
        200,
        json!({"name": "bot", "desiredDeploymentId": "d-3", "reconciledDeploymentId": "d-2", "ready": true,
               "currentRevision": {"deploymentID": "d-3", "phase": "Failed",
                                   "health": {"message": "container exited with code 1"}}}),
    );
    let server = ScriptedServer::start(vec![failed], Reply::Drop).await.unwrap();
    // The revision's id field is `deploymentID` in the API, unlike the agent's `desiredDeploymentId`.
    let err = client(&server.url()).wait_until_agent_ready("bot", None, &fast()).await.unwrap_err();
    assert_eq!(err.to_string(), "agent bot failed: container exited with code 1");
}

#[tokio::test]
async fn a_build_is_waited_for_until_success_or_its_failure() {
    let id: Uuid = "0f8a2d9e-6b1c-4e57-8d3a-2c9f71b4e605".parse().unwrap();
    let build =
        |status: &str| Reply::json(200, json!({"build": {"id": id, "status": status, "errorMessage": "COPY failed"}}));
    let server =
        ScriptedServer::start(vec![build("pending"), build("building"), build("success")], Reply::Drop).await.unwrap();
    let done = client(&server.url()).wait_for_build(id, &fast()).await.unwrap();
    assert!(done.build.is_some());
    let server = ScriptedServer::start(vec![build("building"), build("failed")], Reply::Drop).await.unwrap();
    let err = client(&server.url()).wait_for_build(id, &fast()).await.unwrap_err();
    assert_eq!(err.to_string(), format!("build {id} failed: COPY failed"));
}
