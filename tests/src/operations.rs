//! Calling any operation of the API by its id, with chosen path values and minimal valid bodies: the
//! tests that sweep every operation (hostile path values, secrets in output) go through here.

use pipecat_cloud::operation::Operation;
use pipecat_cloud::{Client, Error, types};
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

fn body<T: serde::de::DeserializeOwned>(value: Value) -> T {
    match serde_json::from_value(value) {
        Ok(body) => body,
        Err(e) => panic!("a test body does not match its generated type: {e}"),
    }
}

/// Calls `operation` with `path` as its path values (in path order). The success value is dropped.
///
/// # Panics
/// When `operation` is not an operation of the API, or `path` has too few values: both are test bugs.
pub async fn call_operation(client: &Client, operation: &Operation, path: &[&str]) -> Result<(), Error> {
    let p = |i: usize| path[i];
    let map = || Map::from_iter([("hello".to_string(), json!("agent"))]);
    match operation.id {
        "listServices" => client.list_services(None, None).await.map(drop),
        "createService" => {
            client.create_service(&body(json!({"serviceName": "my-agent", "image": "a/b:1"}))).await.map(drop)
        }
        "getService" => client.get_service(p(0)).await.map(drop),
        "updateService" => client.update_service(p(0), &body(json!({"image": "a/b:2"}))).await.map(drop),
        "deleteService" => client.delete_service(p(0)).await.map(drop),
        "getLogs" => client.get_logs(p(0), None, None, None, None, None, None, None, None).await.map(drop),
        "getSessions" => {
            client.get_sessions(p(0), None, None, None, None, None, None, None, None, None).await.map(drop)
        }
        "getSession" => client.get_session(p(0), p(1)).await.map(drop),
        "stopSession" => client.stop_session(p(0), p(1)).await.map(drop),
        "listBuilds" => client.list_builds(None, None, None, None, None).await.map(drop),
        "createBuild" => client
            .create_build(&body(json!({"uploadId": sample_value("buildId"), "region": "us-west"})))
            .await
            .map(drop),
        "getBuildUploadUrl" => client.get_build_upload_url(&body(json!({"region": "us-west"}))).await.map(drop),
        "getBuild" => client.get_build(p(0)).await.map(drop),
        "getBuildLogs" => client.get_build_logs(p(0), None).await.map(drop),
        "getProperties" => client.get_properties().await.map(drop),
        "updateProperties" => client.update_properties(&body(json!({"defaultRegion": "us-west"}))).await.map(drop),
        "getPropertiesSchema" => client.get_properties_schema().await.map(drop),
        "listRegions" => client.list_regions().await.map(drop),
        "listSecretSets" => client.list_secret_sets().await.map(drop),
        "getSecretSet" => client.get_secret_set(p(0)).await.map(drop),
        "upsertSecretSet" => {
            let secrets: types::UpsertSecretSetBody =
                body(json!({"secrets": [{"secretKey": "OPENAI_API_KEY", "secretValue": "sk-test-value"}]}));
            client.upsert_secret_set(p(0), &secrets).await.map(drop)
        }
        "deleteSecretSet" => client.delete_secret_set(p(0)).await.map(drop),
        "deleteSecretFromSet" => client.delete_secret_from_set(p(0), p(1)).await.map(drop),
        "startService" => client.start_service(p(0), &body(json!({"createDailyRoom": false}))).await.map(drop),
        "sessionProxyGet" => client.session_proxy_get(p(0), p(1), p(2)).await.map(drop),
        "sessionProxyPost" => client.session_proxy_post(p(0), p(1), p(2), &map()).await.map(drop),
        "sessionProxyPut" => client.session_proxy_put(p(0), p(1), p(2), &map()).await.map(drop),
        "sessionProxyPatch" => client.session_proxy_patch(p(0), p(1), p(2), &map()).await.map(drop),
        "sessionProxyDelete" => client.session_proxy_delete(p(0), p(1), p(2)).await.map(drop),
        "sessionProxyOptions" => client.session_proxy_options(p(0), p(1), p(2)).await.map(drop),
        "sessionProxyHead" => client.session_proxy_head(p(0), p(1), p(2)).await.map(drop),
        other => panic!("operation {other} has no call in tests/src/operations.rs: add one"),
    }
}
