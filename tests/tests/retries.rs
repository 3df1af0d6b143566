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

/// The head of a 200 whose body is announced but not all sent.
fn head_of_200() -> Vec<u8> {
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{\"sets\": [".to_vec()
}

#[tokio::test]
async fn a_body_that_never_ends_is_retried_and_the_last_error_keeps_its_status() {
    // Recovered: the second attempt answers in full.
    let server = ScriptedServer::start(vec![Reply::RawThenHang(head_of_200())], sets()).await.unwrap();
    let client_with_timeout =
        |server: &ScriptedServer| client(server, fast_retries()).with_timeout(Duration::from_millis(300));
    client_with_timeout(&server).list_secret_sets().await.unwrap();
    assert_eq!(server.requests().len(), 2, "the stalled body was retried");
    // Never recovered: every attempt is made, and the error says what the client would do again.
    let server = ScriptedServer::start(vec![], Reply::RawThenHang(head_of_200())).await.unwrap();
    let err = client_with_timeout(&server).list_secret_sets().await.unwrap_err();
    assert!(matches!(err, Error::Timeout { status: Some(200), .. }), "{err:?}");
    assert_eq!(server.requests().len(), 3);
    assert!(err.is_retryable(), "the client retried it: is_retryable agrees");
    pipecat_cloud_tests::report(&format!("a body that never ends, 3 attempts: {err}"));
}

#[tokio::test]
async fn a_body_cut_short_is_retried_like_a_dropped_connection() {
    let server = ScriptedServer::start(vec![Reply::Raw(head_of_200())], sets()).await.unwrap();
    client(&server, fast_retries()).list_secret_sets().await.unwrap();
    assert_eq!(server.requests().len(), 2);
    // A POST is not retried: its body may have been acted on.
    let server = ScriptedServer::start(vec![], Reply::Raw(head_of_200())).await.unwrap();
    let body = types::CreateBuildRequest::new("us-west", uuid::Uuid::nil());
    let err = client(&server, fast_retries()).create_build(body).await.unwrap_err();
    assert_eq!((err.status(), server.requests().len()), (Some(200), 1), "{err:?}");
}

#[tokio::test]
async fn an_answer_head_larger_than_the_client_reads_is_not_retried() {
    let mut huge = b"HTTP/1.1 200 OK\r\nx-padding: ".to_vec();
    huge.extend(std::iter::repeat_n(b'a', 1 << 20));
    huge.extend(b"\r\ncontent-length: 2\r\n\r\n{}");
    let server = ScriptedServer::start(vec![], Reply::Raw(huge)).await.unwrap();
    let err = client(&server, fast_retries()).list_secret_sets().await.unwrap_err();
    assert_eq!(server.requests().len(), 1, "the server would send the same head again: {err:?}");
    assert!(!err.is_retryable(), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("head") && text.contains("a retry would get the same"), "{text}");
    // What hyper said of it is the cause, below.
    let cause = std::iter::successors(std::error::Error::source(&err), |e| e.source())
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join(": ");
    assert!(cause.contains("too large"), "{cause}");
    pipecat_cloud_tests::report(&format!("an answer head of 1 MiB: {text}: {cause}"));
}
