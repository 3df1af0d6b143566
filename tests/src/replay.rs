//! Replaying a recording through the wrapper: a server on 127.0.0.1 answers with the recorded response
//! only when the request is the recorded one, the operation is called through `pipecat_cloud::Client`,
//! and the outcome must be the recorded one (a decoded value equal to the recorded body, or a typed
//! error with the recorded status and code). A request that differs is reported as a readable diff.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use percent_encoding::percent_decode_str;
use pipecat_cloud::catalog;
use pipecat_cloud::operation::{HttpMethod, Operation};
use pipecat_cloud::{Client, Error, RetryConfig};
use serde_json::Value;

use crate::operations::{Args, call};
use crate::recording::{RecordedRequest, RecordedResponse, RecordingFile};
use crate::scripted_server::{Recorded, Reply, ScriptedServer};

/// The status the server answers when no recording matches: no real API answers it.
pub const NO_MATCH_STATUS: u16 = 599;

/// Replays `file`. `args` replaces the arguments taken from the recording (to test a changed request).
pub async fn replay(file: &RecordingFile, args: Option<Args>) -> Result<(), String> {
    let operation = catalog::by_id(&file.operation_id).ok_or_else(|| format!("{}: no such operation", file.label()))?;
    let expected = file.recording.request.clone();
    let response = file.recording.response.clone();
    let server = ScriptedServer::start_with(move |actual| {
        if request_diff(&expected, actual).is_empty() {
            reply(&response)
        } else {
            Reply::text(NO_MATCH_STATUS, "text/plain", "no recording matches this request")
        }
    })
    .await
    .map_err(|e| e.to_string())?;
    let client = Client::builder()
        .private_key("replay-private-key")
        .public_key("replay-public-key")
        .host(server.url())
        .retry(RetryConfig::disabled())
        .build()
        .map_err(|e| e.to_string())?;
    let args = match args {
        Some(args) => args,
        None => args_from(operation, &file.recording.request)?,
    };
    let outcome = call(&client, operation, &args).await;
    let requests = server.requests();
    let [actual] = requests.as_slice() else {
        return Err(format!(
            "{}: {} requests reached the server, expected 1 (outcome {outcome:?})",
            file.label(),
            requests.len()
        ));
    };
    let diff = request_diff(&file.recording.request, actual);
    if !diff.is_empty() {
        return Err(format!("{}: the request did not match the recording:\n{}", file.label(), diff.join("\n")));
    }
    check_outcome(file, operation, outcome)
}

/// The arguments that make the client send `request`: path values read back from its path.
pub fn args_from(operation: &Operation, request: &RecordedRequest) -> Result<Args, String> {
    let full = format!("/v1{}", operation.path);
    let template: Vec<&str> = full.trim_start_matches('/').split('/').collect();
    let sent: Vec<&str> = request.path.trim_start_matches('/').split('/').collect();
    let mut path = Vec::new();
    for (i, segment) in template.iter().enumerate() {
        if segment.starts_with('{') {
            let is_last = i + 1 == template.len();
            let raw = if is_last && operation.sub_path_param().is_some() {
                sent[i..].join("/")
            } else {
                sent.get(i).copied().unwrap_or_default().to_string()
            };
            let decoded: Vec<String> =
                raw.split('/').map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned()).collect();
            path.push(decoded.join("/"));
        }
    }
    Ok(Args { path, query: request.query.clone(), body: request.body.clone() })
}

fn reply(response: &RecordedResponse) -> Reply {
    let headers: Vec<(String, String)> = response.headers.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let body = match (&response.body, &response.text) {
        (Some(json), _) => json.to_string(),
        (None, Some(text)) => text.clone(),
        (None, None) => String::new(),
    };
    Reply::Respond { status: response.status, headers, body }
}

/// Every difference between the recorded request and the one that arrived, one readable line each.
pub fn request_diff(expected: &RecordedRequest, actual: &Recorded) -> Vec<String> {
    let mut diff = Vec::new();
    let mut field = |name: &str, want: String, got: String| {
        if want != got {
            diff.push(format!("  {name}:\n    expected {want}\n    actual   {got}"));
        }
    };
    field("method", expected.method.clone(), actual.method.clone());
    field("path", expected.path.clone(), actual.path().to_string());
    field("query", format!("{:?}", expected.query), format!("{:?}", query_of(&actual.target)));
    for (name, value) in &expected.headers {
        let got = actual.header(name).unwrap_or("(none)");
        if !got.starts_with(value.as_str()) {
            field(&format!("header {name}"), value.clone(), got.to_string());
        }
    }
    let actual_body: Option<Value> =
        if actual.body.is_empty() { None } else { serde_json::from_slice(&actual.body).ok() };
    field(
        "body",
        expected.body.as_ref().map(|b| without_nulls(b).to_string()).unwrap_or_else(|| "(none)".into()),
        actual_body.as_ref().map(|b| without_nulls(b).to_string()).unwrap_or_else(|| "(none)".into()),
    );
    diff
}

fn query_of(target: &str) -> BTreeMap<String, String> {
    let Some((_, query)) = target.split_once('?') else { return BTreeMap::new() };
    query.split('&').filter_map(|pair| pair.split_once('=')).map(|(k, v)| (decode(k), decode(v))).collect()
}

fn decode(text: &str) -> String {
    percent_decode_str(&text.replace('+', " ")).decode_utf8_lossy().into_owned()
}

fn check_outcome(file: &RecordingFile, operation: &Operation, outcome: Result<Value, Error>) -> Result<(), String> {
    let recorded = &file.recording.response;
    let label = file.label();
    match outcome {
        Ok(value) if (200..300).contains(&recorded.status) => {
            let known = recorded.body.as_ref().map(|body| known_fields(operation, file.status, body));
            if let Some(body) = &known
                && let Some(difference) = first_difference(body, &value, String::new())
            {
                return Err(format!("{label}: the decoded value differs from the recorded body at {difference}"));
            }
            Ok(())
        }
        Ok(value) => Err(format!("{label}: the call succeeded ({value}), the recording answers {}", recorded.status)),
        Err(error) if (200..300).contains(&recorded.status) => Err(format!("{label}: the call failed: {error}")),
        Err(error) => {
            if error.status() != Some(recorded.status) {
                return Err(format!(
                    "{label}: the error has status {:?}, the recording {}: {error}",
                    error.status(),
                    recorded.status
                ));
            }
            // A HEAD answer has no body; every other error keeps the API's code, OPTIONS included.
            let body_less = operation.method == HttpMethod::Head;
            let code = recorded.body.as_ref().and_then(|b| b.get("code")).and_then(Value::as_str);
            if !body_less && error.code() != code {
                return Err(format!("{label}: the error has code {:?}, the recording {code:?}", error.code()));
            }
            if let (Some(text), Error::Api(api)) = (&recorded.text, &error)
                && api.body.as_deref() != Some(text.as_str())
            {
                return Err(format!("{label}: the error keeps body {:?}, the recording {text:?}", api.body));
            }
            Ok(())
        }
    }
}

/// The first place where `recorded` is not in `decoded`: every recorded field must decode to the same
/// value (instants compared as instants); fields the client fills with defaults may be extra, and an
/// empty list may be left out (the generated types do not write one back).
fn first_difference(recorded: &Value, decoded: &Value, at: String) -> Option<String> {
    match (recorded, decoded) {
        (Value::Null, _) => None,
        (Value::Object(want), Value::Object(got)) => want.iter().find_map(|(key, value)| match got.get(key) {
            Some(found) => first_difference(value, found, format!("{at}/{key}")),
            None if value.is_null() => None,
            None if value.as_array().is_some_and(Vec::is_empty) => None,
            None => Some(format!("{at}/{key} (missing after decoding)")),
        }),
        (Value::Array(want), Value::Array(got)) if want.len() == got.len() => {
            want.iter().zip(got).enumerate().find_map(|(i, (w, g))| first_difference(w, g, format!("{at}/{i}")))
        }
        (Value::String(want), Value::String(got)) if same_instant(want, got) => None,
        (want, got) if want == got => None,
        (want, got) => Some(format!("{} (recorded {want}, decoded {got})", if at.is_empty() { "/" } else { &at })),
    }
}

/// The spec as published, loaded once.
fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("openapi");
        build_helpers::load::load(&dir).map(|l| l.document).unwrap_or(Value::Null)
    })
}

/// `body` without the fields the response schema of `operation` and `status` does not list: a server
/// may send more, and the client ignores what it does not know.
fn known_fields(operation: &Operation, status: u16, body: &Value) -> Value {
    let doc = spec();
    let schema = build_helpers::document::operations(doc)
        .into_iter()
        .find(|op| op.operation_id() == Some(operation.id.as_str()))
        .and_then(|op| op.operation.pointer(&format!("/responses/{status}")))
        .and_then(|r| build_helpers::document::resolve(doc, r).ok())
        .and_then(|r| r.pointer("/content/application~1json/schema"));
    match schema {
        Some(schema) => keep_known(doc, schema, body),
        None => body.clone(),
    }
}

fn keep_known(doc: &Value, schema: &Value, value: &Value) -> Value {
    let schema = build_helpers::document::resolve(doc, schema).unwrap_or(schema);
    if let Some(first) = schema.get("allOf").and_then(Value::as_array).and_then(|all| all.first()) {
        return keep_known(doc, first, value);
    }
    match value {
        Value::Object(map) => {
            match (schema.get("properties").and_then(Value::as_object), schema.get("additionalProperties")) {
                (Some(properties), _) => Value::Object(
                    map.iter()
                        .filter_map(|(k, v)| properties.get(k).map(|s| (k.clone(), keep_known(doc, s, v))))
                        .collect(),
                ),
                (None, Some(values)) if values.is_object() => {
                    Value::Object(map.iter().map(|(k, v)| (k.clone(), keep_known(doc, values, v))).collect())
                }
                _ => value.clone(),
            }
        }
        Value::Array(items) => match schema.get("items") {
            Some(item) => Value::Array(items.iter().map(|v| keep_known(doc, item, v)).collect()),
            None => value.clone(),
        },
        other => other.clone(),
    }
}

fn same_instant(a: &str, b: &str) -> bool {
    match (chrono::DateTime::parse_from_rfc3339(a), chrono::DateTime::parse_from_rfc3339(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), without_nulls(v))).collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}
