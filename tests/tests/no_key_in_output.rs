//! The keys never appear in Debug or Display output of the client, its builder, or any error, nor in any
//! tracing or log output while every operation runs (the secret value of `upsertSecretSet` neither).
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use pipecat_cloud::catalog::OPERATIONS;
use pipecat_cloud::{Client, ClientBuilder, RetryConfig};
use pipecat_cloud_tests::operations::{call_operation, sample_path};
use pipecat_cloud_tests::scripted_server::{Reply, ScriptedServer};
use serde_json::json;

const PRIVATE: &str = "PRIVATE-leak-canary-7d1e";
const PUBLIC: &str = "PUBLIC-leak-canary-42aa";
/// The secret value `call_operation` puts in the `upsertSecretSet` body.
const SECRET_VALUE: &str = "sk-test-value";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }
}

fn builder(host: &str) -> ClientBuilder {
    Client::builder()
        .private_key(PRIVATE)
        .public_key(PUBLIC)
        .host(host)
        .retry(RetryConfig::default().max_attempts(2).initial_backoff(Duration::from_millis(1)))
}

#[tokio::test]
async fn keys_never_appear_in_debug_display_errors_or_traces() {
    let captured = Captured::default();
    let writer = captured.clone();
    // Everything, from every crate, at every level; `log` records of dependencies too.
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .try_init()
        .unwrap();

    let mut shown = Vec::new();
    let server = ScriptedServer::start(vec![], Reply::json(200, json!({}))).await.unwrap();
    let client = builder(&server.url()).build().unwrap();
    shown.push(format!("{client:?}"));
    shown.push(format!("{:?}", builder(&server.url())));

    // Every operation, through the wrapper.
    for operation in &OPERATIONS {
        let _ = call_operation(&client, operation, &sample_path(operation)).await;
    }
    assert_eq!(server.requests().len(), OPERATIONS.len(), "every operation reached the server");
    assert!(server.requests().iter().any(|r| r.header("authorization") == Some(&format!("Bearer {PRIVATE}"))));

    // Every error the wrapper produces from a call.
    let mut errors = Vec::new();
    errors.push(client.delete_secret_from_set("my-set", "..").await.unwrap_err()); // InvalidParameter
    let public_only = Client::builder().public_key(PUBLIC).host(server.url()).build().unwrap();
    shown.push(format!("{public_only:?}"));
    errors.push(public_only.list_secret_sets().await.unwrap_err()); // MissingKey
    let failing =
        ScriptedServer::start(vec![], Reply::json(404, json!({"error": "no", "code": "NOT_FOUND"}))).await.unwrap();
    errors.push(builder(&failing.url()).build().unwrap().list_secret_sets().await.unwrap_err()); // Api
    let hanging = ScriptedServer::start(vec![], Reply::Hang).await.unwrap();
    let slow = builder(&hanging.url()).build().unwrap().with_timeout(Duration::from_millis(100));
    errors.push(slow.list_secret_sets().await.unwrap_err()); // Timeout
    let closed_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let unreachable = builder(&format!("http://127.0.0.1:{closed_port}")).build().unwrap();
    errors.push(unreachable.list_secret_sets().await.unwrap_err()); // Transport
    let garbled = ScriptedServer::start(vec![], Reply::text(200, "application/json", "{not json")).await.unwrap();
    errors.push(builder(&garbled.url()).build().unwrap().list_secret_sets().await.unwrap_err()); // Decode
    let kinds: Vec<String> =
        errors.iter().map(|e| format!("{e:?}").split([' ', '(', '{']).next().unwrap_or("").to_string()).collect();
    assert_eq!(kinds, ["InvalidParameter", "MissingKey", "Api", "Timeout", "Transport", "Decode"]);
    for error in &errors {
        shown.push(format!("{error:?}"));
        shown.push(error.to_string());
    }
    // Every configuration error.
    for result in [
        Client::builder().private_key("").build(),
        Client::builder().private_key(PRIVATE).host("http://example.com").build(),
        Client::builder().build(),
        Client::builder().private_key(format!("{PRIVATE} x")).build(),
    ] {
        let error = result.unwrap_err();
        shown.push(format!("{error:?}"));
        shown.push(error.to_string());
    }

    let traces = captured.text();
    assert!(traces.contains("pipecat_cloud.call"), "the tracing capture works:\n{traces}");
    assert!(traces.contains("operation=\"upsertSecretSet\""));
    for canary in [PRIVATE, PUBLIC, SECRET_VALUE] {
        assert!(!traces.contains(canary), "{canary} appears in the traces");
        for text in &shown {
            assert!(!text.contains(canary), "{canary} appears in: {text}");
        }
    }
    pipecat_cloud_tests::report(&format!(
        "checked {} Debug/Display texts and {} bytes of traces: no key",
        shown.len(),
        traces.len()
    ));
}
