//! `tolerant-responses`: unknown response fields are ignored.
//!
//! A response schema with `additionalProperties: false` makes the generated type reject any field the
//! server adds later, turning a harmless server upgrade into failed calls. Such constraints are dropped
//! from every schema a response can decode; request schemas keep them.

use serde_json::Value;

use super::Pass;
use super::schema_walk::for_each_response_schema;
use crate::error::Result;

pub(super) const PASS: Pass =
    Pass { name: "tolerant-responses", purpose: "let response types ignore fields the spec does not list", apply };

fn apply(doc: &mut Value) -> Result<Vec<String>> {
    let mut changes = Vec::new();
    for_each_response_schema(doc, |site| {
        if site.schema.get("additionalProperties") == Some(&Value::Bool(false))
            && let Some(map) = site.schema.as_object_mut()
        {
            map.remove("additionalProperties");
            changes.push(format!("{}: unknown fields allowed", site.name));
        }
    });
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn closed_response_objects_are_opened_but_requests_stay_closed() {
        let closed = json!({"type": "object", "additionalProperties": false, "properties": {"a": {"type": "string"}}});
        let mut doc = json!({"paths": {"/x": {"patch": {"operationId": "change",
            "requestBody": {"content": {"application/json": {"schema": closed.clone()}}},
            "responses": {"200": {"content": {"application/json": {"schema": closed.clone()}}}}}}}});
        let changes = apply(&mut doc).unwrap_or_default();
        let op = &doc["paths"]["/x"]["patch"];
        assert_eq!(op["requestBody"]["content"]["application/json"]["schema"], closed);
        assert_eq!(op["responses"]["200"]["content"]["application/json"]["schema"].get("additionalProperties"), None);
        assert_eq!(changes, vec!["ChangeResponse: unknown fields allowed"]);
    }
}
