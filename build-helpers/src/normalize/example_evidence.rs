//! `example-evidence`: a response type accepts what the spec's own example of that response shows.
//!
//! The vendor's examples are evidence of what the API sends. Where an example omits a property its
//! schema requires (`getPropertiesSchema`'s `readOnly`), or holds `null` in a property that is not
//! nullable (`createService`'s `reconciledDeploymentId`), a client generated strictly from the schema
//! would fail to decode exactly the answer the vendor documents. This pass makes such a property optional
//! or nullable in the schema the response decodes, and reports each relaxation (`cargo spec check`
//! lists them). Only response examples are read; the relaxation is made in the schema the response
//! names, so a component shared with a request is relaxed there too (a request may then leave the
//! property out: more permissive, never less).

use serde_json::Value;

use super::Pass;
use crate::document::{METHODS, pointer_token};
use crate::error::Result;

pub(super) const PASS: Pass = Pass {
    name: "example-evidence",
    purpose: "let a response type accept what the spec's own example of that response shows",
    apply,
};

/// What a response example shows that its schema forbids.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Relaxation {
    /// The example omits this required property: it becomes optional.
    Optional(String),
    /// The example holds `null` here: the property becomes nullable.
    Nullable,
}

/// Deeper than any real schema; a bound so a self-referencing schema cannot recurse forever.
const MAX_DEPTH: usize = 64;

fn apply(doc: &mut Value) -> Result<Vec<String>> {
    let mut found: Vec<(String, Relaxation, String)> = Vec::new();
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let id = op.get("operationId").and_then(Value::as_str).unwrap_or(path);
            for (status, response) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
                for (media, content) in response.get("content").and_then(Value::as_object).into_iter().flatten() {
                    let Some(schema) = content.get("schema") else { continue };
                    let pointer = format!(
                        "/paths/{}/{method}/responses/{}/content/{}/schema",
                        pointer_token(path),
                        pointer_token(status),
                        pointer_token(media)
                    );
                    let examples = content.get("example").into_iter().chain(
                        content
                            .get("examples")
                            .and_then(Value::as_object)
                            .into_iter()
                            .flatten()
                            .filter_map(|(_, e)| e.get("value")),
                    );
                    for example in examples {
                        let mut walk = Walk { doc, found: &mut found, source: format!("{id} {status}") };
                        walk.schema(schema, &pointer, example, 0);
                    }
                }
            }
        }
    }
    let mut changes = Vec::new();
    for (pointer, relaxation, source) in found {
        let Some(schema) = doc.pointer_mut(&pointer) else { continue };
        let change = match &relaxation {
            Relaxation::Optional(property) => {
                let Some(required) = schema.get_mut("required").and_then(Value::as_array_mut) else { continue };
                let before = required.len();
                required.retain(|name| name.as_str() != Some(property));
                if required.len() == before {
                    continue;
                }
                format!("#{pointer}: `{property}` optional (the example of {source} omits it)")
            }
            Relaxation::Nullable => {
                if schema.get("nullable") == Some(&Value::Bool(true)) {
                    continue;
                }
                if let Some(reference) = schema.get("$ref").cloned() {
                    *schema = serde_json::json!({"allOf": [{"$ref": reference}], "nullable": true});
                } else if let Some(map) = schema.as_object_mut() {
                    map.insert("nullable".into(), Value::Bool(true));
                }
                format!("#{pointer}: nullable (the example of {source} holds null there)")
            }
        };
        if !changes.contains(&change) {
            changes.push(change);
        }
    }
    Ok(changes)
}

struct Walk<'a, 'f> {
    doc: &'a Value,
    found: &'f mut Vec<(String, Relaxation, String)>,
    source: String,
}

impl Walk<'_, '_> {
    fn schema(&mut self, schema: &Value, pointer: &str, example: &Value, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let target = reference.strip_prefix('#').unwrap_or(reference);
            if let Some(resolved) = self.doc.pointer(target) {
                self.schema(resolved, target, example, depth + 1);
            }
            return;
        }
        for (i, part) in schema.get("allOf").and_then(Value::as_array).into_iter().flatten().enumerate() {
            self.schema(part, &format!("{pointer}/allOf/{i}"), example, depth + 1);
        }
        match example {
            Value::Object(fields) => {
                for required in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
                    if let Some(name) = required.as_str()
                        && !fields.contains_key(name)
                    {
                        self.found.push((pointer.to_string(), Relaxation::Optional(name.into()), self.source.clone()));
                    }
                }
                for (name, value) in fields {
                    let (property, property_pointer) = match schema.get("properties").and_then(|p| p.get(name)) {
                        Some(property) => (property, format!("{pointer}/properties/{}", pointer_token(name))),
                        // A map: each entry is an instance of `additionalProperties`.
                        None => match schema.get("additionalProperties").filter(|a| a.is_object()) {
                            Some(entry) => (entry, format!("{pointer}/additionalProperties")),
                            None => continue,
                        },
                    };
                    if value.is_null() {
                        if !self.nullable(property) {
                            self.found.push((property_pointer, Relaxation::Nullable, self.source.clone()));
                        }
                    } else {
                        self.schema(property, &property_pointer, value, depth + 1);
                    }
                }
            }
            Value::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for item in items {
                        self.schema(item_schema, &format!("{pointer}/items"), item, depth + 1);
                    }
                }
            }
            _ => {}
        }
    }

    /// Whether `schema` admits `null`: it says `nullable: true`, or it states no type (any value).
    fn nullable(&self, schema: &Value) -> bool {
        let resolved = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| self.doc.pointer(r.strip_prefix('#').unwrap_or(r)))
            .unwrap_or(schema);
        schema.get("nullable") == Some(&Value::Bool(true))
            || resolved.get("nullable") == Some(&Value::Bool(true))
            || (resolved.get("type").is_none()
                && resolved.get("$ref").is_none()
                && ["allOf", "oneOf", "anyOf", "properties", "enum"].iter().all(|k| resolved.get(*k).is_none()))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_required_property_the_example_omits_becomes_optional_and_a_null_nullable() {
        let mut doc = json!({
            "paths": {"/p": {"get": {"operationId": "getP", "responses": {"200": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/P"},
                "example": {"props": {"region": {"type": "string", "id": null}}}}}}}}}},
            "components": {"schemas": {
                "P": {"type": "object", "properties": {"props": {"type": "object",
                    "additionalProperties": {"$ref": "#/components/schemas/Prop"}}}},
                "Prop": {"type": "object", "required": ["type", "readOnly"], "properties": {
                    "type": {"type": "string"}, "readOnly": {"type": "boolean"}, "id": {"type": "string"}}}}}
        });
        let changes = apply(&mut doc).unwrap_or_default();
        assert_eq!(doc["components"]["schemas"]["Prop"]["required"], json!(["type"]));
        assert_eq!(doc["components"]["schemas"]["Prop"]["properties"]["id"]["nullable"], json!(true));
        assert_eq!(
            changes,
            [
                "#/components/schemas/Prop: `readOnly` optional (the example of getP 200 omits it)",
                "#/components/schemas/Prop/properties/id: nullable (the example of getP 200 holds null there)"
            ]
        );
        // Run again, nothing left to relax.
        assert!(apply(&mut doc).unwrap_or_default().is_empty());
    }

    #[test]
    fn requests_and_matching_examples_are_left_alone() {
        let schema = json!({"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}});
        let mut doc = json!({"paths": {"/p": {"post": {"operationId": "postP",
            "requestBody": {"content": {"application/json": {"schema": schema.clone(), "example": {}}}},
            "responses": {"200": {"content": {"application/json": {"schema": schema.clone(), "example": {"a": "x"}}}}}}}}});
        assert!(apply(&mut doc).unwrap_or_default().is_empty());
        assert_eq!(doc["paths"]["/p"]["post"]["requestBody"]["content"]["application/json"]["schema"], schema);
    }
}
