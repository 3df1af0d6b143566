//! The spec's schemas as JSON Schema (draft 7), for tools that check instances at run time: the
//! conformance check over the recordings and the emulator's request and response checks. Each
//! operation's request body and response bodies become one JSON Schema each, sharing the component
//! schemas as `definitions`.

use serde_json::{Map, Value, json};

use crate::document::{operations, resolve};

/// An OpenAPI 3.0 schema as JSON Schema draft 7: `nullable` becomes a `null` type (or an `anyOf` with
/// `null` for schemas without a type), component references point into `definitions`, and the
/// keywords JSON Schema does not know are dropped.
pub fn to_json_schema(node: &Value) -> Value {
    match node {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                let name = reference.rsplit('/').next().unwrap_or(reference);
                return json!({"$ref": format!("#/definitions/{name}")});
            }
            let mut out = Map::new();
            for (key, value) in map {
                if matches!(
                    key.as_str(),
                    "nullable" | "example" | "examples" | "deprecated" | "discriminator" | "xml" | "externalDocs"
                ) || key.starts_with("x-")
                {
                    continue;
                }
                // Field names inside `properties` are not keywords: convert their schemas, keep the names.
                let converted = if key == "properties" {
                    Value::Object(
                        value.as_object().into_iter().flatten().map(|(k, v)| (k.clone(), to_json_schema(v))).collect(),
                    )
                } else {
                    to_json_schema(value)
                };
                out.insert(key.clone(), converted);
            }
            if map.get("nullable") == Some(&Value::Bool(true)) {
                match out.get("type").cloned() {
                    Some(Value::String(kind)) => {
                        out.insert("type".into(), json!([kind, "null"]));
                        if let Some(values) = out.get_mut("enum").and_then(Value::as_array_mut)
                            && !values.contains(&Value::Null)
                        {
                            values.push(Value::Null);
                        }
                    }
                    _ => return json!({"anyOf": [Value::Object(out), {"type": "null"}]}),
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(to_json_schema).collect()),
        other => other.clone(),
    }
}

/// The spec's component schemas as JSON Schema `definitions`.
pub fn definitions(doc: &Value) -> Value {
    let schemas = doc.pointer("/components/schemas").and_then(Value::as_object).cloned().unwrap_or_default();
    Value::Object(schemas.into_iter().map(|(name, schema)| (name, to_json_schema(&schema))).collect())
}

/// `schema` as a standalone JSON Schema document: converted, with `definitions` beside it.
pub fn standalone(schema: &Value, definitions: &Value) -> Value {
    let mut root = match to_json_schema(schema) {
        Value::Object(map) => map,
        other => return other,
    };
    root.insert("definitions".into(), definitions.clone());
    Value::Object(root)
}

/// Every operation's JSON bodies as JSON Schema, keyed by operationId:
/// `{"definitions": {...}, "operations": {"getService": {"request": SCHEMA|null, "responses":
/// {"200": SCHEMA|null, ...}}}}`. A response without a JSON body is `null`; the schemas refer to the
/// shared `definitions` (`#/definitions/Name`), so a checker puts them beside each schema.
pub fn operation_schemas(doc: &Value) -> Value {
    let mut by_operation = Map::new();
    for op in operations(doc) {
        let Some(id) = op.operation_id() else { continue };
        let json_schema = |node: Option<&Value>| {
            node.and_then(|n| resolve(doc, n).ok())
                .and_then(|n| n.pointer("/content/application~1json/schema"))
                .map_or(Value::Null, to_json_schema)
        };
        let request = json_schema(op.operation.get("requestBody"));
        let responses: Map<String, Value> = op
            .operation
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(status, response)| (status.clone(), json_schema(Some(response))))
            .collect();
        by_operation.insert(id.to_string(), json!({"request": request, "responses": responses}));
    }
    json!({"definitions": definitions(doc), "operations": by_operation})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_becomes_a_null_type_and_refs_point_into_definitions() {
        let schema = json!({"type": "object", "properties": {
            "a": {"type": "string", "nullable": true, "enum": ["x", null]},
            "b": {"nullable": true, "allOf": [{"$ref": "#/components/schemas/B"}]},
            "description": {"type": "string", "example": "kept as a field"}}});
        assert_eq!(
            to_json_schema(&schema),
            json!({"type": "object", "properties": {
            "a": {"type": ["string", "null"], "enum": ["x", null]},
            "b": {"anyOf": [{"allOf": [{"$ref": "#/definitions/B"}]}, {"type": "null"}]},
            "description": {"type": "string"}}})
        );
    }

    #[test]
    fn each_operation_gets_its_request_and_response_schemas() {
        let doc = json!({"paths": {"/a": {"post": {"operationId": "makeA",
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}},
            "responses": {"200": {"content": {"application/json": {"schema": {"type": "object"}}}},
                          "204": {"description": "none"}}}}},
            "components": {"schemas": {"A": {"type": "string", "nullable": true}}}});
        let schemas = operation_schemas(&doc);
        assert_eq!(schemas["operations"]["makeA"]["request"], json!({"$ref": "#/definitions/A"}));
        assert_eq!(schemas["operations"]["makeA"]["responses"]["200"], json!({"type": "object"}));
        assert_eq!(schemas["operations"]["makeA"]["responses"]["204"], Value::Null);
        assert_eq!(schemas["definitions"]["A"], json!({"type": ["string", "null"]}));
    }
}
