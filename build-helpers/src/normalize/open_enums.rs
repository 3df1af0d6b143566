//! `open-response-enums`: a value the spec does not list never fails a call.
//!
//! The spec has many inline response enums (`status: [OK]`, secret set `status`, build `status`,
//! revision `phase`...). A closed Rust enum turns a new server value into a decoding error, although the
//! call succeeded. Each response enum is lifted into a named component schema (named as typify would name
//! the inline type) and marked `x-pipecat-open-enum`; the generator then emits an enum with the listed
//! values plus an `Unknown(String)` variant that keeps the raw value. Request enums stay closed: the
//! client should only send what the API documents.

use serde_json::{Map, Value, json};

use super::schema_walk::for_each_response_schema;
use super::{Pass, X_OPEN_ENUM};
use crate::error::{Result, SpecError};

pub(super) const PASS: Pass =
    Pass { name: "open-response-enums", purpose: "make response enums decode values the spec does not list", apply };

fn is_string_enum(schema: &Value) -> bool {
    schema.get("enum").is_some() && schema.get("type").and_then(Value::as_str) == Some("string")
}

fn apply(doc: &mut Value) -> Result<Vec<String>> {
    let mut lifted: Vec<(String, Value)> = Vec::new();
    let mut changes = Vec::new();
    for_each_response_schema(doc, |site| {
        if !is_string_enum(site.schema) {
            return;
        }
        let Some(map) = site.schema.as_object_mut() else { return };
        if site.is_component {
            map.insert(X_OPEN_ENUM.into(), Value::Bool(true));
            changes.push(format!("{}: open enum", site.name));
            return;
        }
        let mut schema = std::mem::take(map);
        // `null` among the values and `nullable` are both carried by the Option around the field.
        schema.remove("nullable");
        if let Some(values) = schema.get_mut("enum").and_then(Value::as_array_mut) {
            values.retain(|v| !v.is_null());
        }
        schema.insert(X_OPEN_ENUM.into(), Value::Bool(true));
        *site.schema = json!({"$ref": format!("#/components/schemas/{}", site.name)});
        changes.push(format!("{}: lifted into an open enum", site.name));
        lifted.push((site.name, Value::Object(schema)));
    });
    let schemas = doc
        .as_object_mut()
        .map(|d| d.entry("components").or_insert_with(|| Value::Object(Map::new())))
        .and_then(Value::as_object_mut)
        .map(|c| c.entry("schemas").or_insert_with(|| Value::Object(Map::new())))
        .and_then(Value::as_object_mut)
        .ok_or_else(|| SpecError::Normalize { pass: PASS.name, message: "`components` is not a mapping".into() })?;
    for (name, schema) in lifted {
        match schemas.get(&name) {
            Some(existing) if crate::document::facts(existing) != crate::document::facts(&schema) => {
                return Err(SpecError::Normalize {
                    pass: PASS.name,
                    message: format!(
                        "the inline enum {name} would replace a different component schema of that name (at \
                         #/components/schemas/{name}); rename one"
                    ),
                });
            }
            _ => {
                schemas.insert(name, schema);
            }
        }
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn inline_response_enums_are_lifted_and_component_enums_marked() {
        let mut doc = json!({
            "paths": {"/x": {"delete": {"operationId": "deleteThing",
                "requestBody": {"content": {"application/json": {"schema":
                    {"type": "object", "properties": {"mode": {"type": "string", "enum": ["a"]}}}}}},
                "responses": {"200": {"content": {"application/json": {"schema": {"type": "object",
                    "properties": {"status": {"type": "string", "enum": ["OK"]},
                                   "build": {"$ref": "#/components/schemas/Build"}}}}}}}}}},
            "components": {"schemas": {
                "Build": {"type": "object", "properties": {"state": {"$ref": "#/components/schemas/State"}}},
                "State": {"type": "string", "enum": ["pending", "done"]}}}});
        let changes = apply(&mut doc).unwrap_or_default();
        let op = &doc["paths"]["/x"]["delete"];
        assert_eq!(
            op["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["status"],
            json!({"$ref": "#/components/schemas/DeleteThingResponseStatus"})
        );
        assert_eq!(
            doc["components"]["schemas"]["DeleteThingResponseStatus"],
            json!({"type": "string", "enum": ["OK"], "x-pipecat-open-enum": true})
        );
        assert_eq!(doc["components"]["schemas"]["State"]["x-pipecat-open-enum"], json!(true));
        // The request enum stays as it was.
        assert_eq!(
            op["requestBody"]["content"]["application/json"]["schema"]["properties"]["mode"],
            json!({"type": "string", "enum": ["a"]})
        );
        assert_eq!(changes.len(), 2);
    }
}
