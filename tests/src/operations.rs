//! Calling any operation of the API by its id, with given path values, query and body: the tests that
//! sweep every operation (hostile path values, replayed recordings, secrets in output) go through here.

use std::collections::BTreeMap;
use std::str::FromStr;

use pipecat_cloud::operation::{Operation, OperationId};
use pipecat_cloud::{Client, Error, PassThroughResponse, Uuid, types};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

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
    use OperationId as Op;
    Some(match operation.id {
        Op::CreateService => json!({"serviceName": "my-agent", "image": "a/b:1"}),
        Op::UpdateService => json!({"image": "a/b:2"}),
        Op::CreateBuild => json!({"uploadId": sample_value("buildId"), "region": "us-west"}),
        Op::GetBuildUploadUrl => json!({"region": "us-west"}),
        Op::UpdateProperties => json!({"defaultRegion": "us-west"}),
        Op::UpsertSecretSet => json!({"secrets": [{"secretKey": "OPENAI_API_KEY", "secretValue": "sk-test-value"}]}),
        Op::StartService => json!({"createDailyRoom": false}),
        Op::SessionProxyPost | Op::SessionProxyPut | Op::SessionProxyPatch => json!({"hello": "agent"}),
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

    /// The query value `name`, parsed.
    ///
    /// # Panics
    /// When it does not parse: a test bug.
    pub fn parsed<T: FromStr>(&self, name: &str) -> Option<T> {
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

/// A pass-through answer as JSON: `null` when empty, the JSON it holds, or its text as a string.
fn json_of_pass_through(answer: PassThroughResponse) -> Value {
    if answer.bytes().is_empty() {
        return Value::Null;
    }
    answer.json().unwrap_or_else(|_| Value::String(answer.text().unwrap_or_default().to_string()))
}

/// Sets each optional query parameter that `args` holds, parsed as the setter's type.
macro_rules! with_query {
    ($builder:expr, $args:expr, { $( $wire:literal => $setter:ident: $ty:ty ),* $(,)? }) => {{
        #[allow(unused_mut)]
        let mut builder = $builder;
        $( if let Some(value) = $args.parsed::<$ty>($wire) { builder = builder.$setter(value); } )*
        builder
    }};
}

/// Calls `operation` with `args`; returns the decoded success value as JSON (`null` for none). One arm
/// per operation, without a `_` arm: a new operation in the spec does not compile here until it has one.
///
/// # Panics
/// When `args` do not fit `operation`: a test bug.
pub async fn call(client: &Client, operation: &Operation, args: &Args) -> Result<Value, Error> {
    let p = |i: usize| args.path[i].as_str();
    let id = |i: usize| -> Uuid {
        args.path[i].parse().unwrap_or_else(|_| panic!("path value #{i} of {} must be a UUID", operation.id))
    };
    use OperationId as Op;
    match operation.id {
        Op::ListServices => with_query!(client.list_services(), args, {
            "includeActiveDeployment" => include_active_deployment: bool,
            "region" => region: String,
        })
        .await
        .map(json_of),
        Op::CreateService => client.create_service(args.body::<types::CreateServiceRequest>()).await.map(json_of),
        Op::GetService => client.get_service(p(0)).await.map(json_of),
        Op::UpdateService => client.update_service(p(0), args.body::<types::UpdateServiceRequest>()).await.map(json_of),
        Op::DeleteService => client.delete_service(p(0)).await.map(json_of),
        Op::GetLogs => with_query!(client.get_logs(p(0)), args, {
            "deploymentId" => deployment_id: String,
            "endTime" => end_time: i64,
            "limit" => limit: i64,
            "offset" => offset: i64,
            "order" => order: types::GetLogsOrder,
            "query" => query_param: String,
            "sessionId" => session_id: String,
            "startTime" => start_time: i64,
        })
        .await
        .map(json_of),
        Op::GetSessions => with_query!(client.get_sessions(p(0)), args, {
            "deploymentId" => deployment_id: String,
            "endTime" => end_time: i64,
            "limit" => limit: i64,
            "offset" => offset: i64,
            "startTime" => start_time: i64,
            "startTimeMax" => start_time_max: i64,
            "startTimeMin" => start_time_min: i64,
            "startType" => start_type: types::GetSessionsStartType,
            "status" => status: types::GetSessionsStatus,
        })
        .await
        .map(json_of),
        Op::GetSession => client.get_session(p(0), id(1)).await.map(json_of),
        Op::StopSession => client.stop_session(p(0), id(1)).await.map(json_of),
        Op::ListBuilds => with_query!(client.list_builds(), args, {
            "contextHash" => context_hash: String,
            "limit" => limit: std::num::NonZeroU64,
            "offset" => offset: u64,
            "region" => region: String,
            "status" => status: types::ListBuildsStatus,
        })
        .await
        .map(json_of),
        Op::CreateBuild => client.create_build(args.body::<types::CreateBuildRequest>()).await.map(json_of),
        Op::GetBuildUploadUrl => client.get_build_upload_url(args.body::<types::UploadUrlRequest>()).await.map(json_of),
        Op::GetBuild => client.get_build(id(0)).await.map(json_of),
        Op::GetBuildLogs => with_query!(client.get_build_logs(id(0)), args, { "limit" => limit: std::num::NonZeroU64 })
            .await
            .map(json_of),
        Op::GetProperties => client.get_properties().await.map(json_of),
        Op::UpdateProperties => client.update_properties(args.body::<types::UpdatePropertiesBody>()).await.map(json_of),
        Op::GetPropertiesSchema => client.get_properties_schema().await.map(json_of),
        Op::ListRegions => client.list_regions().await.map(json_of),
        Op::ListSecretSets => client.list_secret_sets().await.map(json_of),
        Op::GetSecretSet => client.get_secret_set(p(0)).await.map(json_of),
        Op::UpsertSecretSet => {
            client.upsert_secret_set(p(0), args.body::<types::UpsertSecretSetBody>()).await.map(json_of)
        }
        Op::DeleteSecretSet => client.delete_secret_set(p(0)).await.map(json_of),
        Op::DeleteSecretFromSet => client.delete_secret_from_set(p(0), p(1)).await.map(json_of),
        Op::StartService => client.start_service(p(0), args.body::<types::StartRequest>()).await.map(json_of),
        Op::SessionProxyGet => client.session_proxy_get(p(0), id(1), p(2)).await.map(json_of_pass_through),
        Op::SessionProxyPost => {
            let builder = client.session_proxy_post(p(0), id(1), p(2));
            let builder = if let Some(body) = &args.body { builder.json(body) } else { builder };
            builder.await.map(json_of_pass_through)
        }
        Op::SessionProxyPut => {
            let builder = client.session_proxy_put(p(0), id(1), p(2));
            let builder = if let Some(body) = &args.body { builder.json(body) } else { builder };
            builder.await.map(json_of_pass_through)
        }
        Op::SessionProxyPatch => {
            let builder = client.session_proxy_patch(p(0), id(1), p(2));
            let builder = if let Some(body) = &args.body { builder.json(body) } else { builder };
            builder.await.map(json_of_pass_through)
        }
        Op::SessionProxyDelete => client.session_proxy_delete(p(0), id(1), p(2)).await.map(json_of_pass_through),
        Op::SessionProxyOptions => client.session_proxy_options(p(0), id(1), p(2)).await.map(json_of_pass_through),
        Op::SessionProxyHead => client.session_proxy_head(p(0), id(1), p(2)).await.map(json_of_pass_through),
    }
}
