//! Walking an OpenAPI document held as JSON: its operations, local `$ref`s, and its facts without prose.
//!
//! Loading, validation, normalization and diffing all work on `serde_json::Value` rather than on
//! `openapiv3` types: the passes must see and rewrite shapes that typed models reject or lose (a
//! `nullable` beside `allOf`, `servers` on a path item, extensions), and errors must point at the JSON.

use serde_json::{Map, Value};

use crate::error::{Result, SpecError};

/// HTTP methods an OpenAPI 3.0 path item can hold, in the order the spec lists them.
pub const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Keys that carry prose only; two definitions that differ only in these are the same definition.
pub const PROSE_KEYS: [&str; 6] = ["description", "summary", "title", "example", "examples", "externalDocs"];

/// One operation of a document, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct OperationRef<'a> {
    /// The path template, e.g. `/secrets/{setName}`.
    pub path: &'a str,
    /// The lower-case method key, e.g. `delete`.
    pub method: &'a str,
    /// The operation object.
    pub operation: &'a Value,
    /// The path item that holds it (for path-level `parameters` and `servers`).
    pub path_item: &'a Value,
}

impl<'a> OperationRef<'a> {
    /// The operationId, if there is one.
    pub fn operation_id(&self) -> Option<&'a str> {
        self.operation.get("operationId").and_then(Value::as_str)
    }

    /// `operationId (METHOD /path) at #/paths/~1path/method`, or `METHOD /path at ...` without an
    /// operationId: how errors name operations, by name and by JSON pointer.
    pub fn label(&self) -> String {
        let route = format!("{} {}", self.method.to_uppercase(), self.path);
        match self.operation_id() {
            Some(id) => format!("{id} ({route}) at #{}", self.pointer()),
            None => format!("{route} at #{}", self.pointer()),
        }
    }

    /// The JSON pointer of the operation object, e.g. `/paths/~1agents/get`.
    pub fn pointer(&self) -> String {
        format!("/paths/{}/{}", pointer_token(self.path), self.method)
    }
}

/// Every operation of the document, in document order.
pub fn operations(doc: &Value) -> Vec<OperationRef<'_>> {
    let mut out = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in METHODS {
                if let Some(operation) = item.get(method) {
                    out.push(OperationRef { path, method, operation, path_item: item });
                }
            }
        }
    }
    out
}

/// Calls `f` with every operation, mutably, as `(path, method, operation)`.
pub fn for_each_operation_mut(doc: &mut Value, mut f: impl FnMut(&str, &str, &mut Value) -> Result<()>) -> Result<()> {
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            for method in METHODS {
                if let Some(operation) = item.get_mut(method) {
                    f(path, method, operation)?;
                }
            }
        }
    }
    Ok(())
}

/// Follows local `$ref`s (`#/components/...`) from `node` until a node without `$ref` is reached.
pub fn resolve<'a>(doc: &'a Value, node: &'a Value) -> Result<&'a Value> {
    let mut current = node;
    // A chain longer than this is a cycle: refs to refs are rare and short in practice.
    for _ in 0..32 {
        let Some(reference) = current.get("$ref").and_then(Value::as_str) else {
            return Ok(current);
        };
        current = lookup(doc, reference)?;
    }
    Err(SpecError::invalid(
        node.get("$ref").and_then(Value::as_str).unwrap_or("$ref"),
        "the $ref chain does not end (a cycle of references)",
    ))
}

/// The node a local reference such as `#/components/schemas/ErrorResponse` points at.
pub fn lookup<'a>(doc: &'a Value, reference: &str) -> Result<&'a Value> {
    let pointer = reference.strip_prefix('#').ok_or_else(|| {
        SpecError::invalid(
            reference,
            "only local references (starting with `#/`) are supported; inline the referenced file",
        )
    })?;
    doc.pointer(pointer).ok_or_else(|| SpecError::invalid(reference, "the $ref points at nothing in this document"))
}

/// The parameters of an operation, path-level ones first, each resolved; an operation-level parameter
/// replaces a path-level one of the same name and location, as OpenAPI says.
pub fn parameters<'a>(doc: &'a Value, op: &OperationRef<'a>) -> Result<Vec<&'a Value>> {
    let mut out: Vec<&Value> = Vec::new();
    for list in [op.path_item.get("parameters"), op.operation.get("parameters")].into_iter().flatten() {
        for param in list.as_array().into_iter().flatten() {
            let param = resolve(doc, param)?;
            let key = |p: &Value| (p.get("name").cloned(), p.get("in").cloned());
            out.retain(|existing| key(existing) != key(param));
            out.push(param);
        }
    }
    Ok(out)
}

/// A copy of `node` without prose keys and `x-` extensions: the facts two definitions must agree on.
/// Keys of a `properties` map are field names, never prose, and are kept.
pub fn facts(node: &Value) -> Value {
    strip(node, false)
}

fn strip(node: &Value, names: bool) -> Value {
    match node {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                let keyword = !names;
                if keyword && (PROSE_KEYS.contains(&key.as_str()) || key.starts_with("x-")) {
                    continue;
                }
                out.insert(key.clone(), strip(value, keyword && key == "properties"));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| strip(v, false)).collect()),
        other => other.clone(),
    }
}

/// `key` escaped as one JSON pointer token (RFC 6901: `~` as `~0`, `/` as `~1`).
pub fn pointer_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Converts a spec identifier such as `deleteSecretFromSet` or `setName` to `snake_case`, the way
/// progenitor names methods and parameters.
pub fn snake_case(name: &str) -> String {
    heck::ToSnakeCase::to_snake_case(name)
}

/// Converts a spec identifier to `UpperCamelCase`, the way typify names types.
pub fn upper_camel_case(name: &str) -> String {
    heck::ToUpperCamelCase::to_upper_camel_case(name)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn facts_drop_prose_but_keep_fields_named_like_prose() {
        let schema = json!({
            "description": "prose", "type": "object",
            "properties": {"description": {"type": "string", "description": "more prose"}},
            "x-internal": true
        });
        assert_eq!(facts(&schema), json!({"type": "object", "properties": {"description": {"type": "string"}}}));
    }

    #[test]
    fn resolve_follows_chains_and_reports_dangling_refs() {
        let doc = json!({"components": {"responses": {
            "A": {"$ref": "#/components/responses/B"}, "B": {"description": "b"}}}});
        let node = json!({"$ref": "#/components/responses/A"});
        assert_eq!(resolve(&doc, &node).ok(), Some(&json!({"description": "b"})));
        let dangling = json!({"$ref": "#/components/responses/C"});
        let err = resolve(&doc, &dangling).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("#/components/responses/C") && err.contains("points at nothing"), "{err}");
    }

    #[test]
    fn resolve_reports_cycles() {
        let doc = json!({"components": {"schemas": {"A": {"$ref": "#/components/schemas/A"}}}});
        let err = resolve(&doc, &json!({"$ref": "#/components/schemas/A"})).err().map(|e| e.to_string());
        assert!(err.unwrap_or_default().contains("cycle"));
    }
}
