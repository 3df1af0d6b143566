//! Checks a document before progenitor sees it. progenitor panics on some shapes (several success or
//! error types, several media types) and reports others tersely; here each problem becomes an error that
//! names the operation and says what to change. All problems are reported at once.

pub mod assumptions;
mod depth;
mod refs;
mod schemas;
mod shapes;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::document::{OperationRef, operations, parameters, pointer_token, resolve};
use crate::error::{Result, SpecError};
use crate::shapes::paths::template_names;

pub use self::depth::MAX_SCHEMA_DEPTH;

/// Checks what every later step relies on before any of them walks the document: its references.
pub fn validate_structure(doc: &Value) -> Result<()> {
    typed(doc)?;
    let mut problems = Vec::new();
    refs::check_refs(doc, &mut problems);
    SpecError::collect(problems)
}

/// Validates `doc` for generation and returns it as an `openapiv3` model.
pub fn validate(doc: &Value) -> Result<openapiv3::OpenAPI> {
    let mut problems = Vec::new();
    check_path_items(doc, &mut problems);
    let mut ids: BTreeMap<&str, String> = BTreeMap::new();
    for op in operations(doc) {
        match op.operation_id() {
            None => problems.push(SpecError::invalid(
                op.label(),
                "no operationId; give the operation one: it names the generated method",
            )),
            Some(id) => {
                // The method and the builder type are named after the operationId.
                let label = op.label();
                problems.extend(crate::shapes::names::snake_ident(id, &label).err());
                problems.extend(crate::shapes::names::camel_ident(id, &label).err());
                if let Some(first) = ids.insert(id, op.label()) {
                    problems.push(SpecError::invalid(
                        op.label(),
                        format!("duplicate operationId `{id}`, also used by {first}; operationIds must be unique"),
                    ));
                }
            }
        }
        shapes::check_operation_shapes(doc, &op, &mut problems);
        if let Err(e) = check_operation(doc, &op, &mut problems) {
            problems.push(e);
        }
    }
    schemas::check_schemas(doc, &mut problems);
    SpecError::collect(problems)?;
    typed(doc)
}

/// `doc` as an `openapiv3` model; where it does not fit, the JSON pointer of the place and what was expected.
fn typed(doc: &Value) -> Result<openapiv3::OpenAPI> {
    serde_path_to_error::deserialize(doc).map_err(|error| {
        let mut pointer = String::new();
        for segment in error.path().iter() {
            match segment {
                serde_path_to_error::Segment::Map { key } => pointer.push_str(&format!("/{}", pointer_token(key))),
                serde_path_to_error::Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
                _ => {}
            }
        }
        let message = error.into_inner().to_string();
        if let Some(field) = message.strip_prefix("missing field `").and_then(|rest| rest.split('`').next()) {
            pointer.push_str(&format!("/{}", pointer_token(field)));
        }
        SpecError::invalid(format!("#{pointer}"), format!("not valid OpenAPI 3.0 here: {message}"))
    })
}

fn check_path_items(doc: &Value, problems: &mut Vec<SpecError>) {
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        // progenitor drops such a path without a word: its operations would silently be missing.
        shapes::check_template(path, problems);
        if !path.starts_with('/') {
            problems.push(SpecError::invalid(
                format!("path {path} at #/paths/{}", pointer_token(path)),
                format!("a path must start with `/`; write `/{path}`"),
            ));
        }
        if item.get("$ref").is_some() {
            problems.push(SpecError::invalid(
                format!("path {path} at #/paths/{}/$ref", pointer_token(path)),
                "path items given by $ref are not supported by progenitor; inline the path item",
            ));
        }
    }
}

fn check_operation(doc: &Value, op: &OperationRef<'_>, problems: &mut Vec<SpecError>) -> Result<()> {
    let label = op.label();
    let params = parameters(doc, op)?;
    check_path_parameters(op, &params, problems);
    if let Some(body) = op.operation.get("requestBody") {
        let body = resolve(doc, body)?;
        if let Some(count) = body.get("content").and_then(Value::as_object).map(|c| c.len()).filter(|n| *n > 1) {
            problems.push(SpecError::invalid(
                &label,
                format!("the request body offers {count} media types; keep one (progenitor supports one per body)"),
            ));
        }
    }
    let mut success: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut failure: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (status, response) in op.operation.get("responses").and_then(Value::as_object).into_iter().flatten() {
        let response = resolve(doc, response)?;
        let content = response.get("content").and_then(Value::as_object);
        if let Some(content) = content.filter(|c| c.len() > 1) {
            let kinds: Vec<&str> = content.keys().map(String::as_str).collect();
            problems.push(SpecError::invalid(
                &label,
                format!("response {status} offers several media types ({}); keep one", kinds.join(", ")),
            ));
            continue;
        }
        let kind = body_kind(content);
        if status.starts_with('2') || status == "default" {
            success.entry(kind.clone()).or_default().push(status.clone());
        }
        if status.starts_with('4') || status.starts_with('5') || status == "default" {
            failure.entry(kind).or_default().push(status.clone());
        }
    }
    for (group, kinds) in [("success", &success), ("error", &failure)] {
        if kinds.len() > 1 {
            let listed: Vec<String> =
                kinds.iter().map(|(kind, codes)| format!("{} → {kind}", codes.join("/"))).collect();
            problems.push(SpecError::invalid(
                &label,
                format!(
                    "{} different {group} response types ({}); progenitor needs one {group} type per operation: \
                     give these responses the same schema",
                    kinds.len(),
                    listed.join("; ")
                ),
            ));
        }
    }
    Ok(())
}

/// What a response's body decodes into, for telling response types apart the way progenitor does.
fn body_kind(content: Option<&serde_json::Map<String, Value>>) -> String {
    let Some((media, entry)) = content.and_then(|c| c.iter().next()) else {
        return "no body".to_string();
    };
    match entry.get("schema") {
        None => format!("{media} without schema"),
        Some(schema) => match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => reference.rsplit('/').next().unwrap_or(reference).to_string(),
            None => format!("inline {}", crate::document::facts(schema)),
        },
    }
}

fn check_path_parameters(op: &OperationRef<'_>, params: &[&Value], problems: &mut Vec<SpecError>) {
    let in_template = template_names(op.path);
    let declared: Vec<&str> = params
        .iter()
        .filter(|p| p.get("in").and_then(Value::as_str) == Some("path"))
        .filter_map(|p| p.get("name").and_then(Value::as_str))
        .collect();
    for name in &in_template {
        if !declared.contains(name) {
            problems.push(SpecError::invalid(
                op.label(),
                format!("the path names `{{{name}}}` but no path parameter `{name}` is declared; declare it"),
            ));
        }
    }
    for param in params.iter().filter(|p| p.get("in").and_then(Value::as_str) == Some("path")) {
        let name = param.get("name").and_then(Value::as_str).unwrap_or_default();
        if !in_template.contains(&name) {
            problems.push(SpecError::invalid(
                op.label(),
                format!("path parameter `{name}` does not appear in the path; remove it or add `{{{name}}}`"),
            ));
        }
        let pattern = param.pointer("/schema/pattern").and_then(Value::as_str);
        if let Some(pattern) = pattern
            && let Err(e) = regress::Regex::new(pattern)
        {
            problems.push(SpecError::invalid(
                op.label(),
                format!("the pattern of path parameter `{name}` is not a valid ECMAScript regex ({e}): {pattern}"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn doc(op: Value) -> Value {
        json!({"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {"/things/{id}": {"get": op}}})
    }

    fn id_param() -> Value {
        json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}])
    }

    fn error_text(doc: &Value) -> String {
        validate(doc).err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn a_path_without_a_leading_slash_is_refused_not_dropped() {
        let doc = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {
            "agents": {"get": {"operationId": "listServices", "responses": {"200": {"description": "ok"}}}}}});
        let text = validate(&doc).map(drop).map_err(|e| e.to_string()).err().unwrap_or_default();
        assert!(text.contains("path agents") && text.contains("must start with `/`"), "{text}");
    }

    #[test]
    fn a_valid_operation_passes() {
        let ok = doc(
            json!({"operationId": "getThing", "parameters": id_param(), "responses": {"200": {"description": "ok"}}}),
        );
        assert!(validate(&ok).is_ok());
    }

    #[test]
    fn missing_and_duplicate_operation_ids_are_named() {
        let mut d = doc(json!({"parameters": id_param(), "responses": {}}));
        assert!(error_text(&d).contains("GET /things/{id} at #/paths/~1things~1{id}/get: no operationId"));
        d["paths"]["/things/{id}"]["get"]["operationId"] = json!("same");
        d["paths"]["/things/{id}"]["delete"] =
            json!({"operationId": "same", "parameters": id_param(), "responses": {}});
        let err = error_text(&d);
        assert!(
            err.contains(
                "same (DELETE /things/{id}) at #/paths/~1things~1{id}/delete: duplicate operationId `same`, also used by same (GET /things/{id})"
            ),
            "{err}"
        );
    }

    #[test]
    fn two_success_types_are_refused_before_progenitor_panics() {
        let d = doc(json!({"operationId": "getThing", "parameters": id_param(), "responses": {
            "200": {"description": "a", "content": {"application/json": {"schema": {"type": "string"}}}},
            "201": {"description": "b", "content": {"application/json": {"schema": {"type": "integer"}}}}}}));
        let err = error_text(&d);
        assert!(
            err.contains(
                "getThing (GET /things/{id}) at #/paths/~1things~1{id}/get: 2 different success response types"
            ),
            "{err}"
        );
    }

    #[test]
    fn a_bodyless_error_beside_a_typed_one_is_refused() {
        let d = doc(json!({"operationId": "getThing", "parameters": id_param(), "responses": {
            "200": {"description": "a"},
            "401": {"description": "no body"},
            "404": {"description": "typed", "content": {"application/json": {"schema": {"type": "object"}}}}}}));
        assert!(error_text(&d).contains("2 different error response types"));
    }

    #[test]
    fn several_media_types_are_refused() {
        let d = doc(json!({"operationId": "getThing", "parameters": id_param(), "responses": {
            "200": {"description": "a", "content": {"application/json": {}, "text/plain": {}}}}}));
        assert!(error_text(&d).contains("response 200 offers several media types (application/json, text/plain)"));
    }

    #[test]
    fn undeclared_path_parameters_and_bad_patterns_are_refused() {
        let d = doc(json!({"operationId": "getThing", "responses": {}}));
        assert!(error_text(&d).contains("the path names `{id}` but no path parameter `id` is declared"));
        let d = doc(json!({"operationId": "getThing", "responses": {},
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "pattern": "(["}}]}));
        assert!(error_text(&d).contains("is not a valid ECMAScript regex"));
    }
}
