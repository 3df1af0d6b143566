//! `shared-request-types`: one type for an inline schema that several request bodies repeat.
//!
//! `createService` and `updateService` take the same `agentProfile`, `autoScaling` and `krispViva`,
//! each written inline in both bodies. Generated as they are, every copy is a type of its own
//! (`CreateServiceRequestAgentProfile` and `UpdateServiceRequestAgentProfile`), so code that builds
//! either body from the same settings converts between twins. Inline properties of request schemas that
//! are equal, their prose aside, under the same property name, become one component named after the
//! property (`AgentProfile`), unless a component has that name already (then they stay twins, and the
//! pass says so). Only what builds a type is shared: an enum or an object with properties.
//!
//! Should the vendor later make the copies differ, the shared component goes and the twins come back:
//! code that names it stops compiling, and `cargo spec diff` rates the removed type an ERR.

use std::collections::BTreeMap;

use serde_json::Value;

use super::Pass;
use super::schema_walk::reachable_components;
use crate::document::{METHODS, pointer_token, upper_camel_case};
use crate::error::Result;

pub(super) const PASS: Pass = Pass {
    name: "shared-request-types",
    purpose: "give one type to an inline request schema that several bodies repeat",
    apply,
};

/// Keys that only document a schema: copies that differ in them alone are the same type. (A `title` is
/// not prose here: it names the type generated for an inline schema, so copies with other titles are
/// meant as other types.)
const PROSE: [&str; 3] = ["description", "example", "examples"];

/// `schema` without its prose, at every depth, for comparing copies.
fn without_prose(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(key, _)| !PROSE.contains(&key.as_str()))
                .map(|(key, value)| {
                    // A property named like a prose key is a property, not prose.
                    let value = if key == "properties" {
                        Value::Object(
                            value
                                .as_object()
                                .into_iter()
                                .flatten()
                                .map(|(name, sub)| (name.clone(), without_prose(sub)))
                                .collect(),
                        )
                    } else {
                        without_prose(value)
                    };
                    (key.clone(), value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_prose).collect()),
        other => other.clone(),
    }
}

/// True for a schema typify makes a type of: an enum, or an object with properties.
fn makes_a_type(schema: &Value) -> bool {
    schema.get("$ref").is_none()
        && (schema.get("enum").is_some()
            || schema.get("properties").and_then(Value::as_object).is_some_and(|p| !p.is_empty()))
}

/// The JSON pointers of the request side's object schemas: the component schemas request bodies reach,
/// and each body's own inline schema.
fn request_schemas(doc: &Value) -> Vec<String> {
    let mut pointers: Vec<String> = reachable_components(doc, "requestBody")
        .into_iter()
        .map(|name| format!("/components/schemas/{}", pointer_token(&name)))
        .collect();
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        for method in METHODS {
            let body = format!("/paths/{}/{method}/requestBody/content", pointer_token(path));
            for (media, content) in
                item.pointer(&format!("/{method}/requestBody/content")).and_then(Value::as_object).into_iter().flatten()
            {
                if content.pointer("/schema/$ref").is_none() && content.get("schema").is_some() {
                    pointers.push(format!("{body}/{}/schema", pointer_token(media)));
                }
            }
        }
    }
    pointers
}

fn apply(doc: &mut Value) -> Result<Vec<String>> {
    // Every inline property that makes a type, grouped by its name and its schema without prose.
    let mut groups: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for parent in request_schemas(doc) {
        let Some(properties) = doc.pointer(&format!("{parent}/properties")).and_then(Value::as_object) else {
            continue;
        };
        for (name, schema) in properties.iter().filter(|(_, schema)| makes_a_type(schema)) {
            let shape = without_prose(schema).to_string();
            groups
                .entry((name.clone(), shape))
                .or_default()
                .push(format!("{parent}/properties/{}", pointer_token(name)));
        }
    }
    let mut changes = Vec::new();
    for ((property, _), places) in groups.into_iter().filter(|(_, places)| places.len() > 1) {
        let name = upper_camel_case(&property);
        let listed = places.iter().map(|p| format!("#{p}")).collect::<Vec<_>>().join(", ");
        if doc.pointer(&format!("/components/schemas/{}", pointer_token(&name))).is_some() {
            changes.push(format!("{listed}: equal, but left apart: the component {name} exists already"));
            continue;
        }
        let Some(schema) = doc.pointer(&places[0]).cloned() else { continue };
        let reference = serde_json::json!({"$ref": format!("#/components/schemas/{name}")});
        for place in &places {
            if let Some(node) = doc.pointer_mut(place) {
                *node = reference.clone();
            }
        }
        if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
            schemas.insert(name.clone(), schema);
        }
        changes.push(format!("{listed}: one type, components/schemas/{name}"));
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn spec(create: Value, update: Value) -> Value {
        json!({
            "openapi": "3.0.3",
            "paths": {
                "/agents": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Create"}}}}}},
                "/agents/{name}": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Update"}}}}}}
            },
            "components": {"schemas": {
                "Create": {"type": "object", "properties": {"profile": create, "name": {"type": "string"}}},
                "Update": {"type": "object", "properties": {"profile": update}}
            }}
        })
    }

    #[test]
    fn equal_inline_request_schemas_become_one_component_named_after_the_property() {
        let profile = json!({"description": "Size.", "type": "string", "enum": ["a", "b"]});
        let mut doc =
            spec(profile.clone(), json!({"description": "Size, again.", "type": "string", "enum": ["a", "b"]}));
        let changes = apply(&mut doc).unwrap_or_default();
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(doc.pointer("/components/schemas/Profile"), Some(&profile));
        for parent in ["Create", "Update"] {
            assert_eq!(
                doc.pointer(&format!("/components/schemas/{parent}/properties/profile/$ref")),
                Some(&json!("#/components/schemas/Profile"))
            );
        }
        // A plain string makes no type: left inline.
        assert_eq!(doc.pointer("/components/schemas/Create/properties/name"), Some(&json!({"type": "string"})));
    }

    #[test]
    fn copies_that_differ_or_whose_name_is_taken_stay_apart() {
        let mut differ = spec(json!({"type": "string", "enum": ["a", "b"]}), json!({"type": "string", "enum": ["a"]}));
        assert!(apply(&mut differ).unwrap_or_default().is_empty());
        assert!(differ.pointer("/components/schemas/Profile").is_none());
        let mut taken = spec(json!({"type": "string", "enum": ["a"]}), json!({"type": "string", "enum": ["a"]}));
        taken["components"]["schemas"]["Profile"] = json!({"type": "integer"});
        let changes = apply(&mut taken).unwrap_or_default();
        assert!(changes[0].contains("left apart"), "{changes:?}");
        assert_eq!(taken.pointer("/components/schemas/Create/properties/profile/enum"), Some(&json!(["a"])));
    }
}
