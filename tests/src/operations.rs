//! Calling any operation of the API by its id, with given path values, query and body: the tests that
//! sweep every operation (hostile path values, replayed recordings, secrets in output) go through here.

use std::collections::BTreeMap;
use std::str::FromStr;

use pipecat_cloud::operation::Operation;
use pipecat_cloud::{Client, Error};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

/// Valid sample values for every path parameter, by name.
pub fn sample_value(parameter: &str) -> &'static str {
    match parameter {
        "setName" => "my-set",
        "secretKey" => "OPENAI_API_KEY",
        "agentName" | "serviceName" => "my-agent",
        "sessionId" => "1d6f6c4a-3f5e-4d7b-9a65-0c9b9e2f4a10",
        "buildId" => "0f8a2d9e-6b1c-4e57-8d3a-2c9f71b4e605",
        "path" => "api/offer",
        _ => "value",
    }
}

/// The sample values for every path parameter of `operation`, in path order.
pub fn sample_path(operation: &Operation) -> Vec<&'static str> {
    operation.path_params.iter().map(|p| sample_value(p.name)).collect()
}

/// A minimal valid body for `operation`, if it takes one.
pub fn sample_body(operation: &Operation) -> Option<Value> {
    Some(match operation.id {
        "createService" => json!({"serviceName": "my-agent", "image": "a/b:1"}),
        "updateService" => json!({"image": "a/b:2"}),
        "createBuild" => json!({"uploadId": sample_value("buildId"), "region": "us-west"}),
        "getBuildUploadUrl" => json!({"region": "us-west"}),
        "updateProperties" => json!({"defaultRegion": "us-west"}),
        "upsertSecretSet" => json!({"secrets": [{"secretKey": "OPENAI_API_KEY", "secretValue": "sk-test-value"}]}),
        "startService" => json!({"createDailyRoom": false}),
        "sessionProxyPost" | "sessionProxyPut" | "sessionProxyPatch" => json!({"hello": "agent"}),
        _ => return None,
    })
}

/// The arguments of one call.
#[derive(Clone, Debug, Default)]
pub struct Args {
    /// Path values, in path order.
    pub path: Vec<String>,
    /// Query parameters by their spec name.
    pub query: BTreeMap<String, String>,
    /// The JSON body, for operations that take one.
    pub body: Option<Value>,
}

impl Args {
    /// The sample arguments of `operation`, with `path` as its path values.
    pub fn sample(operation: &Operation, path: &[&str]) -> Args {
        Args {
            path: path.iter().map(|p| p.to_string()).collect(),
            query: BTreeMap::new(),
            body: sample_body(operation),
        }
    }

    fn text(&self, name: &str) -> Option<&str> {
        self.query.get(name).map(String::as_str)
    }

    fn parsed<T: FromStr>(&self, name: &str) -> Option<T> {
        self.query.get(name).map(|v| v.parse().unwrap_or_else(|_| panic!("query {name}={v} does not parse")))
    }

    fn body<T: DeserializeOwned>(&self) -> T {
        let body = self.body.clone().unwrap_or_else(|| json!({}));
        serde_json::from_value(body).unwrap_or_else(|e| panic!("a test body does not match its generated type: {e}"))
    }
}

/// Calls `operation` with `path` as its path values and sample query and body; the success value is dropped.
///
/// # Panics
/// When `operation` is not an operation of the API, or `path` has too few values: both are test bugs.
pub async fn call_operation(client: &Client, operation: &Operation, path: &[&str]) -> Result<(), Error> {
    call(client, operation, &Args::sample(operation, path)).await.map(drop)
}

fn json_of<T: Serialize>(value: T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Calls `operation` with `args`; returns the decoded success value as JSON (`null` for none).
///
/// # Panics
/// When `operation` is not an operation of the API, or `args` do not fit it: both are test bugs.
pub async fn call(client: &Client, operation: &Operation, args: &Args) -> Result<Value, Error> {
    let p = |i: usize| args.path[i].as_str();
    let map = || -> Map<String, Value> { args.body() };
    match operation.id {
        "listServices" => {
            client.list_services(args.parsed("includeActiveDeployment"), args.text("region")).await.map(json_of)
        }
        "createService" => client.create_service(&args.body()).await.map(json_of),
        "getService" => client.get_service(p(0)).await.map(json_of),
        "updateService" => client.update_service(p(0), &args.body()).await.map(json_of),
        "deleteService" => client.delete_service(p(0)).await.map(json_of),
        "getLogs" => client
            .get_logs(
                p(0),
                args.text("deploymentId"),
                args.parsed("endTime"),
                args.parsed("limit"),
                args.parsed("offset"),
                args.parsed("order"),
                args.text("query"),
                args.text("sessionId"),
                args.parsed("startTime"),
            )
            .await
            .map(json_of),
        "getSessions" => client
            .get_sessions(
                p(0),
                args.text("deploymentId"),
                args.parsed("endTime"),
                args.parsed("limit"),
                args.parsed("offset"),
                args.parsed("startTime"),
                args.parsed("startTimeMax"),
                args.parsed("startTimeMin"),
                args.parsed("startType"),
                args.parsed("status"),
            )
            .await
            .map(json_of),
        "getSession" => client.get_session(p(0), p(1)).await.map(json_of),
        "stopSession" => client.stop_session(p(0), p(1)).await.map(json_of),
        "listBuilds" => client
            .list_builds(
                args.text("contextHash"),
                args.parsed("limit"),
                args.parsed("offset"),
                args.text("region"),
                args.parsed("status"),
            )
            .await
            .map(json_of),
        "createBuild" => client.create_build(&args.body()).await.map(json_of),
        "getBuildUploadUrl" => client.get_build_upload_url(&args.body()).await.map(json_of),
        "getBuild" => client.get_build(p(0)).await.map(json_of),
        "getBuildLogs" => client.get_build_logs(p(0), args.parsed("limit")).await.map(json_of),
        "getProperties" => client.get_properties().await.map(json_of),
        "updateProperties" => client.update_properties(&args.body()).await.map(json_of),
        "getPropertiesSchema" => client.get_properties_schema().await.map(json_of),
        "listRegions" => client.list_regions().await.map(json_of),
        "listSecretSets" => client.list_secret_sets().await.map(json_of),
        "getSecretSet" => client.get_secret_set(p(0)).await.map(json_of),
        "upsertSecretSet" => client.upsert_secret_set(p(0), &args.body()).await.map(json_of),
        "deleteSecretSet" => client.delete_secret_set(p(0)).await.map(json_of),
        "deleteSecretFromSet" => client.delete_secret_from_set(p(0), p(1)).await.map(json_of),
        "startService" => client.start_service(p(0), &args.body()).await.map(json_of),
        "sessionProxyGet" => client.session_proxy_get(p(0), p(1), p(2)).await.map(json_of),
        "sessionProxyPost" => client.session_proxy_post(p(0), p(1), p(2), &map()).await.map(json_of),
        "sessionProxyPut" => client.session_proxy_put(p(0), p(1), p(2), &map()).await.map(json_of),
        "sessionProxyPatch" => client.session_proxy_patch(p(0), p(1), p(2), &map()).await.map(json_of),
        "sessionProxyDelete" => client.session_proxy_delete(p(0), p(1), p(2)).await.map(json_of),
        "sessionProxyOptions" => client.session_proxy_options(p(0), p(1), p(2)).await.map(json_of),
        "sessionProxyHead" => client.session_proxy_head(p(0), p(1), p(2)).await.map(json_of),
        other => panic!("operation {other} has no call in tests/src/operations.rs: add one"),
    }
}
