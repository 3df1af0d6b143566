//! Merging standalone fragment documents (the vendor shipped the API as 24 of them until July 2026).
//!
//! Each fragment is a complete document with its own `info`, `servers`, `security` and `components`.
//! Merging keeps what each fragment meant: a fragment whose top-level `servers` or `security` differ from
//! the merged document's has them pushed down onto its own paths and operations, so a public-API
//! fragment still reaches the public base. Definitions that differ only in prose collapse into one; any
//! other difference is a conflict naming the element and both files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::document::{METHODS, facts, pointer_token};
use crate::error::{Result, SpecError};

/// Merges fragments, given in merge order, into one document.
pub fn merge_fragments(fragments: Vec<(PathBuf, Value)>) -> Result<Value> {
    let servers = most_common(&fragments, "servers");
    let security = most_common(&fragments, "security");
    let mut merged = Merged::default();
    let mut problems = Vec::new();
    for (file, mut fragment) in fragments {
        push_down(&mut fragment, servers.as_ref(), security.as_ref());
        if let Err(e) = merged.add(&file, fragment) {
            problems.push(e);
        }
    }
    SpecError::collect(problems)?;
    Ok(merged.finish(servers, security))
}

/// The value of a top-level key that most fragments share (the first such on a tie), if any has it.
fn most_common(fragments: &[(PathBuf, Value)], key: &str) -> Option<Value> {
    let mut counts: Vec<(Value, usize)> = Vec::new();
    for (_, fragment) in fragments {
        let Some(value) = fragment.get(key) else { continue };
        let value = facts(value);
        match counts.iter_mut().find(|(v, _)| *v == value) {
            Some((_, n)) => *n += 1,
            None => counts.push((value, 1)),
        }
    }
    let best = counts.iter().map(|(_, n)| *n).max()?;
    counts.into_iter().find(|(_, n)| *n == best).map(|(v, _)| v)
}

/// Moves a fragment's own top-level `servers` and `security` onto its paths and operations when they
/// differ from the merged document's, so they keep applying to exactly the fragment's operations.
fn push_down(fragment: &mut Value, servers: Option<&Value>, security: Option<&Value>) {
    let own_servers = fragment.get("servers").cloned().filter(|s| Some(&facts(s)) != servers);
    let own_security = fragment.get("security").cloned().filter(|s| Some(&facts(s)) != security);
    let Some(paths) = fragment.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        if let Some(servers) = &own_servers {
            item.entry("servers").or_insert_with(|| servers.clone());
        }
        if let Some(security) = &own_security {
            for method in METHODS {
                if let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) {
                    op.entry("security").or_insert_with(|| security.clone());
                }
            }
        }
    }
}

#[derive(Default)]
struct Merged {
    openapi: Option<Value>,
    info: Option<Value>,
    paths: Map<String, Value>,
    components: BTreeMap<String, Map<String, Value>>,
    tags: Vec<Value>,
    /// Which file first defined each element, for conflict messages.
    origin: BTreeMap<String, PathBuf>,
    operation_ids: BTreeMap<String, String>,
}

impl Merged {
    fn add(&mut self, file: &Path, fragment: Value) -> Result<()> {
        let Value::Object(fragment) = fragment else { return Ok(()) };
        self.openapi.get_or_insert_with(|| fragment.get("openapi").cloned().unwrap_or(Value::Null));
        if let Some(info) = fragment.get("info") {
            self.info.get_or_insert_with(|| info.clone());
        }
        let mut problems = Vec::new();
        for (path, item) in fragment.get("paths").and_then(Value::as_object).into_iter().flatten() {
            problems.extend(self.add_path(file, path, item).err());
        }
        for (section, entries) in fragment.get("components").and_then(Value::as_object).into_iter().flatten() {
            for (name, definition) in entries.as_object().into_iter().flatten() {
                let element = format!("components/{section}/{name}");
                let pointer = format!("/components/{}/{}", pointer_token(section), pointer_token(name));
                let slot = self.components.entry(section.clone()).or_default();
                let place = Place { element: &element, pointer: &pointer, file };
                problems.extend(insert_same(slot, &mut self.origin, place, name, definition).err());
            }
        }
        for tag in fragment.get("tags").and_then(Value::as_array).into_iter().flatten() {
            if !self.tags.iter().any(|t| t.get("name") == tag.get("name")) {
                self.tags.push(tag.clone());
            }
        }
        SpecError::collect(problems)
    }

    fn add_path(&mut self, file: &Path, path: &str, item: &Value) -> Result<()> {
        let target = self.paths.entry(path.to_string()).or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(target) = target else { return Ok(()) };
        let mut problems = Vec::new();
        for (key, value) in item.as_object().into_iter().flatten() {
            let element = if METHODS.contains(&key.as_str()) {
                format!("{} {path}", key.to_uppercase())
            } else {
                format!("`{key}` of path {path}")
            };
            if let Some(id) = value.get("operationId").and_then(Value::as_str) {
                match self.operation_ids.get(id) {
                    Some(other) if *other != element => problems.push(SpecError::Conflict {
                        element: format!("operationId {id} (on {other} and on {element})"),
                        first: self.origin.get(other).cloned().unwrap_or_default(),
                        second: file.to_path_buf(),
                        difference: String::new(),
                    }),
                    _ => {
                        self.operation_ids.insert(id.to_string(), element.clone());
                    }
                }
            }
            let pointer = format!("/paths/{}/{}", pointer_token(path), pointer_token(key));
            let place = Place { element: &element, pointer: &pointer, file };
            problems.extend(insert_same(target, &mut self.origin, place, key, value).err());
        }
        SpecError::collect(problems)
    }

    fn finish(self, servers: Option<Value>, security: Option<Value>) -> Value {
        let mut doc = Map::new();
        doc.insert("openapi".into(), self.openapi.unwrap_or(Value::Null));
        doc.insert("info".into(), self.info.unwrap_or_else(|| serde_json::json!({"title": "merged", "version": "0"})));
        if let Some(servers) = servers {
            doc.insert("servers".into(), servers);
        }
        if let Some(security) = security {
            doc.insert("security".into(), security);
        }
        doc.insert("paths".into(), Value::Object(self.paths));
        let components: Map<String, Value> = self.components.into_iter().map(|(k, v)| (k, Value::Object(v))).collect();
        if !components.is_empty() {
            doc.insert("components".into(), Value::Object(components));
        }
        if !self.tags.is_empty() {
            doc.insert("tags".into(), Value::Array(self.tags));
        }
        Value::Object(doc)
    }
}

/// Where a definition being merged sits: its name for people, its JSON pointer, and its file.
#[derive(Clone, Copy)]
struct Place<'a> {
    element: &'a str,
    pointer: &'a str,
    file: &'a Path,
}

/// Inserts `value` under `key`, or checks that what is there already states the same facts.
fn insert_same(
    target: &mut Map<String, Value>,
    origin: &mut BTreeMap<String, PathBuf>,
    place: Place<'_>,
    key: &str,
    value: &Value,
) -> Result<()> {
    match target.get(key) {
        None => {
            target.insert(key.to_string(), value.clone());
            origin.insert(place.element.to_string(), place.file.to_path_buf());
            Ok(())
        }
        Some(existing) => match first_difference(&facts(existing), &facts(value), place.pointer) {
            None => Ok(()),
            Some((pointer, first, second)) => Err(SpecError::Conflict {
                element: place.element.to_string(),
                first: origin.get(place.element).cloned().unwrap_or_default(),
                second: place.file.to_path_buf(),
                difference: format!("; first difference at #{pointer}: {first} there, {second} here"),
            }),
        },
    }
}

/// The first place (JSON pointer, in key order) where `a` and `b` differ, with each side's value there
/// (`(absent)` where one side has nothing), so a 300-line schema need not be compared by hand.
fn first_difference(a: &Value, b: &Value, pointer: &str) -> Option<(String, String, String)> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|key| {
                let inner = format!("{pointer}/{}", pointer_token(key));
                match (x.get(key), y.get(key)) {
                    (Some(v), Some(w)) => first_difference(v, w, &inner),
                    (v, w) => Some((inner, shown(v), shown(w))),
                }
            })
        }
        (Value::Array(x), Value::Array(y)) => (0..x.len().max(y.len())).find_map(|i| {
            let inner = format!("{pointer}/{i}");
            match (x.get(i), y.get(i)) {
                (Some(v), Some(w)) => first_difference(v, w, &inner),
                (v, w) => Some((inner, shown(v), shown(w))),
            }
        }),
        _ if a == b => None,
        _ => Some((pointer.to_string(), shown(Some(a)), shown(Some(b)))),
    }
}

/// A value as the conflict report shows it: JSON, cut short when long.
fn shown(value: Option<&Value>) -> String {
    let Some(value) = value else { return "(absent)".into() };
    let text = value.to_string();
    if text.chars().count() > 120 { format!("{}…", text.chars().take(120).collect::<String>()) } else { text }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fragment(server: &str, path: &str, op: Value) -> Value {
        json!({
            "openapi": "3.0.0", "info": {"title": path, "version": "1"},
            "servers": [{"url": server}],
            "paths": {path: {"get": op}},
            "components": {"schemas": {"ErrorResponse": {"type": "object", "description": path}}}
        })
    }

    #[test]
    fn identical_definitions_that_differ_in_prose_collapse() {
        let a = fragment("https://h/v1", "/a", json!({"operationId": "getA", "summary": "A", "responses": {}}));
        let b = fragment("https://h/v1", "/b", json!({"operationId": "getB", "responses": {}}));
        let c =
            fragment("https://h/v1", "/a", json!({"operationId": "getA", "summary": "other words", "responses": {}}));
        let merged = merge_fragments(vec![("a.yaml".into(), a), ("b.yaml".into(), b), ("c.yaml".into(), c)]);
        let merged = merged.unwrap_or_default();
        assert_eq!(merged["paths"].as_object().map(Map::len), Some(2));
        assert_eq!(merged["servers"], json!([{"url": "https://h/v1"}]));
    }

    #[test]
    fn a_minority_server_is_pushed_onto_its_own_paths() {
        let a = fragment("https://h/v1", "/a", json!({"operationId": "getA", "responses": {}}));
        let b = fragment("https://h/v1", "/b", json!({"operationId": "getB", "responses": {}}));
        let p = fragment("https://h/v1/public", "/p", json!({"operationId": "getP", "responses": {}}));
        let merged =
            merge_fragments(vec![("a.yaml".into(), a), ("b.yaml".into(), b), ("p.yaml".into(), p)]).unwrap_or_default();
        assert_eq!(merged["servers"], json!([{"url": "https://h/v1"}]));
        assert_eq!(merged["paths"]["/p"]["servers"], json!([{"url": "https://h/v1/public"}]));
        assert_eq!(merged["paths"]["/a"].get("servers"), None);
    }

    #[test]
    fn conflicts_name_the_element_and_both_files() {
        let a = fragment("https://h/v1", "/a", json!({"operationId": "getA", "responses": {}}));
        let mut b = fragment("https://h/v1", "/b", json!({"operationId": "getA", "responses": {}}));
        b["components"]["schemas"]["ErrorResponse"]["type"] = json!("string");
        let err = merge_fragments(vec![("a.yaml".into(), a), ("b.yaml".into(), b)])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("operationId getA (on GET /a and on GET /b)"), "{err}");
        assert!(err.contains("components/schemas/ErrorResponse is defined differently in a.yaml and b.yaml"), "{err}");
        assert!(
            err.contains(
                "first difference at #/components/schemas/ErrorResponse/type: \"object\" there, \"string\" here"
            ),
            "{err}"
        );
    }

    #[test]
    fn a_conflict_in_a_required_list_points_at_the_entry() {
        let schema =
            |required: Value| json!({"components": {"schemas": {"S": {"type": "object", "required": required}}}});
        let err = merge_fragments(vec![
            ("a.yaml".into(), schema(json!(["name", "id"]))),
            ("b.yaml".into(), schema(json!(["name"]))),
        ])
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(
            err.contains("first difference at #/components/schemas/S/required/1: \"id\" there, (absent) here"),
            "{err}"
        );
    }
}
