//! Quickstart: real HTTP calls through the wrapper.
//!
//! Without `PIPECAT_API_KEY` in the environment, a local server started in-process answers like the
//! Pipecat Cloud API, and the example lists secret sets, reads one, deletes a key from it, and shows the
//! typed 404 of deleting it again. With `PIPECAT_API_KEY` set, it lists that account's secret sets
//! instead and changes nothing.
//!
//! ```text
//! cargo run -p pipecat-cloud --example quickstart
//! ```

use httpmock::{Method, MockServer};
use pipecat_cloud::{Client, ENV_PRIVATE_KEY};
use serde_json::json;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::var(ENV_PRIVATE_KEY).is_ok_and(|k| !k.trim().is_empty()) {
        return list_real_account().await;
    }
    let server = MockServer::start_async().await;
    let delete_mock = answer_like_the_api(&server);
    let client = Client::builder().private_key("local-demo-key").host(server.base_url()).build()?;
    println!("talking to a local server at {}", client.base_url());

    // Required values are arguments, optional ones are set by name, `.send()` sends.
    let response = client.list_secret_sets().header("x-correlation-id", "quickstart").send_with_response().await?;
    println!("listSecretSets answered HTTP {}", response.status());
    let sets = response.into_body();
    for set in &sets.sets {
        println!(
            "secret set {:<20} type {:<16} status {}",
            set.name.as_deref().unwrap_or("?"),
            set.type_.as_ref().map(|t| t.as_str()).unwrap_or("?"),
            set.status.as_ref().map(|s| s.as_str()).unwrap_or("?"),
        );
    }

    let set = client.get_secret_set("voice-bot-secrets").send().await?;
    let keys: Vec<&str> = set.secrets.iter().filter_map(|k| k.field_name.as_deref()).collect();
    println!("voice-bot-secrets holds {keys:?}");

    // Awaiting a request builder directly is the same as `.send().await`.
    let deleted = client.delete_secret_from_set("voice-bot-secrets", "OLD_TOKEN").await?;
    println!("deleted OLD_TOKEN: status {:?}", deleted.status.map(|s| s.to_string()));
    delete_mock.delete_async().await;
    key_is_gone(&server);

    match client.delete_secret_from_set("voice-bot-secrets", "OLD_TOKEN").await {
        Ok(_) => println!("deleted again?"),
        Err(error) => println!("deleting it again: {error} (status {:?}, code {:?})", error.status(), error.code()),
    }

    match client.delete_secret_from_set("voice-bot-secrets", "../other-set").await {
        Ok(_) => println!("sent a hostile key?"),
        Err(error) => println!("a hostile key: {error}"),
    }
    Ok(())
}

/// With a real key: read-only.
async fn list_real_account() -> anyhow::Result<()> {
    let client = Client::from_env()?;
    println!("talking to {} with the private key from {ENV_PRIVATE_KEY}; nothing will be changed", client.base_url());
    for set in client.list_secret_sets().send().await?.sets {
        println!(
            "secret set {:<20} status {}",
            set.name.as_deref().unwrap_or("?"),
            set.status.as_ref().map(|s| s.as_str()).unwrap_or("?")
        );
    }
    Ok(())
}

/// What the local server answers: the shapes the real API sends.
fn answer_like_the_api(server: &MockServer) -> httpmock::Mock<'_> {
    server.mock(|when, then| {
        when.method(Method::GET).path("/v1/secrets");
        then.status(200).json_body(json!({"sets": [
            {"name": "voice-bot-secrets", "type": "secret", "region": "us-west", "status": "ready"},
            {"name": "registry-login", "type": "imagePullSecret", "region": "us-west", "status": "pending"}]}));
    });
    server.mock(|when, then| {
        when.method(Method::GET).path("/v1/secrets/voice-bot-secrets");
        then.status(200).json_body(json!({"region": "us-west", "status": "ready",
            "secrets": [{"fieldName": "OPENAI_API_KEY"}, {"fieldName": "OLD_TOKEN"}]}));
    });
    server.mock(|when, then| {
        when.method(Method::DELETE).path("/v1/secrets/voice-bot-secrets/OLD_TOKEN");
        then.status(200).json_body(json!({"status": "OK"}));
    })
}

/// After the key is deleted, the local server answers for it like the API: 404.
fn key_is_gone(server: &MockServer) {
    server.mock(|when, then| {
        when.method(Method::DELETE).path("/v1/secrets/voice-bot-secrets/OLD_TOKEN");
        then.status(404).json_body(json!({"error": "Secret not found", "code": "NOT_FOUND"}));
    });
}
