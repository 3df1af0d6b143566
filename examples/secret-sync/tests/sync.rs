//! The sync against a local server answering like the API.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::time::Duration;

use httpmock::{Method, MockServer};
use secret_sync::{SyncError, SyncOptions, parse_env_file, sync_secret_set};
use serde_json::json;

fn client(server: &MockServer) -> pipecat_cloud::Client {
    pipecat_cloud::Client::builder().private_key("sync-test-key").host(server.base_url()).build().unwrap()
}

fn options() -> SyncOptions {
    SyncOptions { region: None, poll_interval: Duration::from_millis(20), ready_timeout: Duration::from_secs(5) }
}

fn desired() -> BTreeMap<String, String> {
    parse_env_file("# keys\nOPENAI_API_KEY=sk-1\n\nDEEPGRAM_API_KEY = dg-2\n").unwrap()
}

#[tokio::test]
async fn extra_keys_are_deleted_and_the_sync_waits_until_ready() {
    let server = MockServer::start_async().await;
    let upsert = server.mock(|when, then| {
        when.method(Method::PUT).path("/v1/secrets/bot-secrets").json_body(json!({"secrets": [
            {"secretKey": "DEEPGRAM_API_KEY", "secretValue": "dg-2"},
            {"secretKey": "OPENAI_API_KEY", "secretValue": "sk-1"}]}));
        then.status(202).json_body(json!({"status": "OK", "region": "us-west"}));
    });
    let pending = server.mock(|when, then| {
        when.method(Method::GET).path("/v1/secrets/bot-secrets");
        then.status(200).json_body(json!({"status": "pending", "secrets": [
            {"fieldName": "OPENAI_API_KEY"}, {"fieldName": "DEEPGRAM_API_KEY"}, {"fieldName": "STALE_KEY"}]}));
    });
    let delete = server.mock(|when, then| {
        when.method(Method::DELETE).path("/v1/secrets/bot-secrets/STALE_KEY");
        then.status(200).json_body(json!({"status": "OK"}));
    });
    let client = client(&server);
    let desired = desired();
    let sync = tokio::spawn(async move { sync_secret_set(&client, "bot-secrets", &desired, &options()).await });
    // Once the sync has read the keys and polled a pending set once, the set becomes ready.
    while pending.calls_async().await < 2 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    pending.delete_async().await;
    server.mock(|when, then| {
        when.method(Method::GET).path("/v1/secrets/bot-secrets");
        then.status(200).json_body(json!({"status": "ready", "secrets": [
            {"fieldName": "OPENAI_API_KEY"}, {"fieldName": "DEEPGRAM_API_KEY"}]}));
    });
    let report = sync.await.unwrap().unwrap();
    upsert.assert_async().await;
    delete.assert_async().await;
    assert_eq!(report.upserted, ["DEEPGRAM_API_KEY", "OPENAI_API_KEY"]);
    assert_eq!(report.deleted, ["STALE_KEY"]);
    assert!(report.status_checks >= 2, "{report:?}");
}

#[tokio::test]
async fn a_failed_set_reports_the_api_reason() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(Method::PUT).path("/v1/secrets/bot-secrets");
        then.status(202).json_body(json!({"status": "OK", "region": "us-west"}));
    });
    server.mock(|when, then| {
        when.method(Method::GET).path("/v1/secrets/bot-secrets");
        then.status(200).json_body(json!({"status": "failed", "errorMessage": "quota exceeded", "secrets": []}));
    });
    let err = sync_secret_set(&client(&server), "bot-secrets", &desired(), &options()).await.unwrap_err();
    assert_eq!(err.to_string(), "secret set bot-secrets failed to provision: quota exceeded");
}

#[tokio::test]
async fn a_set_that_never_gets_ready_times_out_and_an_unknown_status_keeps_waiting() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(Method::PUT).path("/v1/secrets/bot-secrets");
        then.status(202).json_body(json!({"status": "OK", "region": "us-west"}));
    });
    server.mock(|when, then| {
        when.method(Method::GET).path("/v1/secrets/bot-secrets");
        then.status(200).json_body(json!({"status": "rotating", "secrets": []}));
    });
    let quick = SyncOptions { ready_timeout: Duration::from_millis(100), ..options() };
    let err = sync_secret_set(&client(&server), "bot-secrets", &desired(), &quick).await.unwrap_err();
    assert!(matches!(&err, SyncError::NotReady { status, .. } if status == "rotating"), "{err:?}");
}

#[tokio::test]
async fn bad_input_is_refused_before_anything_is_sent() {
    let server = MockServer::start_async().await;
    let anything = server.mock(|when, then| {
        when.any_request();
        then.status(500);
    });
    let err = sync_secret_set(&client(&server), "bot-secrets", &BTreeMap::new(), &options()).await.unwrap_err();
    assert!(matches!(err, SyncError::NoKeys));
    let err = sync_secret_set(&client(&server), "Not_A_Valid_Set", &desired(), &options()).await.unwrap_err();
    assert!(err.to_string().contains("`setName` does not match the required pattern"), "{err}");
    assert_eq!(anything.calls_async().await, 0);
    assert!(parse_env_file("JUST_A_KEY").is_err());
}
