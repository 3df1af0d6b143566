//! Finding what an assumption names in the spec: an operation's parameters, and a field reached from
//! its success answer or its request body by property names, through `$ref`s and compositions.

use std::collections::HashSet;
use std::fmt::Write as _;

use serde_json::Value;

use crate::document::{OperationRef, pointer_token};

/// Where a walk stopped and why: a JSON pointer (with its `#`) and what is missing there.
pub(super) type Stop = (String, String);

/// Which schema a walk starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    /// The first success answer's body: what the code reads.
    Answer,
    /// The request body: what the code writes, through constructors and setters.
    Request,
}

/// One property (or `[]`, an array's items) on the way to a field.
#[derive(Debug)]
pub(super) struct Step<'a> {
    /// The property's name, or `[]`.
    pub name: &'a str,
    /// Where the property is written (before its `$ref` is followed).
    pub entry: String,
    /// The property as written.
    pub node: &'a Value,
    /// Whether the object holding it lists it as `required`; `None` for `[]`.
    pub required: Option<bool>,
}

/// A walk from an operation's body schema to a field. A step `<Name>` picks the variant of a `oneOf`
/// or `anyOf` that refers to the schema `Name` (the body type the code constructs).
#[derive(Debug)]
pub(super) struct Walk<'a> {
    /// Each property on the way, the field last.
    pub steps: Vec<Step<'a>>,
    /// The pointer of the schema the field resolves to.
    pub resolved: String,
}

/// The JSON pointer of parameter `name` in `location` (operation-level first, then path-level), with
/// a `$ref` followed.
pub(super) fn parameter<'a>(
    doc: &'a Value,
    op: &OperationRef<'a>,
    location: &str,
    name: &str,
) -> Option<(String, &'a Value)> {
    parameters_in(doc, op).into_iter().find(|(_, param)| {
        param.get("in").and_then(Value::as_str) == Some(location)
            && param.get("name").and_then(Value::as_str) == Some(name)
    })
}

/// Every parameter of `op` (operation-level first, then path-level), each with a `$ref` followed.
pub(super) fn parameters_in<'a>(doc: &'a Value, op: &OperationRef<'a>) -> Vec<(String, &'a Value)> {
    let lists = [(op.pointer(), op.operation), (format!("/paths/{}", pointer_token(op.path)), op.path_item)];
    let mut out = Vec::new();
    for (base, node) in lists {
        for (index, param) in node.get("parameters").and_then(Value::as_array).into_iter().flatten().enumerate() {
            out.push(follow(doc, format!("{base}/parameters/{index}"), param));
        }
    }
    out
}

/// `node` at `pointer`, or what its local `$ref` points at (a chain of them is followed, at most 32).
pub(super) fn follow<'a>(doc: &'a Value, mut pointer: String, mut node: &'a Value) -> (String, &'a Value) {
    for _ in 0..32 {
        let Some(target) = node.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) else { break };
        match doc.pointer(target) {
            Some(next) => {
                pointer = target.to_string();
                node = next;
            }
            None => break,
        }
    }
    (pointer, node)
}

/// The body schema a walk on `side` starts from: its pointer, the schema as written, and what the
/// body is (`answer 200 application/json`, `body application/json, required`).
pub(super) fn body<'a>(doc: &'a Value, op: &OperationRef<'a>, side: Side) -> Result<(String, &'a Value, String), Stop> {
    let (base, label, container) = match side {
        Side::Answer => {
            let responses = op.operation.get("responses").and_then(Value::as_object);
            let success = responses.into_iter().flatten().find(|(status, _)| status.starts_with('2'));
            let Some((status, response)) = success else {
                return Err((format!("#{}/responses", op.pointer()), "no success answer".into()));
            };
            let (pointer, response) =
                follow(doc, format!("{}/responses/{}", op.pointer(), pointer_token(status)), response);
            (pointer, format!("answer {status}"), response)
        }
        Side::Request => {
            let Some(request) = op.operation.get("requestBody") else {
                return Err((format!("#{}", op.pointer()), "no request body".into()));
            };
            let (pointer, request) = follow(doc, format!("{}/requestBody", op.pointer()), request);
            let required = request.get("required").and_then(Value::as_bool).unwrap_or(false);
            (pointer, format!("body{}", if required { ", required," } else { "" }), request)
        }
    };
    let Some((media, entry)) = container.get("content").and_then(Value::as_object).and_then(|c| c.iter().next()) else {
        return Err((format!("#{base}"), format!("the {label} has no content")));
    };
    let at = format!("{base}/content/{}", pointer_token(media));
    let Some(schema) = entry.get("schema") else { return Err((format!("#{at}"), "no schema".into())) };
    Ok((format!("{at}/schema"), schema, format!("{label} {media}")))
}

/// The walk along `path` from `op`'s body on `side`, or where it stopped and why.
pub(super) fn walk<'a>(
    doc: &'a Value,
    op: &OperationRef<'a>,
    side: Side,
    path: &'a [&'a str],
) -> Result<Walk<'a>, Stop> {
    let (root, schema, _) = body(doc, op, side)?;
    let (mut pointer, mut schema) = follow(doc, root, schema);
    let mut walked = String::new();
    let mut steps = Vec::new();
    for step in path {
        let next = if *step == "[]" {
            schema.get("items").map(|items| (format!("{pointer}/items"), items, None))
        } else if let Some(name) = step.strip_prefix('<').and_then(|s| s.strip_suffix('>')) {
            variant(&pointer, schema, name).map(|(at, node)| (at, node, None))
        } else {
            property(doc, &pointer, schema, step, side).map(|(at, node, required)| (at, node, Some(required)))
        };
        let Some((entry, node, required)) = next else {
            let what = if *step == "[]" {
                format!("`{}` is not a list", walked.trim_start_matches('.'))
            } else if step.starts_with('<') {
                format!(
                    "no variant of the {} is {step}",
                    if walked.is_empty() { "body" } else { walked.trim_start_matches('.') }
                )
            } else if walked.is_empty() {
                format!("the {} has no property `{step}`", if side == Side::Answer { "answer" } else { "body" })
            } else {
                format!("`{}` has no property `{step}`", walked.trim_start_matches('.'))
            };
            return Err((format!("#{pointer}"), what));
        };
        let _ = write!(walked, "{}{step}", if *step == "[]" { "" } else { "." });
        steps.push(Step { name: step, entry: entry.clone(), node, required });
        (pointer, schema) = follow(doc, entry, node);
    }
    Ok(Walk { steps, resolved: pointer })
}

/// The variant of `schema`'s `oneOf` or `anyOf` (at `pointer`) that is a `$ref` to the schema `name`:
/// where it is written, and the variant.
fn variant<'a>(pointer: &str, schema: &'a Value, name: &str) -> Option<(String, &'a Value)> {
    ["oneOf", "anyOf"].into_iter().find_map(|key| {
        let parts = schema.get(key).and_then(Value::as_array)?;
        parts.iter().enumerate().find_map(|(index, part)| {
            let target = part.get("$ref").and_then(Value::as_str)?;
            (target.rsplit('/').next() == Some(name)).then(|| (format!("{pointer}/{key}/{index}"), part))
        })
    })
}

/// Property `name` of `schema` (at `pointer`), looked up in its `properties` and in the parts of its
/// `allOf` (a nullable reference is written `allOf: [$ref]`), and for a request body in the variants
/// of a `oneOf` or `anyOf` too (the body the code writes is one of them): where it is written, the
/// property, and whether the object holding it requires it.
///
/// Compositions can refer back to themselves (`A: {allOf: [$ref: A]}`, or through one another): each
/// schema is searched once, so such a cycle ends as "not found" instead of overflowing the stack, and
/// parts that share a schema are not searched again.
fn property<'a>(
    doc: &'a Value,
    pointer: &str,
    schema: &'a Value,
    name: &str,
    side: Side,
) -> Option<(String, &'a Value, bool)> {
    property_once(doc, pointer, schema, name, side, &mut HashSet::new())
}

fn property_once<'a>(
    doc: &'a Value,
    pointer: &str,
    schema: &'a Value,
    name: &str,
    side: Side,
    searched: &mut HashSet<String>,
) -> Option<(String, &'a Value, bool)> {
    if !searched.insert(pointer.to_string()) {
        return None;
    }
    let listed = |schema: &Value| {
        schema.get("required").and_then(Value::as_array).is_some_and(|r| r.iter().any(|n| n.as_str() == Some(name)))
    };
    if let Some(found) = schema.get("properties").and_then(|p| p.get(name)) {
        return Some((format!("{pointer}/properties/{}", pointer_token(name)), found, listed(schema)));
    }
    let compositions: &[&str] = match side {
        Side::Answer => &["allOf"],
        Side::Request => &["allOf", "oneOf", "anyOf"],
    };
    for key in compositions {
        for (index, part) in schema.get(*key).and_then(Value::as_array).into_iter().flatten().enumerate() {
            let (part_pointer, part) = follow(doc, format!("{pointer}/{key}/{index}"), part);
            if let Some((at, found, required)) = property_once(doc, &part_pointer, part, name, side, searched) {
                return Some((at, found, required || listed(schema)));
            }
        }
    }
    None
}

/// Where the schema at `pointer` says what kind of value it is not: no `type`, no reference, no
/// composition.
pub(super) fn untyped(doc: &Value, pointer: &str) -> Option<Stop> {
    let schema = match doc.pointer(pointer) {
        Some(schema) => schema,
        None => return Some(nowhere(pointer)),
    };
    let typed = ["type", "$ref", "allOf", "oneOf", "anyOf", "enum"].iter().any(|key| schema.get(*key).is_some());
    (!typed).then(|| (format!("#{pointer}"), "the field has no `type`".to_string()))
}

/// A schema that a walk pointed at but that is not there: refused, never taken as met.
fn nowhere(pointer: &str) -> Stop {
    (format!("#{pointer}"), "the field's schema is not at this place".to_string())
}

/// The first of `listed` that the enum of the schema at `pointer` (or of an `allOf` part) lacks.
pub(super) fn missing_values(doc: &Value, pointer: &str, listed: &[&str]) -> Option<Stop> {
    let schema = match doc.pointer(pointer) {
        Some(schema) => schema,
        None => return Some(nowhere(pointer)),
    };
    let (pointer, schema) = follow(doc, pointer.to_string(), schema);
    let mut values: Vec<&str> =
        schema.get("enum").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    for (index, part) in schema.get("allOf").and_then(Value::as_array).into_iter().flatten().enumerate() {
        let (_, part) = follow(doc, format!("{pointer}/allOf/{index}"), part);
        values.extend(part.get("enum").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str));
    }
    let at = if schema.get("enum").is_some() { format!("#{pointer}/enum") } else { format!("#{pointer}") };
    listed.iter().find(|value| !values.contains(value)).map(|value| (at, format!("the value {value:?} is not listed")))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Schemas whose compositions refer back to themselves, directly and through each other, with a
    /// fan-out of two at each level: the search ends, at once, with "not found".
    #[test]
    fn a_composition_cycle_ends_the_search() {
        let doc = json!({"components": {"schemas": {
            "A": {"allOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}]},
            "B": {"allOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}],
                  "oneOf": [{"$ref": "#/components/schemas/C"}]},
            "C": {"properties": {"found": {"type": "string"}}, "required": ["found"]},
        }}});
        let a = "/components/schemas/A";
        let schema = doc.pointer(a).cloned().unwrap_or_default();
        assert!(property(&doc, a, &schema, "missing", Side::Request).is_none());
        // Still found through the cycle where it exists (in a request body, through the `oneOf`).
        let found = property(&doc, a, &schema, "found", Side::Request).map(|(at, _, required)| (at, required));
        assert_eq!(found, Some(("/components/schemas/C/properties/found".to_string(), true)));
        assert!(property(&doc, a, &schema, "found", Side::Answer).is_none());
    }

    /// A place that holds no schema is a refusal, not a pass.
    #[test]
    fn a_schema_that_is_not_there_is_refused() {
        let doc = json!({"components": {"schemas": {"A": {"type": "string", "enum": ["ready"]}}}});
        assert!(untyped(&doc, "/components/schemas/A").is_none());
        assert!(missing_values(&doc, "/components/schemas/A", &["ready"]).is_none());
        for stop in [untyped(&doc, "/components/schemas/B"), missing_values(&doc, "/components/schemas/B", &["ready"])]
        {
            assert_eq!(stop.map(|(at, _)| at), Some("#/components/schemas/B".to_string()));
        }
    }
}
