//! `probe-methods`: HEAD and OPTIONS.
//!
//! A HEAD answer has no body, so a documented error response with a schema makes the generated code try
//! to parse nothing and lose the status; every HEAD and OPTIONS response is declared body-less instead.
//! progenitor's OPTIONS code calls `reqwest::Client::options`, which does not exist: such operations are
//! marked `x-pipecat-hand-written` and the generator writes them itself, through the same hooks.

use serde_json::{Map, Value};

use super::{Pass, X_HAND_WRITTEN};
use crate::document::resolve;
use crate::error::Result;

pub(super) const PASS: Pass = Pass {
    name: "probe-methods",
    purpose: "make HEAD and OPTIONS responses body-less; hand-write OPTIONS operations",
    apply,
};

fn apply(doc: &mut Value) -> Result<Vec<String>> {
    let snapshot = doc.clone();
    let mut changes = Vec::new();
    crate::document::for_each_operation_mut(doc, |path, method, op| {
        if method != "head" && method != "options" {
            return Ok(());
        }
        let id = op.get("operationId").and_then(Value::as_str).unwrap_or(path).to_string();
        let Some(op) = op.as_object_mut() else { return Ok(()) };
        if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
            for (status, response) in responses.iter_mut() {
                let resolved = resolve(&snapshot, response)?;
                if resolved.get("content").is_some() || response.get("$ref").is_some() {
                    let mut bodyless = Map::new();
                    let description = resolved.get("description").cloned().unwrap_or(Value::String(String::new()));
                    bodyless.insert("description".into(), description);
                    *response = Value::Object(bodyless);
                    changes.push(format!("{id}: response {status} declared without body"));
                }
            }
        }
        if method == "options" {
            op.insert(X_HAND_WRITTEN.into(), Value::Bool(true));
            changes.push(format!("{id}: written by hand (progenitor cannot emit OPTIONS)"));
        }
        Ok(())
    })?;
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn head_and_options_lose_response_bodies_and_options_is_hand_written() {
        let mut doc = json!({
            "components": {"responses": {"NotFound": {"description": "gone",
                "content": {"application/json": {"schema": {"type": "object"}}}}}},
            "paths": {"/p": {
                "head": {"operationId": "probe", "responses": {"200": {"description": "ok"},
                    "404": {"$ref": "#/components/responses/NotFound"}}},
                "options": {"operationId": "preflight", "responses": {"200": {}}},
                "get": {"operationId": "read", "responses": {"404": {"$ref": "#/components/responses/NotFound"}}}}}});
        apply(&mut doc).unwrap_or_default();
        assert_eq!(
            doc["paths"]["/p"]["head"]["responses"],
            json!({"200": {"description": "ok"}, "404": {"description": "gone"}})
        );
        assert_eq!(doc["paths"]["/p"]["options"]["x-pipecat-hand-written"], json!(true));
        assert_eq!(doc["paths"]["/p"]["get"]["responses"]["404"], json!({"$ref": "#/components/responses/NotFound"}));
    }
}
