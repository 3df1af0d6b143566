//! The spec check over the recordings: each recording must belong to an operation and a status the spec
//! documents (or say it is beyond the spec), its request must be the operation's route, and its bodies
//! must validate against the spec's schemas with a JSON Schema validator. Every operation-status pair
//! the spec documents must have a recording. This is what turns red when the spec changes under the
//! recordings.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use build_helpers::document::{OperationRef, operations, resolve};
use build_helpers::json_schema::{definitions, standalone};
use serde_json::Value;

use crate::recording::{RecordingFile, unscrubbed_secrets};

/// What the check found.
#[derive(Debug, Default)]
pub struct SpecCheck {
    /// Operations with at least one recording, and all operations.
    pub operations: (usize, usize),
    /// Documented operation-status pairs with a recording, and all documented pairs.
    pub pairs: (usize, usize),
    /// Recordings beyond the spec.
    pub beyond_spec: usize,
    /// Every problem, one line each, naming the operation and status.
    pub problems: Vec<String>,
}

impl SpecCheck {
    /// `operations covered: 31/31, operation-status pairs covered: 116/116 (+3 beyond the spec)`.
    pub fn coverage_line(&self) -> String {
        format!(
            "operations covered: {}/{}, operation-status pairs covered: {}/{} (+{} recordings beyond the spec)",
            self.operations.0, self.operations.1, self.pairs.0, self.pairs.1, self.beyond_spec
        )
    }
}

/// Checks `recordings` against the spec at `spec` (a file or a folder of fragments), as published, with
/// the response schemas relaxed where the spec's own examples show more (the `example-evidence` pass):
/// a recording of a published example stays as published. The other passes reshape paths and are not
/// applied.
pub fn check(spec: &Path, recordings: &[RecordingFile]) -> Result<SpecCheck, String> {
    let mut doc = build_helpers::load::load(spec).map_err(|e| e.to_string())?.document;
    let evidence = build_helpers::normalize::PASSES
        .iter()
        .find(|pass| pass.name == "example-evidence")
        .ok_or("the build helpers have no `example-evidence` pass")?;
    (evidence.apply)(&mut doc).map_err(|e| e.to_string())?;
    let definitions = definitions(&doc);
    let ops: BTreeMap<&str, OperationRef<'_>> =
        operations(&doc).into_iter().filter_map(|op| Some((op.operation_id()?, op))).collect();
    let mut documented: BTreeSet<(String, u16)> = BTreeSet::new();
    for (id, op) in &ops {
        for status in op.operation.get("responses").and_then(Value::as_object).into_iter().flatten().map(|(s, _)| s) {
            if let Ok(code) = status.parse() {
                documented.insert((id.to_string(), code));
            }
        }
    }
    let mut report = SpecCheck::default();
    let mut covered: BTreeSet<(String, u16)> = BTreeSet::new();
    for file in recordings {
        let label = format!("{} ({})", file.label(), file.path.display());
        let Some(op) = ops.get(file.operation_id.as_str()) else {
            report.problems.push(format!("{label}: the spec has no operation `{}`", file.operation_id));
            continue;
        };
        let pair = (file.operation_id.clone(), file.status);
        let is_documented = documented.contains(&pair);
        match (is_documented, file.recording.beyond_spec) {
            (true, false) => {
                covered.insert(pair);
            }
            (false, true) => report.beyond_spec += 1,
            (false, false) => report.problems.push(format!(
                "{label}: {} does not document status {}; fix the recording, or mark it `beyond_spec: true` if the API really answers so",
                file.operation_id, file.status
            )),
            (true, true) => report.problems.push(format!("{label}: marked beyond_spec, but the spec documents status {}", file.status)),
        }
        check_request(&doc, op, file, &definitions, &label, &mut report.problems);
        if is_documented && !file.recording.beyond_spec {
            check_response(&doc, op, file, &definitions, &label, &mut report.problems);
        }
    }
    for (id, status) in documented.difference(&covered) {
        report.problems.push(format!("{id} {status}: no recording (add tests/recordings/{id}/{status}.yaml)"));
    }
    let operations_covered: BTreeSet<&str> = covered.iter().map(|(id, _)| id.as_str()).collect();
    report.operations = (operations_covered.len(), ops.len());
    report.pairs = (covered.len(), documented.len());
    Ok(report)
}

fn check_request(
    doc: &Value,
    op: &OperationRef<'_>,
    file: &RecordingFile,
    definitions: &Value,
    label: &str,
    problems: &mut Vec<String>,
) {
    let request = &file.recording.request;
    if request.headers.keys().any(|h| h.eq_ignore_ascii_case("authorization")) {
        problems.push(format!("{label}: the request keeps an Authorization header; recordings never hold credentials"));
    }
    for (side, body) in [("request", request.body.as_ref()), ("response", file.recording.response.body.as_ref())] {
        for pointer in body.map(unscrubbed_secrets).unwrap_or_default() {
            problems.push(format!("{label}: the {side} body holds an unscrubbed secret at {pointer}"));
        }
    }
    if request.method != op.method.to_uppercase() {
        problems.push(format!(
            "{label}: the request method is {}, the operation's {}",
            request.method,
            op.method.to_uppercase()
        ));
    }
    if !route_matches(doc, op, &request.path) {
        problems.push(format!(
            "{label}: the request path {} is not a path of {} {}",
            request.path,
            op.method.to_uppercase(),
            op.path
        ));
    }
    let schema = op
        .operation
        .get("requestBody")
        .and_then(|b| resolve(doc, b).ok())
        .and_then(|b| b.pointer("/content/application~1json/schema"));
    match (schema, &request.body) {
        (Some(schema), Some(body)) => {
            for error in validate(schema, body, definitions) {
                problems.push(format!("{label}: the request body does not match the spec's schema: {error}"));
            }
        }
        (None, Some(_)) => problems.push(format!("{label}: the request has a body, the operation takes none")),
        _ => {}
    }
}

fn check_response(
    doc: &Value,
    op: &OperationRef<'_>,
    file: &RecordingFile,
    definitions: &Value,
    label: &str,
    problems: &mut Vec<String>,
) {
    let response = &file.recording.response;
    let documented = op.operation.pointer(&format!("/responses/{}", file.status)).and_then(|r| resolve(doc, r).ok());
    let schema = documented.and_then(|r| r.pointer("/content/application~1json/schema"));
    match (schema, &response.body) {
        (Some(schema), Some(body)) => {
            for error in validate(schema, body, definitions) {
                problems.push(format!(
                    "{} {}: the response body does not match the spec's schema: {error} ({})",
                    file.operation_id,
                    file.status,
                    file.path.display()
                ));
            }
        }
        // A HEAD answer never has a body, whatever the spec says of its content.
        (Some(_), None) if op.method == "head" => {}
        (Some(_), None) => problems.push(format!("{label}: the spec documents a JSON body, the recording has none")),
        (None, Some(_)) => problems.push(format!("{label}: the recording has a JSON body, the spec documents none")),
        (None, None) => {}
    }
}

/// True when `path` is the operation's path below its server (`/v1` or `/v1/public`).
fn route_matches(doc: &Value, op: &OperationRef<'_>, path: &str) -> bool {
    let server = op
        .path_item
        .pointer("/servers/0/url")
        .or_else(|| op.operation.pointer("/servers/0/url"))
        .or_else(|| doc.pointer("/servers/0/url"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let prefix = server.splitn(4, '/').nth(3).map(|p| format!("/{}", p.trim_end_matches('/'))).unwrap_or_default();
    let Some(rest) = path.strip_prefix(&prefix) else { return false };
    let template: Vec<&str> = op.path.trim_start_matches('/').split('/').collect();
    let sent: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    let last_is_sub_path = template.last().is_some_and(|t| *t == "{path}");
    if sent.len() < template.len() || (!last_is_sub_path && sent.len() != template.len()) {
        return false;
    }
    template.iter().zip(&sent).all(|(t, s)| (t.starts_with('{') && !s.is_empty()) || t == s)
}

/// The validation errors of `instance` against `schema`, each as `at POINTER: message`.
fn validate(schema: &Value, instance: &Value, definitions: &Value) -> Vec<String> {
    let root = standalone(schema, definitions);
    if !root.is_object() {
        return vec![format!("the schema is not an object: {root}")];
    }
    let validator = match jsonschema::draft7::new(&root) {
        Ok(validator) => validator,
        Err(e) => return vec![format!("the spec's schema is not valid JSON Schema: {e}")],
    };
    validator
        .iter_errors(instance)
        .map(|e| {
            let at = e.instance_path().to_string();
            format!("at {}: {e}", if at.is_empty() { "/".to_string() } else { at })
        })
        .collect()
}
