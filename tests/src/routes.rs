//! Where each operation must arrive, with which key, and a success answer it decodes: written by hand
//! from the API's reference, not read from the catalog the calls themselves use, so that a catalog or a
//! normalization pass that put a call anywhere else fails `tests/tests/every_operation.rs`. The calls come
//! from the one table of calls, [`crate::operations::call`], with the sample values of
//! [`crate::operations::sample_value`] (which the paths below spell out).

use pipecat_cloud::operation::OperationId;
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
    ($method:literal, $path:expr, $key:ident, $status:literal, $body:expr) => {
        Route { method: $method, path: $path, key: Key::$key, status: $status, body: $body }
    };
}

/// Where `operation` arrives. One arm per operation, without a `_` arm: a new operation in the spec
/// does not compile here until it has its route. The session proxy's `{path}` (`api/offer`) must arrive
/// as two segments.
pub fn route(operation: OperationId) -> Route {
    use OperationId as Op;
    match operation {
        Op::ListServices => route!("GET", "/v1/agents", Private, 200, || Some(json!({"services": []}))),
        Op::CreateService => route!("POST", "/v1/agents", Private, 200, empty),
        Op::GetService => route!("GET", "/v1/agents/my-agent", Private, 200, empty),
        Op::UpdateService => route!("POST", "/v1/agents/my-agent", Private, 200, empty),
        Op::DeleteService => route!("DELETE", "/v1/agents/my-agent", Private, 200, ok),
        Op::GetLogs => route!("GET", "/v1/agents/my-agent/logs", Private, 200, || Some(json!({"logs": []}))),
        Op::GetSessions => {
            route!("GET", "/v1/agents/my-agent/sessions", Private, 200, || Some(json!({"sessions": []})))
        }
        Op::GetSession => route!("GET", SESSION, Private, 200, empty),
        Op::StopSession => route!("DELETE", SESSION, Private, 200, empty),
        Op::ListBuilds => route!("GET", "/v1/builds", Private, 200, || Some(json!({"builds": []}))),
        Op::CreateBuild => route!("POST", "/v1/builds", Private, 201, empty),
        Op::GetBuildUploadUrl => route!("POST", "/v1/builds/upload-url", Private, 200, empty),
        Op::GetBuild => route!("GET", BUILD, Private, 200, empty),
        Op::GetBuildLogs => route!("GET", "/v1/builds/0f8a2d9e-6b1c-4e57-8d3a-2c9f71b4e605/logs", Private, 200, || {
            Some(json!({"logs": ["done"]}))
        }),
        Op::GetProperties => route!("GET", "/v1/properties", Private, 200, empty),
        Op::UpdateProperties => route!("PATCH", "/v1/properties", Private, 200, empty),
        Op::GetPropertiesSchema => route!("GET", "/v1/properties/schema", Private, 200, empty),
        Op::ListRegions => route!("GET", "/v1/regions", Private, 200, || Some(json!({"regions": []}))),
        Op::ListSecretSets => route!("GET", "/v1/secrets", Private, 200, || Some(json!({"sets": []}))),
        Op::GetSecretSet => route!("GET", "/v1/secrets/my-set", Private, 200, empty),
        Op::UpsertSecretSet => {
            route!("PUT", "/v1/secrets/my-set", Private, 202, || { Some(json!({"status": "OK", "region": "us-west"})) })
        }
        Op::DeleteSecretSet => route!("DELETE", "/v1/secrets/my-set", Private, 200, ok),
        Op::DeleteSecretFromSet => route!("DELETE", "/v1/secrets/my-set/OPENAI_API_KEY", Private, 200, ok),
        Op::StartService => route!("POST", "/v1/public/my-agent/start", Public, 200, empty),
        Op::SessionProxyGet => route!("GET", PROXY, Public, 200, empty),
        Op::SessionProxyPost => route!("POST", PROXY, Public, 200, empty),
        Op::SessionProxyPut => route!("PUT", PROXY, Public, 200, empty),
        Op::SessionProxyPatch => route!("PATCH", PROXY, Public, 200, empty),
        Op::SessionProxyDelete => route!("DELETE", PROXY, Public, 200, empty),
        Op::SessionProxyOptions => route!("OPTIONS", PROXY, Public, 200, none),
        Op::SessionProxyHead => route!("HEAD", PROXY, Public, 200, none),
    }
}
