//! Shapes progenitor and typify cannot take, or take into code that does not compile, refused with the
//! JSON pointer of the place: each check here stands for a panic or a compile error met in a mutated
//! spec (`build-helpers/tests/spec_fuzz`), and names what to write instead.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::document::{OperationRef, pointer_token};
use crate::shapes::names::{NameCase, typify_name};

/// The Rust argument progenitor makes of a parameter name.
fn argument(name: &str) -> String {
    typify_name(name, NameCase::Snake)
}
use crate::error::SpecError;

/// Checks one operation: its method, its success response, its media types and its parameters.
pub fn check_operation_shapes(doc: &Value, op: &OperationRef<'_>, problems: &mut Vec<SpecError>) {
    let here =
        |suffix: &str| format!("{} at #{}{suffix}", op.label().split(" at #").next().unwrap_or_default(), op.pointer());
    if op.method == "trace" {
        problems.push(SpecError::invalid(here(""), "TRACE operations are not supported by progenitor; remove it"));
    }
    let responses = op.operation.get("responses").and_then(Value::as_object);
    if !responses.into_iter().flatten().any(|(status, _)| status.starts_with('2') || status == "default") {
        problems.push(SpecError::invalid(
            here("/responses"),
            "no success response (2xx or default); document what the operation answers when it works",
        ));
    }
    for (status, response) in responses.into_iter().flatten() {
        if status.len() == 3 && status.ends_with("XX") {
            problems.push(SpecError::invalid(
                here(&format!("/responses/{status}")),
                format!("status ranges such as `{status}` are not supported by progenitor; list the statuses"),
            ));
        }
        media_without_schema(response, &here(&format!("/responses/{}", pointer_token(status))), problems);
    }
    if let Some(body) = op.operation.get("requestBody") {
        media_without_schema(body, &here("/requestBody"), problems);
    }
    let mut rust_names: BTreeMap<String, String> = BTreeMap::new();
    let lists = [("", op.path_item.get("parameters")), ("op", op.operation.get("parameters"))];
    for (level, list) in lists {
        let mut declared: BTreeMap<(String, String), usize> = BTreeMap::new();
        for (index, param) in list.and_then(Value::as_array).into_iter().flatten().enumerate() {
            let pointer = if level.is_empty() {
                format!("#/paths/{}/parameters/{index}", pointer_token(op.path))
            } else {
                format!("{}/parameters/{index}", here(""))
            };
            let Some(param) = crate::document::resolve(doc, param).ok() else { continue };
            let name = param.get("name").and_then(Value::as_str).unwrap_or_default();
            let location = param.get("in").and_then(Value::as_str).unwrap_or_default();
            if let Some(first) = declared.insert((name.to_string(), location.to_string()), index) {
                problems.push(SpecError::invalid(
                    &pointer,
                    format!("{location} parameter `{name}` is declared twice (also at index {first}); keep one"),
                ));
            }
            parameter_shape(param, name, location, &pointer, problems);
        }
    }
    // A header's setter is told apart from a query parameter's of the same name (`_header` is added),
    // so headers are compared among themselves.
    for param in crate::document::parameters(doc, op).unwrap_or_default() {
        let name = param.get("name").and_then(Value::as_str).unwrap_or_default();
        let header = param.get("in").and_then(Value::as_str) == Some("header");
        let key = if header { format!("header {}", argument(name)) } else { argument(name) };
        if let Some(other) = rust_names.insert(key, name.to_string())
            && other != name
        {
            problems.push(SpecError::invalid(
                here("/parameters"),
                format!(
                    "parameters `{other}` and `{name}` both become the Rust argument `{}`; rename one",
                    argument(name)
                ),
            ));
        }
    }
}

fn parameter_shape(param: &Value, name: &str, location: &str, pointer: &str, problems: &mut Vec<SpecError>) {
    if location == "path" && param.get("required").and_then(Value::as_bool) != Some(true) {
        problems.push(SpecError::invalid(
            pointer,
            format!("path parameter `{name}` must say `required: true`: a path cannot leave out a segment"),
        ));
    }
    if location == "cookie" {
        problems.push(SpecError::invalid(
            pointer,
            format!(
                "cookie parameter `{name}`: cookie parameters are not supported (no cookie-authenticated Pipecat \
                 Cloud API is in sight, so the client has no cookies to send); remove it from the spec"
            ),
        ));
    }
    if location == "header" {
        header_shape(param, name, pointer, problems);
    }
    match param.get("schema") {
        None => problems.push(SpecError::invalid(
            pointer,
            format!("parameter `{name}` has no `schema`; progenitor reads parameters by schema, not by `content`"),
        )),
        Some(schema) if schema.get("$ref").is_none() && schema.get("type").is_none() => {
            problems.push(SpecError::invalid(
                format!("{pointer}/schema"),
                format!("the schema of parameter `{name}` has no `type`; say what it is (e.g. `type: string`)"),
            ))
        }
        Some(schema)
            if location == "path"
                && !matches!(
                    schema.get("type").and_then(Value::as_str),
                    Some("string" | "integer" | "number" | "boolean") | None
                ) =>
        {
            problems.push(SpecError::invalid(
                format!("{pointer}/schema"),
                format!("path parameter `{name}` must be a string, number or boolean, not a list or object"),
            ))
        }
        Some(_) => {}
    }
}

/// Headers the client writes itself: a parameter cannot set them.
const CLIENT_HEADERS: [(&str, &str); 8] = [
    ("authorization", "the client sends the API key in it"),
    ("content-type", "the client states the body's type"),
    ("content-length", "the client counts the body"),
    ("host", "the client names the host it connects to"),
    ("accept", "the client says what answer it reads"),
    ("user-agent", "the client names itself"),
    ("connection", "the HTTP stack manages connections"),
    ("transfer-encoding", "the HTTP stack frames the body"),
];

/// A header parameter: a name HTTP takes that the client does not write itself, and a value of one
/// scalar type (it is sent as its text).
fn header_shape(param: &Value, name: &str, pointer: &str, problems: &mut Vec<SpecError>) {
    if let Some((_, why)) = CLIENT_HEADERS.iter().find(|(owned, _)| owned.eq_ignore_ascii_case(name)) {
        problems.push(SpecError::invalid(
            pointer,
            format!("header parameter `{name}` cannot be a parameter: {why}; remove it from the spec"),
        ));
        return;
    }
    // RFC 9110's token: the characters a header name may hold.
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() || !name.chars().all(token) {
        problems.push(SpecError::invalid(
            pointer,
            format!(
                "header parameter `{}` is not a header name HTTP takes (letters, digits and !#$%&'*+-.^_`|~ only); rename it",
                name.escape_debug()
            ),
        ));
    }
    if let Some(kind @ ("array" | "object")) = param.pointer("/schema/type").and_then(Value::as_str) {
        problems.push(SpecError::invalid(
            format!("{pointer}/schema"),
            format!("header parameter `{name}` of type {kind} cannot be sent as one header value; give it a string, number or boolean type"),
        ));
    }
}

fn media_without_schema(node: &Value, pointer: &str, problems: &mut Vec<SpecError>) {
    for (media, entry) in node.get("content").and_then(Value::as_object).into_iter().flatten() {
        if entry.get("schema").is_none() {
            problems.push(SpecError::invalid(
                format!("{pointer}/content/{}", pointer_token(media)),
                format!("media type `{media}` has no schema; give it one (`schema: {{type: string}}` for text)"),
            ));
        }
    }
}

/// Checks a path template's braces: each `{name}` closed, named, not nested, and no two names the same
/// Rust argument.
pub fn check_template(path: &str, problems: &mut Vec<SpecError>) {
    let pointer = format!("#/paths/{}", pointer_token(path));
    let mut depth = 0usize;
    let mut name = String::new();
    let mut names: Vec<String> = Vec::new();
    for c in path.chars() {
        match c {
            '{' => {
                depth += 1;
                name.clear();
            }
            '}' if depth == 1 => {
                depth = 0;
                if name.is_empty() {
                    problems.push(SpecError::invalid(
                        &pointer,
                        format!("`{path}` holds an empty `{{}}`; name the parameter"),
                    ));
                }
                names.push(std::mem::take(&mut name));
            }
            '}' => depth = usize::MAX,
            other if depth == 1 => name.push(other),
            _ => {}
        }
        if depth > 1 {
            problems.push(SpecError::invalid(
                &pointer,
                format!("`{path}` has unbalanced or nested braces; write `{{name}}` per parameter"),
            ));
            return;
        }
    }
    if depth != 0 {
        problems.push(SpecError::invalid(&pointer, format!("`{path}` opens a `{{` it does not close")));
    }
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for name in &names {
        if let Some(other) = seen.insert(argument(name), name) {
            problems.push(SpecError::invalid(
                &pointer,
                format!(
                    "path parameters `{other}` and `{name}` both become the Rust argument `{}`; rename one",
                    argument(name)
                ),
            ));
        }
    }
}
