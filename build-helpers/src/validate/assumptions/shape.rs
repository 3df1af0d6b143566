//! The shapes the hand-written code was written against, and how a spec's shapes are compared with
//! them.
//!
//! The generated type of a field follows from more than its name: its `type` and `format`, whether it
//! is required or nullable, a `default`, bounds, a `pattern` (a constrained string becomes a newtype),
//! the `$ref` it names (the type's name). A shape keeps every keyword of a schema except prose and
//! samples, so any change that could change a generated type changes the shape. Three things are left
//! out because the code does not depend on them: which other properties an object the code reads
//! has (a new field is a new struct field; only whether it has any is kept: a struct or a map), enum values (the ones the code names are assumptions of their
//! own; only whether `null` is among them is kept) and a default's value. On the request side an object's required properties and their shapes
//! are kept: they are the arguments of its constructor.
//!
//! `shapes.txt` records the shapes of the workspace's spec; a unit test keeps it equal to them
//! (`UPDATE_GOLDEN=1` rewrites it).

use std::collections::BTreeMap;

use serde_json::Value;

use super::walk::{Side, Stop, Walk};

/// Keywords that change no generated type: prose and samples. (`title` is not prose here: it names
/// the type generated for an inline schema.)
const PROSE: &[&str] = &["description", "example", "examples", "externalDocs", "deprecated"];

/// How deep a shape follows nested schemas; deeper ones are written `…`.
const MAX_DEPTH: usize = 12;

/// The shapes recorded for the workspace's spec.
const RECORDED: &str = include_str!("shapes.txt");

/// Where `shapes.txt` sits, for messages.
pub(super) const RECORDED_AT: &str = "build-helpers/src/validate/assumptions/shapes.txt";

/// The command that rewrites `shapes.txt` from the workspace's spec (`openapi/`). It runs that one test
/// only: the other tests compare against the shapes compiled in, which are the old ones until the next
/// build.
pub(super) const REWRITE_SHAPES: &str =
    "UPDATE_GOLDEN=1 cargo test -p pipecat-cloud-build-helpers --lib recorded_shapes";

/// One line of a shape block: the place in the spec it describes, and the text.
#[derive(Debug, Clone)]
pub(super) struct Line {
    /// JSON pointer (without `#`) of what the line describes.
    pub pointer: String,
    /// e.g. `timestamp optional: {"format":"date-time","type":"string"}`.
    pub text: String,
}

/// The shape of `node` on `side`, as one line of JSON with sorted keys.
pub(super) fn schema_shape(doc: &Value, node: &Value, side: Side) -> String {
    shape(doc, node, side, 0, &mut Vec::new()).to_string()
}

/// The shape of `node`; `refs` are the references being followed (a cycle stops at the second visit).
/// The `title` of a schema that a `$ref` reaches is left out: its component's name names its type.
fn shape(doc: &Value, node: &Value, side: Side, depth: usize, refs: &mut Vec<String>) -> Value {
    shape_of(doc, node, side, depth, refs, false)
}

fn shape_of(doc: &Value, node: &Value, side: Side, depth: usize, refs: &mut Vec<String>, named: bool) -> Value {
    let Some(map) = node.as_object() else { return node.clone() };
    if depth > MAX_DEPTH {
        return Value::String("…".into());
    }
    let mut out = BTreeMap::new();
    for (key, value) in map {
        if PROSE.contains(&key.as_str()) {
            continue;
        }
        let kept = match key.as_str() {
            "$ref" => reference(doc, value, side, depth, refs),
            // `null` among an enum's values makes a request field required and nullable (the
            // `explicit-null-requests` pass), so it is kept.
            "enum" if value.as_array().is_some_and(|values| values.contains(&Value::Null)) => {
                Value::String("…, null".into())
            }
            "enum" | "default" => Value::String("…".into()),
            "title" if named => continue,
            // The code reads some properties of an object; others may come and go. Whether it has
            // any decides between a struct and a map.
            "properties" if side == Side::Answer => match value.as_object() {
                Some(properties) if !properties.is_empty() => Value::String("…".into()),
                _ => continue,
            },
            "required" if side == Side::Answer => continue,
            "required" => {
                let mut names: Vec<&str> = value.as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                names.sort_unstable();
                Value::from(names)
            }
            "properties" => {
                let required: Vec<&str> = map
                    .get("required")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                let kept: BTreeMap<&String, Value> = value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter(|(name, _)| required.contains(&name.as_str()))
                    .map(|(name, property)| (name, shape(doc, property, side, depth + 1, refs)))
                    .collect();
                serde_json::to_value(kept).unwrap_or_default()
            }
            "items" | "additionalProperties" | "not" => shape(doc, value, side, depth + 1, refs),
            "allOf" | "oneOf" | "anyOf" => {
                value.as_array().into_iter().flatten().map(|part| shape(doc, part, side, depth + 1, refs)).collect()
            }
            _ => value.clone(),
        };
        out.insert(key.clone(), kept);
    }
    serde_json::to_value(out).unwrap_or_default()
}

/// A `$ref`, as `{name: shape of the target}`; a cycle or a reference that goes nowhere as its text.
fn reference(doc: &Value, value: &Value, side: Side, depth: usize, refs: &mut Vec<String>) -> Value {
    let Some(text) = value.as_str() else { return value.clone() };
    let name = text.rsplit('/').next().unwrap_or(text).to_string();
    if refs.iter().any(|seen| seen == text) {
        return Value::String(format!("{name} (cycle)"));
    }
    let Some(target) = text.strip_prefix('#').and_then(|pointer| doc.pointer(pointer)) else {
        return Value::String(text.to_string());
    };
    refs.push(text.to_string());
    let target = shape_of(doc, target, side, depth + 1, refs, true);
    refs.pop();
    let mut named = serde_json::Map::new();
    named.insert(name, target);
    Value::Object(named)
}

/// The lines of a walk: each property with whether it is required, and its shape.
pub(super) fn walk_lines(doc: &Value, walk: &Walk<'_>, side: Side) -> Vec<Line> {
    walk.steps
        .iter()
        .map(|step| {
            let presence = match step.required {
                Some(true) => " required",
                Some(false) => " optional",
                None => "",
            };
            Line {
                pointer: step.entry.clone(),
                text: format!("{}{presence}: {}", step.name, schema_shape(doc, step.node, side)),
            }
        })
        .collect()
}

/// The line of a parameter (at `pointer`, its `$ref` followed): where it goes, its name, whether it
/// is required, and its schema's shape.
pub(super) fn parameter_line(doc: &Value, pointer: &str, param: &Value) -> Line {
    let location = param.get("in").and_then(Value::as_str).unwrap_or("?");
    let name = param.get("name").and_then(Value::as_str).unwrap_or("?");
    let required = param.get("required").and_then(Value::as_bool).unwrap_or(false);
    // Not followed: a `$ref` names the parameter's type, which its shape keeps.
    let schema = param.get("schema");
    Line {
        pointer: format!("{pointer}/schema"),
        text: format!(
            "{location} {name}{}: {}",
            if required { " required" } else { "" },
            schema.map_or_else(|| "no schema".to_string(), |s| schema_shape(doc, s, Side::Request))
        ),
    }
}

/// The recorded block of `key`, a line each.
fn recorded(key: &str) -> Option<Vec<&'static str>> {
    let mut lines = RECORDED.lines().skip_while(|line| *line != key);
    lines.next()?;
    Some(lines.take_while(|line| line.starts_with("  ")).map(|line| line.trim_start()).collect())
}

/// Where `current`, the block of `key` in the spec being checked, differs from the recorded one, and
/// how; `None` when they are the same. `fallback` is the place to name when a line is missing.
pub(super) fn changed(key: &str, current: &[Line], fallback: &str) -> Option<Stop> {
    let Some(recorded) = recorded(key) else {
        return Some((format!("#{fallback}"), format!("no shape is recorded for it in {RECORDED_AT}")));
    };
    let pairs = recorded.iter().map(Some).chain(std::iter::repeat(None));
    for (index, (was, now)) in pairs.zip(current.iter().map(Some).chain(std::iter::repeat(None))).enumerate() {
        match (was, now) {
            (None, None) => return None,
            (Some(was), Some(now)) if *was == now.text => {}
            (Some(was), Some(now)) => {
                return Some((
                    format!("#{}", now.pointer),
                    format!("the code was written against `{was}`, and the spec now says `{}`", now.text),
                ));
            }
            (Some(was), None) => {
                let at = current.get(index.saturating_sub(1)).map_or(fallback, |line| line.pointer.as_str());
                return Some((
                    format!("#{at}"),
                    format!("the code was written against `{was}`, which the spec no longer has"),
                ));
            }
            (None, Some(now)) => {
                return Some((format!("#{}", now.pointer), format!("the code was not written against `{}`", now.text)));
            }
        }
    }
    None
}

/// `blocks` written as `shapes.txt` is.
pub(super) fn render(blocks: &[(String, Vec<Line>)]) -> String {
    let mut out = format!(
        "# @generated by `{REWRITE_SHAPES}`; do not edit.\n\
         # The shapes the workspace's hand-written code was written against (build-helpers/src/validate/assumptions):\n\
         # `cargo spec check` refuses a spec in which one of them differs.\n",
    );
    for (key, lines) in blocks {
        out.push_str(key);
        out.push('\n');
        for line in lines {
            out.push_str("  ");
            out.push_str(&line.text);
            out.push('\n');
        }
    }
    out
}
