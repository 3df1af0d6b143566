//! Where each operation must arrive, with which key, and a success answer it decodes: written by hand
//! from the API's reference, not read from the catalog the calls themselves use, so that a catalog or a
//! normalization pass that put a call anywhere else fails `tests/tests/every_operation.rs`. The calls come
//! from the one table of calls, [`crate::operations::call`], with the sample values of
//! [`crate::operations::sample_value`] (which the paths below spell out).

use serde_json::{Value, json};

/// The key an operation is sent with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// The organization's private key (`/v1`).
    Private,
    /// The public key (`/v1/public`).
    Public,
}

/// One operation's route.
#[derive(Clone, Copy, Debug)]
pub struct Route {
    /// The operationId.
    pub operation: &'static str,
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The full path, with the sample values.
    pub path: &'static str,
    /// The key it carries.
    pub key: Key,
    /// The status the test answers with.
    pub status: u16,
    /// The JSON body the test answers with (`None`: no body).
    pub body: fn() -> Option<Value>,
}

fn empty() -> Option<Value> {
    Some(json!({}))
}

fn ok() -> Option<Value> {
    Some(json!({"status": "OK"}))
}

fn none() -> Option<Value> {
    None
}

const PROXY: &str = "/v1/public/my-agent/sessions/1d6f6c4a-3f5e-4d7b-9a65-0c9b9e2f4a10/api/offer";
const SESSION: &str = "/v1/agents/my-agent/sessions/1d6f6c4a-3f5e-4d7b-9a65-0c9b9e2f4a10";
const BUILD: &str = "/v1/builds/0f8a2d9e-6b1c-4e57-8d3a-2c9f71b4e605";

macro_rules! route {
    ($operation:literal, $method:literal, $path:expr, $key:ident, $status:literal, $body:expr) => {
        Route { operation: $operation, method: $method, path: $path, key: Key::$key, status: $status, body: $body }
    };
}

/// Every operation's route. The session proxy's `{path}` (`api/offer`) must arrive as two segments.
pub const ROUTES: &[Route] = &[
    route!("listServices", "GET", "/v1/agents", Private, 200, || Some(json!({"services": []}))),
    route!("createService", "POST", "/v1/agents", Private, 200, empty),
    route!("getService", "GET", "/v1/agents/my-agent", Private, 200, empty),
    route!("updateService", "POST", "/v1/agents/my-agent", Private, 200, empty),
    route!("deleteService", "DELETE", "/v1/agents/my-agent", Private, 200, ok),
    route!("getLogs", "GET", "/v1/agents/my-agent/logs", Private, 200, || Some(json!({"logs": []}))),
    route!("getSessions", "GET", "/v1/agents/my-agent/sessions", Private, 200, || Some(json!({"sessions": []}))),
    route!("getSession", "GET", SESSION, Private, 200, empty),
    route!("stopSession", "DELETE", SESSION, Private, 200, empty),
    route!("listBuilds", "GET", "/v1/builds", Private, 200, || Some(json!({"builds": []}))),
    route!("createBuild", "POST", "/v1/builds", Private, 201, empty),
    route!("getBuildUploadUrl", "POST", "/v1/builds/upload-url", Private, 200, empty),
    route!("getBuild", "GET", BUILD, Private, 200, empty),
    route!("getBuildLogs", "GET", "/v1/builds/0f8a2d9e-6b1c-4e57-8d3a-2c9f71b4e605/logs", Private, 200, || {
        Some(json!({"logs": ["done"]}))
    }),
    route!("getProperties", "GET", "/v1/properties", Private, 200, empty),
    route!("updateProperties", "PATCH", "/v1/properties", Private, 200, empty),
    route!("getPropertiesSchema", "GET", "/v1/properties/schema", Private, 200, empty),
    route!("listRegions", "GET", "/v1/regions", Private, 200, || Some(json!({"regions": []}))),
    route!("listSecretSets", "GET", "/v1/secrets", Private, 200, || Some(json!({"sets": []}))),
    route!("getSecretSet", "GET", "/v1/secrets/my-set", Private, 200, empty),
    route!("upsertSecretSet", "PUT", "/v1/secrets/my-set", Private, 202, || {
        Some(json!({"status": "OK", "region": "us-west"}))
    }),
    route!("deleteSecretSet", "DELETE", "/v1/secrets/my-set", Private, 200, ok),
    route!("deleteSecretFromSet", "DELETE", "/v1/secrets/my-set/OPENAI_API_KEY", Private, 200, ok),
    route!("startService", "POST", "/v1/public/my-agent/start", Public, 200, empty),
    route!("sessionProxyGet", "GET", PROXY, Public, 200, empty),
    route!("sessionProxyPost", "POST", PROXY, Public, 200, empty),
    route!("sessionProxyPut", "PUT", PROXY, Public, 200, empty),
    route!("sessionProxyPatch", "PATCH", PROXY, Public, 200, empty),
    route!("sessionProxyDelete", "DELETE", PROXY, Public, 200, empty),
    route!("sessionProxyOptions", "OPTIONS", PROXY, Public, 200, none),
    route!("sessionProxyHead", "HEAD", PROXY, Public, 200, none),
];

/// The route of `operation`.
pub fn route(operation: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|route| route.operation == operation)
}

/// For each of `operation_ids` without a route, what to do, naming this file.
pub fn without_a_route(operation_ids: &[&str]) -> Vec<String> {
    operation_ids
        .iter()
        .filter(|id| route(id).is_none())
        .map(|id| format!("{id} has no route: add where it arrives to ROUTES in tests/src/routes.rs"))
        .collect()
}
