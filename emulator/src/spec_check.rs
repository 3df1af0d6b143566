//! Where a request is checked against the spec before any handler sees it, and where the emulator's
//! own answers are checked against it. Path parameters and query parameters are checked by the
//! operation catalog's rules (pattern, length, format, enum, type, bounds); JSON bodies by the spec's
//! schemas, compiled with a JSON Schema validator from what `build.rs` wrote. A refusal names the
//! field as a JSON pointer.

use std::collections::HashMap;
use std::sync::OnceLock;

use hyper::header::HeaderMap;
use jsonschema::Validator;
use pipecat_cloud::operation::{HeaderParam, Operation, PathParam, QueryParam};
use serde_json::Value;

/// The JSON Schemas of every operation's bodies, from the spec (see `build.rs`).
const OPERATION_SCHEMAS: &str = include_str!(concat!(env!("OUT_DIR"), "/operation_schemas.json"));

/// Why a request was refused: the field, as a JSON pointer, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// `/path/agentName`, `/query/limit` or a pointer into the body (`/body/autoScaling/maxAgents`).
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl Refusal {
    fn new(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Refusal { pointer: pointer.into(), message: message.into() }
    }

    /// `POINTER: MESSAGE`, the text of the 400's `error`.
    pub(crate) fn text(&self) -> String {
        format!("{}: {}", self.pointer, self.message)
    }
}

/// A response schema, compiled on first use.
struct ResponseSchema {
    schema: Value,
    compiled: OnceLock<Option<Validator>>,
}

/// The compiled checks of every operation.
pub(crate) struct SpecChecks {
    definitions: Value,
    requests: HashMap<String, Validator>,
    /// Response schemas by operation and status, compiled on first use (only when answers are checked).
    responses: HashMap<(String, u16), ResponseSchema>,
}

impl std::fmt::Debug for SpecChecks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpecChecks").field("requests", &self.requests.len()).finish_non_exhaustive()
    }
}

/// The spec's schemas could not be read or compiled: a defect of this build, reported at start.
#[derive(Debug, thiserror::Error)]
#[error("the emulator's copy of the spec's schemas is unusable: {0}")]
pub struct SchemaError(String);

fn compile(schema: &Value, definitions: &Value) -> Result<Validator, String> {
    let mut root = schema.as_object().cloned().ok_or_else(|| format!("not an object: {schema}"))?;
    root.insert("definitions".into(), definitions.clone());
    jsonschema::draft7::options().should_validate_formats(true).build(&Value::Object(root)).map_err(|e| e.to_string())
}

impl SpecChecks {
    /// Reads the embedded schemas and compiles the request checks.
    pub(crate) fn load() -> Result<Self, SchemaError> {
        let all: Value = serde_json::from_str(OPERATION_SCHEMAS).map_err(|e| SchemaError(e.to_string()))?;
        let definitions = all.get("definitions").cloned().unwrap_or(Value::Null);
        let mut requests = HashMap::new();
        let mut responses = HashMap::new();
        for (id, schemas) in all.get("operations").and_then(Value::as_object).into_iter().flatten() {
            if let Some(schema) = schemas.get("request").filter(|s| !s.is_null()) {
                let validator = compile(schema, &definitions).map_err(|e| SchemaError(format!("{id}: {e}")))?;
                requests.insert(id.clone(), validator);
            }
            for (status, schema) in schemas.get("responses").and_then(Value::as_object).into_iter().flatten() {
                if let Ok(status) = status.parse() {
                    responses.insert(
                        (id.clone(), status),
                        ResponseSchema { schema: schema.clone(), compiled: OnceLock::new() },
                    );
                }
            }
        }
        Ok(SpecChecks { definitions, requests, responses })
    }

    /// Checks a JSON request body against the operation's schema. With `names_unknown_properties`, an
    /// unknown top-level property is left to the handler, which refuses it in the API's own words.
    pub(crate) fn check_body(
        &self,
        op: &Operation,
        body: &Value,
        names_unknown_properties: bool,
    ) -> Result<(), Refusal> {
        let Some(validator) = self.requests.get(op.id.as_str()) else { return Ok(()) };
        let left_to_handler = |error: &jsonschema::ValidationError<'_>| {
            names_unknown_properties
                && error.instance_path().as_str().is_empty()
                && matches!(error.kind(), jsonschema::error::ValidationErrorKind::AdditionalProperties { .. })
        };
        match validator.iter_errors(body).find(|error| !left_to_handler(error)) {
            None => Ok(()),
            // Masked: the message names what is wrong, never the value (a body may hold secret values).
            Some(error) => Err(Refusal::new(format!("/body{}", error.instance_path()), error.masked().to_string())),
        }
    }

    /// Checks one of the emulator's own answers against the schema the spec documents for its status.
    /// A status the spec does not document is not checked (the API's documented extras: 413, 429).
    pub(crate) fn check_response(&self, operation_id: &str, status: u16, body: Option<&Value>) -> Result<(), String> {
        let Some(ResponseSchema { schema, compiled }) = self.responses.get(&(operation_id.to_string(), status)) else {
            return Ok(());
        };
        let validator =
            compiled.get_or_init(|| (!schema.is_null()).then(|| compile(schema, &self.definitions).ok()).flatten());
        match (validator, body) {
            (Some(validator), Some(body)) => match validator.iter_errors(body).next() {
                None => Ok(()),
                Some(error) => Err(format!("{operation_id} {status}: at {}: {error}", error.instance_path())),
            },
            (Some(_), None) => {
                Err(format!("{operation_id} {status}: the spec documents a JSON body, the answer has none"))
            }
            (None, _) => Ok(()),
        }
    }
}

/// Checks a path parameter's value by the catalog's rules.
pub(crate) fn check_path_param(param: &PathParam, value: &str) -> Result<(), Refusal> {
    let pointer = format!("/path/{}", param.name);
    let length = value.chars().count();
    if length == 0 {
        return Err(Refusal::new(pointer, "must not be empty"));
    }
    if let Some(min) = param.min_length.filter(|min| length < *min) {
        let (length, min) = (characters(length), characters(min));
        return Err(Refusal::new(pointer, format!("is {length} long; it must be at least {min}")));
    }
    if let Some(max) = param.max_length.filter(|max| length > *max) {
        let (length, max) = (characters(length), characters(max));
        return Err(Refusal::new(pointer, format!("is {length} long; it must be at most {max}")));
    }
    if let Some(pattern) = param.pattern.filter(|p| !p.is_match(value)) {
        return Err(Refusal::new(pointer, format!("does not match {}", pattern.source())));
    }
    if param.format == Some("uuid") && value.parse::<uuid::Uuid>().is_err() {
        return Err(Refusal::new(pointer, "is not a UUID"));
    }
    if !param.allowed.is_empty() && !param.allowed.contains(&value) {
        return Err(Refusal::new(pointer, format!("is not one of {}", param.allowed.join(", "))));
    }
    Ok(())
}

/// Checks the query by the catalog's rules: required parameters, types, enums and bounds. Parameters
/// the spec does not name are ignored, as the API does.
pub(crate) fn check_query(op: &Operation, query: &[(String, String)]) -> Result<(), Refusal> {
    for param in op.query_params {
        let value = query.iter().find(|(name, _)| name == param.name).map(|(_, v)| v.as_str());
        match value {
            None if param.required => return Err(Refusal::new(format!("/query/{}", param.name), "is required")),
            None => {}
            Some(value) => check_query_value(param, value)?,
        }
    }
    Ok(())
}

fn check_query_value(param: &QueryParam, value: &str) -> Result<(), Refusal> {
    let pointer = format!("/query/{}", param.name);
    let number = match param.kind {
        "integer" => Some(
            value
                .parse::<i64>()
                .map(|v| v as f64)
                .map_err(|_| Refusal::new(&pointer, format!("`{value}` is not an integer")))?,
        ),
        "number" => Some(
            value
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| Refusal::new(&pointer, format!("`{value}` is not a number")))?,
        ),
        "boolean" if value != "true" && value != "false" => {
            return Err(Refusal::new(pointer, format!("`{value}` is not true or false")));
        }
        _ => None,
    };
    if let Some(number) = number {
        if let Some(min) = param.minimum.filter(|min| number < *min) {
            return Err(Refusal::new(pointer, format!("{value} is below the minimum, {min}")));
        }
        if let Some(max) = param.maximum.filter(|max| number > *max) {
            return Err(Refusal::new(pointer, format!("{value} is above the maximum, {max}")));
        }
    }
    if !param.allowed.is_empty() && !param.allowed.contains(&value) {
        return Err(Refusal::new(pointer, format!("`{value}` is not one of {}", param.allowed.join(", "))));
    }
    Ok(())
}

/// Checks the operation's header parameters by the catalog's rules: a required one must be there, and
/// each one there must be text that meets its pattern, enum, length and bounds. Refusals name the header
/// (`/header/X-Request-Tag`), never its value.
pub(crate) fn check_headers(op: &Operation, headers: &HeaderMap) -> Result<(), Refusal> {
    for param in op.header_params {
        let pointer = format!("/header/{}", param.name);
        match headers.get(param.name) {
            None if param.required => return Err(Refusal::new(pointer, "is required")),
            None => {}
            Some(value) => {
                let text = value.to_str().map_err(|_| Refusal::new(&pointer, "is not text"))?;
                check_header_value(param, text).map_err(|message| Refusal::new(&pointer, message))?;
            }
        }
    }
    Ok(())
}

fn check_header_value(param: &HeaderParam, value: &str) -> Result<(), String> {
    let length = value.chars().count();
    if let Some(min) = param.min_length.filter(|min| length < *min) {
        return Err(format!("is {} long; it must be at least {}", characters(length), characters(min)));
    }
    if let Some(max) = param.max_length.filter(|max| length > *max) {
        return Err(format!("is {} long; it must be at most {}", characters(length), characters(max)));
    }
    if let Some(pattern) = param.pattern.filter(|p| !p.is_match(value)) {
        return Err(format!("does not match {}", pattern.source()));
    }
    if !param.allowed.is_empty() && !param.allowed.contains(&value) {
        return Err(format!("is not one of {}", param.allowed.join(", ")));
    }
    let number = match param.kind {
        "integer" => Some(value.parse::<i64>().map(|v| v as f64).map_err(|_| "is not an integer".to_string())?),
        "number" => Some(value.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or("is not a number")?),
        "boolean" if value != "true" && value != "false" => return Err("is not true or false".into()),
        _ => None,
    };
    if let Some(number) = number
        && (param.minimum.is_some_and(|min| number < min) || param.maximum.is_some_and(|max| number > max))
    {
        return Err("is out of bounds".into());
    }
    Ok(())
}

/// `1 character`, `2 characters`.
fn characters(count: usize) -> String {
    if count == 1 { "1 character".to_string() } else { format!("{count} characters") }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_answer_off_the_spec_is_caught_with_its_place() {
        let checks = SpecChecks::load().expect("the embedded schemas compile");
        let good = json!({"region": "us-west", "status": "ready", "secrets": [{"fieldName": "A"}]});
        assert_eq!(checks.check_response("getSecretSet", 200, Some(&good)), Ok(()));
        let bad = json!({"region": "us-west", "status": "ready", "secrets": [{"fieldName": 7}]});
        let problem = checks.check_response("getSecretSet", 200, Some(&bad)).expect_err("caught");
        assert!(problem.contains("/secrets/0/fieldName"), "{problem}");
        assert!(checks.check_response("getSecretSet", 200, None).is_err(), "a documented body that is missing");
    }

    #[test]
    fn a_body_off_the_spec_is_refused_with_its_pointer() {
        let checks = SpecChecks::load().expect("the embedded schemas compile");
        let op = pipecat_cloud::catalog::by_id("createService").expect("createService");
        let refusal = checks
            .check_body(op, &json!({"serviceName": "bot", "autoScaling": {"minAgents": "one"}}), false)
            .expect_err("refused");
        assert_eq!(refusal.pointer, "/body/autoScaling/minAgents");
    }
}
