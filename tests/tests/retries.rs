//! Retries and timeouts against a scripted local server: attempt counts and elapsed bounds.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use pipecat_cloud::{Client, Error, RetryConfig, types};
use pipecat_cloud_tests::scripted_server::{Reply, ScriptedServer};
use serde_json::json;

fn fast_retries() -> RetryConfig {
    RetryConfig::default().initial_backoff(Duration::from_millis(20))
}

fn client(server: &ScriptedServer, retry: RetryConfig) -> Client {
    Client::builder().private_key("retry-test-key").host(server.url()).retry(retry).build().unwrap()
}

fn sets() -> Reply {
    Reply::json(200, json!({"sets": []}))
}

#[tokio::test]
async fn a_503_then_200_succeeds_on_the_second_attempt() {
    let server =
        ScriptedServer::start(vec![Reply::json(503, json!({"error": "busy", "code": "503"}))], sets()).await.unwrap();
    let started = Instant::now();
    client(&server, fast_retries()).list_secret_sets().await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(server.requests().len(), 2);
    // The back-off before the second attempt is between half and all of 20 ms.
    assert!(elapsed >= Duration::from_millis(10) && elapsed < Duration::from_secs(2), "{elapsed:?}");
}

#[tokio::test]
async fn a_429_with_retry_after_waits_as_asked() {
    let limited = Reply::json(429, json!({"message": "slow down"})).with_header("retry-after", "1");
    let server = ScriptedServer::start(vec![limited], sets()).await.unwrap();
    let started = Instant::now();
    client(&server, fast_retries()).list_secret_sets().await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(server.requests().len(), 2);
    assert!(elapsed >= Duration::from_secs(1) && elapsed < Duration::from_secs(3), "{elapsed:?}");
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_ends_the_retries() {
    let limited = Reply::json(429, json!({"message": "come back tomorrow"})).with_header("retry-after", "86400");
    let server = ScriptedServer::start(vec![limited], sets()).await.unwrap();
    let started = Instant::now();
    let err = client(&server, fast_retries()).list_secret_sets().await.unwrap_err();
    assert_eq!((err.status(), server.requests().len()), (Some(429), 1));
    assert!(err.is_retryable());
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_dropped_connection_is_retried() {
    let server = ScriptedServer::start(vec![Reply::Drop], sets()).await.unwrap();
    client(&server, fast_retries()).list_secret_sets().await.unwrap();
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_after_every_attempt() {
    let server = ScriptedServer::start(vec![], Reply::Hang).await.unwrap();
    let retry = fast_retries().max_attempts(2);
    let client = client(&server, retry).with_timeout(Duration::from_millis(300));
    let started = Instant::now();
    let err = client.list_secret_sets().await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert_eq!(server.requests().len(), 2);
    assert!(elapsed >= Duration::from_millis(600) && elapsed < Duration::from_secs(3), "{elapsed:?}");
}

#[tokio::test]
async fn a_post_is_sent_once_on_503_unless_opted_in() {
    let body: types::CreateServiceRequest = serde_json::from_value(json!({"serviceName": "my-agent"})).unwrap();
    let unavailable = Reply::json(503, json!({"error": "busy", "code": "503"}));
    let server = ScriptedServer::start(vec![], unavailable).await.unwrap();
    let err = client(&server, fast_retries()).create_service(body.clone()).await.unwrap_err();
    assert_eq!((err.status(), server.requests().len()), (Some(503), 1));

    server.clear();
    let opted_in = fast_retries().retry_non_idempotent(true);
    let err = client(&server, opted_in).create_service(body.clone()).await.unwrap_err();
    assert_eq!((err.status(), server.requests().len()), (Some(503), 3));
}

#[tokio::test]
async fn retries_can_be_turned_off_per_client_and_per_call() {
    let unavailable = Reply::json(503, json!({"error": "busy", "code": "503"}));
    let server = ScriptedServer::start(vec![], unavailable).await.unwrap();
    let default = client(&server, fast_retries());
    assert!(default.with_retry(RetryConfig::disabled()).list_secret_sets().await.is_err());
    assert_eq!(server.requests().len(), 1);
    server.clear();
    assert!(client(&server, RetryConfig::disabled()).list_secret_sets().await.is_err());
    assert_eq!(server.requests().len(), 1);
    server.clear();
    assert!(default.list_secret_sets().await.is_err());
    assert_eq!(server.requests().len(), 3, "the default policy makes 3 attempts");
}
