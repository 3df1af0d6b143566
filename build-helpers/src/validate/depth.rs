//! How deep schemas nest. Each level of nesting is one more Rust type inside another, and rustc proves
//! auto traits (`Freeze`, `Send`) through the whole chain with a bounded recursion: past a depth the
//! generated crate does not build (`E0275 overflow evaluating the requirement NonNull<u8>: Freeze`),
//! and `cargo check` alone does not show it. The bound is measured, not guessed: see
//! [`MAX_SCHEMA_DEPTH`].

use std::collections::BTreeMap;

use serde_json::Value;

use crate::document::pointer_token;
use crate::error::SpecError;

/// Deepest nesting of schemas accepted, counted in schemas from an answer's or a component's schema
/// (an object holding an object holding a string is 3). Found by building the whole workspace with
/// getService's answer holding a property nested N objects deep (`probe_nesting_depths` in
/// `build-helpers/tests/spec_fuzz/nesting.rs`), with rustc 1.95 and its default `recursion_limit` of 128: N = 59
/// (61 levels) builds and N = 60 (62 levels) does not, in the generated crate. The bound keeps 13 levels
/// of margin for lists and wrappers around a nested schema, which add steps to rustc's proof; the spec
/// fuzz builds the workspace with schemas nested up to this bound at random places.
pub const MAX_SCHEMA_DEPTH: usize = 48;

/// The keys whose values are schemas nested one level down.
const NESTING: [&str; 4] = ["properties", "items", "additionalProperties", "not"];
const COMPOSING: [&str; 3] = ["allOf", "anyOf", "oneOf"];

/// Reports every root schema (see `check_schemas`) that nests deeper than [`MAX_SCHEMA_DEPTH`], at the
/// place where the bound is passed.
pub fn check_depth(doc: &Value, roots: &[(String, &Value)], problems: &mut Vec<SpecError>) {
    let mut memo: BTreeMap<String, usize> = BTreeMap::new();
    for (pointer, schema) in roots {
        let depth = depth_of(doc, schema, &mut memo, &mut Vec::new(), MAX_SCHEMA_DEPTH + 1);
        if depth > MAX_SCHEMA_DEPTH {
            let place = deepest_place(doc, pointer, schema, MAX_SCHEMA_DEPTH);
            problems.push(SpecError::invalid(
                format!("#{place}"),
                format!(
                    "schemas nest more than {MAX_SCHEMA_DEPTH} levels deep here, more than the generated Rust \
                     types can hold (rustc stops proving their traits past that); flatten the schema"
                ),
            ));
            return;
        }
    }
}

/// The depth of `schema`, counted up to `budget` (more is reported as `budget`: only passing the bound
/// matters, and the walk stays as shallow as the bound however long a chain of references is): 1 for a
/// leaf, one more than its deepest child; a `$ref` to a schema being walked (a cycle, which the
/// generator boxes) adds nothing. `memo` keeps the exact depths of references, those below the budget.
fn depth_of(
    doc: &Value,
    schema: &Value,
    memo: &mut BTreeMap<String, usize>,
    visiting: &mut Vec<String>,
    budget: usize,
) -> usize {
    if budget == 0 {
        return 0;
    }
    if schema.get("$ref").is_some() {
        // A chain of references is followed in a loop: it adds no level, and may be long.
        let mut chain: Vec<String> = Vec::new();
        let mut target = schema;
        while let Some(reference) = target.get("$ref").and_then(Value::as_str) {
            if visiting.iter().chain(&chain).any(|r| r == reference) {
                return 0;
            }
            if let Some(known) = memo.get(reference) {
                return (*known).min(budget);
            }
            chain.push(reference.to_string());
            match reference.strip_prefix('#').and_then(|p| doc.pointer(p)) {
                Some(next) => target = next,
                None => return 0,
            }
        }
        let walked = chain.len();
        visiting.append(&mut chain);
        let depth = depth_of(doc, target, memo, visiting, budget);
        for reference in visiting.drain(visiting.len() - walked..) {
            if depth < budget {
                memo.insert(reference, depth);
            }
        }
        return depth;
    }
    1 + children(schema).map(|child| depth_of(doc, child, memo, visiting, budget - 1)).max().unwrap_or(0)
}

/// The schemas one level below `schema`. The inline parts of a composition (`allOf`, ...) stand at its
/// own level, so their children are its children; a referenced part is a type of its own, one level down.
fn children(schema: &Value) -> impl Iterator<Item = &Value> {
    let mut out: Vec<&Value> = Vec::new();
    let mut stack = vec![schema];
    while let Some(node) = stack.pop() {
        for key in NESTING {
            match node.get(key) {
                Some(Value::Object(properties)) if key == "properties" => out.extend(properties.values()),
                Some(child) if child.is_object() && key != "properties" => out.push(child),
                _ => {}
            }
        }
        for part in COMPOSING.iter().filter_map(|key| node.get(*key)).filter_map(Value::as_array).flatten() {
            if part.get("$ref").is_some() { out.push(part) } else { stack.push(part) }
        }
    }
    out.into_iter()
}

/// The pointer `limit` levels down the deepest branch of `schema` (at `pointer`), following inline
/// schemas only: where to look. A branch through a `$ref` stops at the reference.
fn deepest_place(doc: &Value, pointer: &str, schema: &Value, limit: usize) -> String {
    let mut memo = BTreeMap::new();
    let (mut pointer, mut schema) = (pointer.to_string(), schema);
    for _ in 0..=limit {
        let mut best: Option<(usize, String, &Value)> = None;
        for (key, child) in schema.as_object().into_iter().flatten() {
            let candidates: Vec<(String, &Value)> = match (key.as_str(), child) {
                ("properties", Value::Object(properties)) => properties
                    .iter()
                    .map(|(name, s)| (format!("{pointer}/properties/{}", pointer_token(name)), s))
                    .collect(),
                ("items" | "additionalProperties" | "not", s) if s.is_object() => vec![(format!("{pointer}/{key}"), s)],
                _ => Vec::new(),
            };
            for (child_pointer, child) in candidates {
                let depth = depth_of(doc, child, &mut memo, &mut Vec::new(), limit + 1);
                if best.as_ref().is_none_or(|(d, _, _)| depth > *d) {
                    best = Some((depth, child_pointer, child));
                }
            }
        }
        match best {
            Some((_, next_pointer, next)) if next.get("$ref").is_none() => (pointer, schema) = (next_pointer, next),
            Some((_, next_pointer, _)) => return next_pointer,
            None => break,
        }
    }
    pointer
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn nested(depth: usize) -> Value {
        let mut schema = json!({"type": "string"});
        for _ in 1..depth {
            schema = json!({"type": "object", "properties": {"level": schema}});
        }
        schema
    }

    fn problems(doc: &Value) -> Vec<String> {
        let roots: Vec<(String, &Value)> = doc["components"]["schemas"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(name, schema)| (format!("/components/schemas/{name}"), schema))
            .collect();
        let mut found = Vec::new();
        check_depth(doc, &roots, &mut found);
        found.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn the_bound_is_accepted_and_one_more_is_refused_where_it_is_passed() {
        assert!(problems(&json!({"components": {"schemas": {"S": nested(MAX_SCHEMA_DEPTH)}}})).is_empty());
        let found = problems(&json!({"components": {"schemas": {"S": nested(MAX_SCHEMA_DEPTH + 1)}}}));
        let place = format!("#/components/schemas/S{}", "/properties/level".repeat(MAX_SCHEMA_DEPTH));
        assert_eq!(found.len(), 1);
        assert!(
            found[0].starts_with(&format!("{place}: schemas nest more than {MAX_SCHEMA_DEPTH} levels deep")),
            "{found:?}"
        );
    }

    #[test]
    fn depth_carries_through_references_and_stops_at_cycles() {
        let half = MAX_SCHEMA_DEPTH / 2 + 1;
        let mut inner = nested(half);
        let doc = json!({"components": {"schemas": {
            "Outer": {"type": "object", "properties": {"inner": {"allOf": [{"$ref": "#/components/schemas/Inner"}]},
                "deep": nested(half)}},
            "Inner": inner.take(),
            "Loop": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Loop"}}}}}});
        assert!(problems(&doc).is_empty(), "{:?}", problems(&doc));
        let mut chain = json!({"components": {"schemas": {}}});
        for i in 0..=MAX_SCHEMA_DEPTH {
            chain["components"]["schemas"][format!("S{i}")] = json!({"type": "object",
                "properties": {"next": {"$ref": format!("#/components/schemas/S{}", i + 1)}}});
        }
        chain["components"]["schemas"][format!("S{}", MAX_SCHEMA_DEPTH + 1)] = json!({"type": "string"});
        assert!(problems(&chain).iter().any(|p| p.contains("levels deep")), "a chain of named schemas nests too");
        // A chain of 20,000 references is walked no deeper than the bound.
        let mut long = json!({"components": {"schemas": {}}});
        for i in 0..20_000 {
            long["components"]["schemas"][format!("S{i}")] =
                json!({"$ref": format!("#/components/schemas/S{}", i + 1)});
        }
        long["components"]["schemas"]["S20000"] = json!({"type": "string"});
        let _ = problems(&long);
    }
}
