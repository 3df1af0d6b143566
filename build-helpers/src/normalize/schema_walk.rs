//! Walking the schemas of one side of the API: what responses decode, or what request bodies encode.
//! Inline schemas and every component schema reachable through `$ref` from that side are visited.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::document::{METHODS, upper_camel_case};

const REF_PREFIX: &str = "#/components/schemas/";

/// A schema found inside a response, with the name typify would give a type defined there.
pub(super) struct Site<'a> {
    /// The type name typify would give this schema.
    pub name: String,
    /// The schema node.
    pub schema: &'a mut Value,
    /// True for the root of a component schema (already named), false for inline schemas.
    pub is_component: bool,
}

/// Which side of the API a walk covers.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    /// Schemas responses decode.
    Response,
    /// Schemas request bodies encode.
    Request,
}

impl Side {
    /// The operation key holding this side's schemas, and the suffix typify gives inline types there.
    fn key_and_suffix(self) -> (&'static str, &'static str) {
        match self {
            Side::Response => ("responses", "Response"),
            Side::Request => ("requestBody", "Body"),
        }
    }
}

/// Calls `f` on every schema node reachable from responses: inline ones named after their operation
/// (`DeleteServiceResponse...`), component ones after their component.
pub(super) fn for_each_response_schema(doc: &mut Value, f: impl FnMut(Site<'_>)) {
    for_each_schema(doc, Side::Response, f);
}

/// Calls `f` on every schema node reachable from `side`, children before parents.
pub(super) fn for_each_schema(doc: &mut Value, side: Side, mut f: impl FnMut(Site<'_>)) {
    let (key, suffix) = side.key_and_suffix();
    let components = reachable_components(doc, key);
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            for method in METHODS {
                let Some(op) = item.get_mut(method) else { continue };
                let name = format!(
                    "{}{suffix}",
                    upper_camel_case(op.get("operationId").and_then(Value::as_str).unwrap_or("Anonymous"))
                );
                let containers: Vec<&mut Value> = match (side, op.get_mut(key)) {
                    (Side::Response, Some(Value::Object(responses))) => responses.values_mut().collect(),
                    (Side::Request, Some(body)) => vec![body],
                    _ => Vec::new(),
                };
                for container in containers {
                    for media in container.get_mut("content").and_then(Value::as_object_mut).into_iter().flatten() {
                        if let Some(schema) = media.1.get_mut("schema") {
                            walk(schema, &name, false, &mut f);
                        }
                    }
                }
            }
        }
    }
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for (name, schema) in schemas.iter_mut().filter(|(name, _)| components.contains(*name)) {
            walk(schema, name, true, &mut f);
        }
    }
}

/// Visits `schema` and its sub-schemas depth first, children before parents, naming each the way typify
/// names inline types: parent name followed by the property name, `Item` for array items.
fn walk(schema: &mut Value, name: &str, is_component: bool, f: &mut impl FnMut(Site<'_>)) {
    if schema.get("$ref").is_some() {
        return;
    }
    if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for (prop, sub) in props.iter_mut() {
            walk(sub, &format!("{name}{}", upper_camel_case(prop)), false, f);
        }
    }
    if let Some(items) = schema.get_mut("items") {
        walk(items, &format!("{name}Item"), false, f);
    }
    if let Some(extra) = schema.get_mut("additionalProperties").filter(|v| v.is_object()) {
        walk(extra, &format!("{name}Value"), false, f);
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for (i, sub) in schema.get_mut(key).and_then(Value::as_array_mut).into_iter().flatten().enumerate() {
            walk(sub, &format!("{name}Variant{i}"), false, f);
        }
    }
    f(Site { name: name.to_string(), schema, is_component });
}

/// Names of the component schemas reachable from any operation's `key` (`responses` or `requestBody`).
pub(crate) fn reachable_components(doc: &Value, key: &str) -> BTreeSet<String> {
    let mut roots = Vec::new();
    for item in doc.get("paths").and_then(Value::as_object).into_iter().flatten().map(|(_, v)| v) {
        for method in METHODS {
            if let Some(root) = item.get(method).and_then(|op| op.get(key)) {
                roots.push(root);
            }
        }
    }
    let mut found = BTreeSet::new();
    let mut queue: Vec<String> = Vec::new();
    let mut followed = BTreeSet::new();
    for root in roots {
        collect_refs(doc, root, &mut queue, &mut followed);
    }
    while let Some(name) = queue.pop() {
        if found.insert(name.clone())
            && let Some(schema) = doc.pointer(&format!("/components/schemas/{name}"))
        {
            collect_refs(doc, schema, &mut queue, &mut followed);
        }
    }
    found
}

/// Pushes the component schema names referenced under `node`, following other `$ref`s (responses,
/// parameters) too, each once: a reference that leads back to itself (`$ref: '#'`, a response referring
/// to itself) is followed once and then left, instead of recursing until the stack overflows.
fn collect_refs<'a>(doc: &'a Value, node: &'a Value, out: &mut Vec<String>, followed: &mut BTreeSet<&'a str>) {
    match node {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                if let Some(name) = reference.strip_prefix(REF_PREFIX) {
                    out.push(name.to_string());
                } else if followed.insert(reference)
                    && let Ok(target) = crate::document::lookup(doc, reference)
                {
                    collect_refs(doc, target, out, followed);
                }
            }
            map.values().for_each(|v| collect_refs(doc, v, out, followed));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(doc, v, out, followed)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn references_that_lead_back_to_themselves_end() {
        let doc = json!({
            "paths": {"/a": {"get": {"responses": {
                "200": {"content": {"application/json": {"schema": {"$ref": "#"}}}},
                "404": {"$ref": "#/components/responses/R"}
            }}}},
            "components": {
                "responses": {"R": {"$ref": "#/components/responses/R"}},
                "schemas": {"S": {"type": "object", "properties": {"self": {"$ref": "#/components/schemas/S"}}}}
            }
        });
        let found = reachable_components(&doc, "responses");
        assert!(found.contains("S"), "{found:?}");
    }
}
