//! Shared pieces of the integration tests: a client pointed at a local mock server, with test keys.
#![allow(dead_code, clippy::unwrap_used)]

use httpmock::MockServer;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The private key the tests configure. Not a real key.
pub const PRIVATE_KEY: &str = "test-private-key-3f9a";
/// The public key the tests configure. Not a real key.
pub const PUBLIC_KEY: &str = "test-public-key-71c2";
/// A session id the tests use.
pub const SESSION_ID: &str = "1d6f6c4a-3f5e-4d7b-9a65-0c9b9e2f4a10";
/// A build id the tests use.
pub const BUILD_ID: &str = "0f8a2d9e-6b1c-4e57-8d3a-2c9f71b4e605";

/// A client with both keys, talking to `server`.
pub fn client(server: &MockServer) -> pipecat_cloud::Client {
    pipecat_cloud::Client::builder()
        .private_key(PRIVATE_KEY)
        .public_key(PUBLIC_KEY)
        .host(server.base_url())
        .build()
        .unwrap()
}

/// A value of a generated type, from JSON.
pub fn from_json<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).unwrap()
}

/// `Bearer <key>`.
pub fn bearer(key: &str) -> String {
    format!("Bearer {key}")
}

/// [`SESSION_ID`] as the `Uuid` the client takes.
pub fn session_id() -> pipecat_cloud::Uuid {
    SESSION_ID.parse().unwrap()
}

/// [`BUILD_ID`] as the `Uuid` the client takes.
pub fn build_id() -> pipecat_cloud::Uuid {
    BUILD_ID.parse().unwrap()
}
