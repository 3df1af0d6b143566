//! The sync against the SDK's typed mocks of the API.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::time::Duration;

use pipecat_cloud::mock::{MockApi, routes};
use secret_sync::{SyncError, SyncOptions, parse_env_file, sync_secret_set};
use serde_json::json;

const SET: &str = "bot-secrets";

fn options() -> SyncOptions {
    SyncOptions { region: None, poll_interval: Duration::from_millis(20), ready_timeout: Duration::from_secs(5) }
}

fn desired() -> BTreeMap<String, String> {
    parse_env_file("# keys\nOPENAI_API_KEY=sk-1\n\nDEEPGRAM_API_KEY = dg-2\n").unwrap()
}

fn accepted() -> serde_json::Value {
    json!({"status": "OK", "region": "us-west"})
}

#[tokio::test]
async fn extra_keys_are_deleted_and_the_sync_waits_until_ready() {
    let api = MockApi::start().await;
    let upsert = api
        .on(routes::upsert_secret_set(SET))
        .json_body(json!({"secrets": [
            {"secretKey": "DEEPGRAM_API_KEY", "secretValue": "dg-2"},
            {"secretKey": "OPENAI_API_KEY", "secretValue": "sk-1"}]}))
        .respond(202, accepted());
    let pending = api.on(routes::get_secret_set(SET)).respond(
        200,
        json!({"status": "pending", "secrets": [
        {"fieldName": "OPENAI_API_KEY"}, {"fieldName": "DEEPGRAM_API_KEY"}, {"fieldName": "STALE_KEY"}]}),
    );
    let delete = api.on(routes::delete_secret_from_set(SET, "STALE_KEY")).respond(200, json!({"status": "OK"}));
    let client = api.client();
    let desired = desired();
    let sync = tokio::spawn(async move { sync_secret_set(&client, SET, &desired, &options()).await });
    // Once the sync has read the keys and polled a pending set once, the set becomes ready.
    while pending.hits_async().await < 2 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    pending.delete_async().await;
    api.on(routes::get_secret_set(SET)).respond(
        200,
        json!({"status": "ready", "secrets": [{"fieldName": "OPENAI_API_KEY"}, {"fieldName": "DEEPGRAM_API_KEY"}]}),
    );
    let report = sync.await.unwrap().unwrap();
    upsert.assert_hits_async(1).await;
    delete.assert_hits_async(1).await;
    assert_eq!(report.upserted, ["DEEPGRAM_API_KEY", "OPENAI_API_KEY"]);
    assert_eq!(report.deleted, ["STALE_KEY"]);
    assert!(report.status_checks >= 2, "{report:?}");
}

#[tokio::test]
async fn a_failed_set_reports_the_api_reason() {
    let api = MockApi::start().await;
    api.on(routes::upsert_secret_set(SET)).respond(202, accepted());
    api.on(routes::get_secret_set(SET))
        .respond(200, json!({"status": "failed", "errorMessage": "quota exceeded", "secrets": []}));
    let err = sync_secret_set(&api.client(), SET, &desired(), &options()).await.unwrap_err();
    assert_eq!(err.to_string(), "secret set bot-secrets failed to provision: quota exceeded");
}

#[tokio::test]
async fn a_set_that_never_gets_ready_times_out_and_an_unknown_status_keeps_waiting() {
    let api = MockApi::start().await;
    api.on(routes::upsert_secret_set(SET)).respond(202, accepted());
    api.on(routes::get_secret_set(SET)).respond(200, json!({"status": "rotating", "secrets": []}));
    let quick = SyncOptions { ready_timeout: Duration::from_millis(100), ..options() };
    let err = sync_secret_set(&api.client(), SET, &desired(), &quick).await.unwrap_err();
    assert!(matches!(&err, SyncError::NotReady { status, .. } if status == "rotating"), "{err:?}");
}

#[tokio::test]
async fn an_api_error_surfaces_with_its_status_and_code() {
    let api = MockApi::start().await;
    api.on(routes::upsert_secret_set(SET)).respond_error(409, "CONFLICT", "The set is an image pull secret set");
    let err = sync_secret_set(&api.client(), SET, &desired(), &options()).await.unwrap_err();
    let SyncError::Api(api_error) = &err else { panic!("{err:?}") };
    assert_eq!((api_error.status(), api_error.code()), (Some(409), Some("CONFLICT")));
}

#[tokio::test]
async fn bad_input_is_refused_before_anything_is_sent() {
    let api = MockApi::start().await;
    let err = sync_secret_set(&api.client(), SET, &BTreeMap::new(), &options()).await.unwrap_err();
    assert!(matches!(err, SyncError::NoKeys));
    let err = sync_secret_set(&api.client(), "Not_A_Valid_Set", &desired(), &options()).await.unwrap_err();
    assert!(err.to_string().contains("`setName` does not match the required pattern"), "{err}");
    assert!(parse_env_file("JUST_A_KEY").is_err());
    // Nothing reached the server: had anything, the mock would fail this test when dropped.
    assert_eq!(api.unmatched_requests(), 0);
}
