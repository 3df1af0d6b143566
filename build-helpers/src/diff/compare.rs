//! Comparing two normalized documents: operations, parameters, bodies, responses, components.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::Change;
use super::rules::{self, PARAMETER_CONSTRAINTS, Rule};
use super::schema::{SchemaDiff, Side, compare_constraints, enum_changes, enum_values, show_values, type_of};
use crate::document::{OperationRef, operations, parameters, resolve, snake_case};
use crate::normalize::schema_walk::reachable_components;
use crate::normalize::{X_BASE, X_KEY};
use crate::shapes::lists::list_shape;

/// Every change from `base` to `new`, both normalized documents, sorted by level (most severe first),
/// then operation and location.
pub fn diff_documents(base: &Value, new: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    let push =
        |out: &mut Vec<Change>, rule: &'static Rule, operation: Option<&str>, location: &str, message: String| {
            out.push(Change::new(rule, operation, location, message));
        };
    let (base_servers, new_servers) = (main_server(base), main_server(new));
    if base_servers != new_servers {
        push(
            &mut out,
            rules::MAIN_SERVER_CHANGED,
            None,
            "servers",
            format!("main server {base_servers} → {new_servers}"),
        );
    }
    let base_ops = by_route(base);
    let new_ops = by_route(new);
    let base_paths: BTreeSet<&str> = base_ops.keys().map(|(_, path)| path.as_str()).collect();
    let new_paths: BTreeSet<&str> = new_ops.keys().map(|(_, path)| path.as_str()).collect();
    for (route, op) in &base_ops {
        let name = route_name(route);
        let id = op.operation_id().unwrap_or("?");
        match new_ops.get(route) {
            None if !new_paths.contains(route.1.as_str()) => {
                push(
                    &mut out,
                    rules::PATH_REMOVED,
                    Some(&name),
                    "path",
                    format!("path {} removed, with operation {id}", route.1),
                );
            }
            None => {
                push(&mut out, rules::OPERATION_REMOVED, Some(&name), "operation", format!("operation {id} removed"))
            }
            Some(new_op) => {
                OperationDiff { base_doc: base, new_doc: new, base: op, new: new_op, name: &name, out: &mut out }
                    .compare()
            }
        }
    }
    for (route, op) in &new_ops {
        if base_ops.contains_key(route) {
            continue;
        }
        let name = route_name(route);
        let id = op.operation_id().unwrap_or("?");
        if base_paths.contains(route.1.as_str()) {
            push(&mut out, rules::OPERATION_ADDED, Some(&name), "operation", format!("operation {id} added"));
        } else {
            push(
                &mut out,
                rules::PATH_ADDED,
                Some(&name),
                "path",
                format!("path {} added, with operation {id}", route.1),
            );
        }
    }
    compare_security_schemes(base, new, &mut out);
    compare_components(base, new, &mut out);
    out.sort_by(|a, b| {
        b.level()
            .cmp(&a.level())
            .then_with(|| a.operation.cmp(&b.operation))
            .then_with(|| a.location.cmp(&b.location))
            .then_with(|| a.id().cmp(b.id()))
    });
    out
}

fn main_server(doc: &Value) -> String {
    doc.pointer("/servers/0/url").and_then(Value::as_str).unwrap_or("(none)").trim_end_matches('/').to_string()
}

type Route = (String, String);

/// Operations keyed by (METHOD, the spec's own path without the normalization prefix).
fn by_route(doc: &Value) -> BTreeMap<Route, OperationRef<'_>> {
    operations(doc)
        .into_iter()
        .map(|op| {
            let base = op.operation.get(X_BASE).and_then(Value::as_str).unwrap_or("");
            let path = op.path.strip_prefix(base).unwrap_or(op.path).to_string();
            ((op.method.to_uppercase(), path), op)
        })
        .collect()
}

fn route_name((method, path): &Route) -> String {
    format!("{method} {path}")
}

/// One operation present on both sides, and where its changes go.
struct OperationDiff<'a, 'o> {
    base_doc: &'a Value,
    new_doc: &'a Value,
    base: &'a OperationRef<'a>,
    new: &'a OperationRef<'a>,
    name: &'a str,
    out: &'o mut Vec<Change>,
}

impl OperationDiff<'_, '_> {
    fn push(&mut self, rule: &'static Rule, location: &str, message: String) {
        self.out.push(Change::new(rule, Some(self.name), location, message));
    }

    fn compare(mut self) {
        let (base, new) = (self.base, self.new);
        if base.operation_id() != new.operation_id() {
            let (old_id, new_id) = (base.operation_id().unwrap_or("(none)"), new.operation_id().unwrap_or("(none)"));
            // The method is the snake_case of the operationId: `getLogs` and `GetLogs` both give `get_logs`.
            let method = |op: &OperationRef<'_>| op.operation_id().map(snake_case);
            let (rule, message) = match (method(base), method(new)) {
                (Some(a), Some(b)) if a == b => {
                    (rules::OPERATION_ID_RESPELLED, format!("operationId {old_id} → {new_id}: the method is still {a}"))
                }
                _ => (rules::OPERATION_ID_CHANGED, format!("operationId {old_id} → {new_id}: the method is renamed")),
            };
            self.push(rule, "operationId", message);
        }
        let ext =
            |op: &OperationRef<'_>, key: &str| op.operation.get(key).and_then(Value::as_str).unwrap_or("").to_string();
        if ext(base, X_KEY) != ext(new, X_KEY) {
            self.push(rules::SECURITY_CHANGED, "security", format!("key {} → {}", ext(base, X_KEY), ext(new, X_KEY)));
        }
        if ext(base, X_BASE) != ext(new, X_BASE) {
            let show =
                |b: String| if b.is_empty() { "the main server".to_string() } else { format!("the main server + {b}") };
            let message = format!("served from {} → {}", show(ext(base, X_BASE)), show(ext(new, X_BASE)));
            self.push(rules::SERVER_CHANGED, "servers", message);
        }
        self.compare_parameters();
        self.compare_request_body();
        self.compare_responses();
        self.compare_paging();
    }

    /// Whether the operation is a paged list (by the rule the generator applies), and its shape.
    fn compare_paging(&mut self) {
        let shape = |doc: &Value, op: &OperationRef<'_>| match list_shape(doc, op) {
            Some(Ok(shape)) => Some(shape),
            _ => None,
        };
        match (shape(self.base_doc, self.base), shape(self.new_doc, self.new)) {
            (Some(_), None) => {
                let why = match list_shape(self.new_doc, self.new) {
                    Some(Err(why)) => why,
                    _ => "it takes no limit and offset".to_string(),
                };
                self.push(rules::LIST_PAGING_REMOVED, "paging", format!("no longer a paged list: {why}"));
            }
            (None, Some(now)) => {
                self.push(rules::LIST_PAGING_ADDED, "paging", format!("a paged list: {}", now.describe()))
            }
            (Some(before), Some(now)) if before != now => {
                self.push(rules::LIST_PAGING_CHANGED, "paging", format!("{} → {}", before.describe(), now.describe()))
            }
            _ => {}
        }
    }

    fn compare_parameters(&mut self) {
        let keyed = |doc: &'_ Value, op: &OperationRef<'_>| -> BTreeMap<(String, String), Value> {
            parameters(doc, op)
                .unwrap_or_default()
                .into_iter()
                .map(|p| {
                    let text = |key: &str| p.get(key).and_then(Value::as_str).unwrap_or("").to_string();
                    // HTTP header names match in any case: `X-Tag` and `x-tag` are one header.
                    let name = if text("in") == "header" { text("name").to_ascii_lowercase() } else { text("name") };
                    ((text("in"), name), p.clone())
                })
                .collect()
        };
        let (before, after) = (keyed(self.base_doc, self.base), keyed(self.new_doc, self.new));
        let spelled = |p: &Value| p.get("name").and_then(Value::as_str).unwrap_or("").to_string();
        for ((place, key), old) in &before {
            if let Some(now) = after.get(&(place.clone(), key.clone()))
                && spelled(old) != spelled(now)
            {
                let location = format!("{place} parameter {}", spelled(now));
                let setter =
                    |p: &Value| crate::shapes::names::typify_name(&spelled(p), crate::shapes::names::NameCase::Snake);
                if setter(old) == setter(now) {
                    let message = format!("{location}: spelled {} before; the same header on the wire", spelled(old));
                    self.push(rules::HEADER_PARAMETER_RESPELLED, &location, message);
                } else {
                    let message = format!(
                        "{location}: spelled {} before: its setter `{}` becomes `{}`",
                        spelled(old),
                        setter(old),
                        setter(now)
                    );
                    self.push(rules::HEADER_PARAMETER_SETTER_RENAMED, &location, message);
                }
            }
        }
        let required = |p: &Value| p.get("required").and_then(Value::as_bool).unwrap_or(false);
        for ((place, key), old) in &before {
            let param = spelled(old);
            let location = format!("{place} parameter {param}");
            let Some(now) = after.get(&(place.clone(), key.clone())) else {
                self.push(rules::PARAMETER_REMOVED, &location, format!("{location} removed"));
                continue;
            };
            match (required(old), required(now)) {
                (false, true) => {
                    self.push(rules::PARAMETER_BECAME_REQUIRED, &location, format!("{location} became required"))
                }
                (true, false) => {
                    self.push(rules::PARAMETER_BECAME_OPTIONAL, &location, format!("{location} became optional"))
                }
                _ => {}
            }
            let old_schema = resolve(self.base_doc, old.get("schema").unwrap_or(&Value::Null)).unwrap_or(&Value::Null);
            let new_schema = resolve(self.new_doc, now.get("schema").unwrap_or(&Value::Null)).unwrap_or(&Value::Null);
            if type_of(old_schema) != type_of(new_schema) {
                let message = format!("{location}: type {} → {}", type_of(old_schema), type_of(new_schema));
                self.push(rules::PARAMETER_TYPE_CHANGED, &location, message);
            }
            for (rule, message) in compare_constraints(old_schema, new_schema, &PARAMETER_CONSTRAINTS) {
                self.push(rule, &location, format!("{location}: {message}"));
            }
            self.compare_parameter_enums(place, &location, old_schema, new_schema);
        }
        for ((place, key), now) in &after {
            if before.contains_key(&(place.clone(), key.clone())) {
                continue;
            }
            let location = format!("{place} parameter {}", spelled(now));
            if required(now) {
                self.push(rules::NEW_REQUIRED_PARAMETER, &location, format!("new required {location}"));
            } else {
                self.push(
                    rules::NEW_OPTIONAL_PARAMETER,
                    &location,
                    format!("new optional {location}: a new setter of the builder"),
                );
            }
        }
    }

    /// An `enum` added to or dropped from a parameter (an empty one is none), or values added or removed.
    /// A query parameter's Rust type is a generated enum exactly when it has one; a path
    /// parameter is a string argument either way, checked at run time.
    fn compare_parameter_enums(&mut self, place: &str, location: &str, old: &Value, new: &Value) {
        let path = place == "path";
        match (enum_values(old), enum_values(new)) {
            (None, Some(values)) => {
                let (rule, effect) = if path {
                    (rules::PATH_PARAMETER_BECAME_ENUM, "other values are now refused before sending")
                } else {
                    (rules::PARAMETER_BECAME_ENUM, "it takes a generated enum instead of a string")
                };
                self.push(rule, location, format!("{location}: restricted to {}: {effect}", show_values(&values)));
            }
            (Some(values), None) => {
                let (rule, effect) = if path {
                    (rules::PATH_PARAMETER_ENUM_DROPPED, "more values are accepted")
                } else {
                    (rules::PARAMETER_ENUM_DROPPED, "it takes a string instead of a generated enum")
                };
                let message = format!("{location}: no longer restricted to {}: {effect}", show_values(&values));
                self.push(rule, location, message);
            }
            _ => {
                let (removed, added) = enum_changes(old, new);
                if !removed.is_empty() {
                    self.push(
                        rules::PARAMETER_ENUM_VALUE_REMOVED,
                        location,
                        format!("{location}: values {} no longer accepted", show_values(&removed)),
                    );
                }
                if !added.is_empty() {
                    self.push(
                        rules::PARAMETER_ENUM_VALUE_ADDED,
                        location,
                        format!("{location}: new values {}", show_values(&added)),
                    );
                }
            }
        }
    }

    fn compare_request_body(&mut self) {
        let body = |doc: &'_ Value, op: &OperationRef<'_>| {
            op.operation.get("requestBody").and_then(|b| resolve(doc, b).ok()).cloned()
        };
        let required = |b: &Value| b.get("required").and_then(Value::as_bool).unwrap_or(false);
        match (body(self.base_doc, self.base), body(self.new_doc, self.new)) {
            (None, None) => {}
            (Some(_), None) => self.push(rules::REQUEST_BODY_REMOVED, "request body", "request body removed".into()),
            (None, Some(now)) => {
                // A required body is an argument of the method; an optional one a `.body()` setter.
                let (rule, message) = if required(&now) {
                    (rules::REQUEST_BODY_ADDED_REQUIRED, "new required request body: a new argument of the method")
                } else {
                    (
                        rules::REQUEST_BODY_ADDED_OPTIONAL,
                        "new optional request body: a new .body() setter of the builder",
                    )
                };
                self.push(rule, "request body", message.into());
            }
            (Some(old), Some(now)) => {
                match (required(&old), required(&now)) {
                    (false, true) => self.push(
                        rules::REQUEST_BODY_BECAME_REQUIRED,
                        "request body",
                        "request body became required".into(),
                    ),
                    (true, false) => self.push(
                        rules::REQUEST_BODY_BECAME_OPTIONAL,
                        "request body",
                        "request body became optional".into(),
                    ),
                    _ => {}
                }
                self.compare_content(&old, &now, Side::Request, "request body");
            }
        }
    }

    fn compare_responses(&mut self) {
        let responses = |doc: &'_ Value, op: &OperationRef<'_>| -> BTreeMap<String, Value> {
            op.operation
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(status, r)| (status.clone(), resolve(doc, r).cloned().unwrap_or(Value::Null)))
                .collect()
        };
        let (before, after) = (responses(self.base_doc, self.base), responses(self.new_doc, self.new));
        let is_success = |status: &str| status.starts_with('2');
        for (status, old) in &before {
            let location = format!("response {status}");
            match after.get(status) {
                None => {
                    let rule = if is_success(status) {
                        rules::SUCCESS_STATUS_REMOVED
                    } else {
                        rules::NON_SUCCESS_STATUS_REMOVED
                    };
                    self.push(rule, &location, format!("status {status} no longer returned"));
                }
                Some(now) => self.compare_content(old, now, Side::Response, &location),
            }
        }
        for status in after.keys().filter(|s| !before.contains_key(*s)) {
            let rule = if is_success(status) { rules::SUCCESS_STATUS_ADDED } else { rules::NON_SUCCESS_STATUS_ADDED };
            self.push(rule, &format!("response {status}"), format!("new status {status}"));
        }
    }

    /// The media types of a body or a response: one removed, or each kept one's schema compared.
    fn compare_content(&mut self, old: &Value, now: &Value, side: Side, location: &str) {
        let media = |v: &Value| v.get("content").and_then(Value::as_object).cloned().unwrap_or_default();
        let (old_media, new_media) = (media(old), media(now));
        for (kind, entry) in &old_media {
            match new_media.get(kind) {
                None => {
                    let (rule, message) = match side {
                        Side::Request => {
                            (rules::REQUEST_MEDIA_TYPE_REMOVED, format!("media type {kind} no longer accepted"))
                        }
                        Side::Response => {
                            (rules::RESPONSE_MEDIA_TYPE_REMOVED, format!("{location}: media type {kind} removed"))
                        }
                    };
                    self.push(rule, location, message);
                }
                Some(now_entry) => SchemaDiff::new(self.base_doc, self.new_doc, side, Some(self.name), self.out)
                    .compare(
                        entry.get("schema").unwrap_or(&Value::Null),
                        now_entry.get("schema").unwrap_or(&Value::Null),
                        location,
                    ),
            }
        }
    }
}

fn compare_security_schemes(base: &Value, new: &Value, out: &mut Vec<Change>) {
    let schemes = |doc: &Value| {
        doc.pointer("/components/securitySchemes").and_then(Value::as_object).cloned().unwrap_or_default()
    };
    let (before, after) = (schemes(base), schemes(new));
    for (name, old) in &before {
        let location = format!("security scheme {name}");
        match after.get(name) {
            None => {
                out.push(Change::new(rules::SECURITY_SCHEME_REMOVED, None, &location, format!("{location} removed")))
            }
            Some(now) if crate::document::facts(old) != crate::document::facts(now) => out.push(Change::new(
                rules::SECURITY_SCHEME_CHANGED,
                None,
                &location,
                format!("{location} changed how it authenticates"),
            )),
            Some(_) => {}
        }
    }
}

/// Component schemas: removed and added ones, and the changes inside those kept, each compared once on
/// the side(s) of the API that reach it.
fn compare_components(base: &Value, new: &Value, out: &mut Vec<Change>) {
    let schemas =
        |doc: &Value| doc.pointer("/components/schemas").and_then(Value::as_object).cloned().unwrap_or_default();
    let (before, after) = (schemas(base), schemas(new));
    let responses = reachable_components(new, "responses");
    let requests = reachable_components(new, "requestBody");
    for (name, old) in &before {
        let location = format!("schema {name}");
        let Some(now) = after.get(name) else {
            out.push(Change::new(
                rules::SCHEMA_REMOVED,
                None,
                &location,
                format!("{location} removed: its Rust type disappears"),
            ));
            continue;
        };
        if responses.contains(name) {
            SchemaDiff::new(base, new, Side::Response, None, out).compare_resolved(old, now, &location);
        }
        if requests.contains(name) {
            SchemaDiff::new(base, new, Side::Request, None, out).compare_resolved(old, now, &location);
        }
    }
    for name in after.keys().filter(|n| !before.contains_key(*n)) {
        out.push(Change::new(rules::SCHEMA_ADDED, None, &format!("schema {name}"), format!("schema {name} added")));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn doc(id: &str, parameter: Value) -> Value {
        json!({"paths": {"/things/{name}": {"get": {"operationId": id, "parameters": [parameter],
            "responses": {"204": {"description": "done"}}}}}})
    }

    fn ids(base: &Value, new: &Value) -> Vec<(&'static str, rules::Level)> {
        diff_documents(base, new).iter().map(|c| (c.id(), c.level())).collect()
    }

    #[test]
    fn an_operation_id_is_renamed_only_when_its_snake_case_method_name_changes() {
        let param = json!({"name": "name", "in": "path", "required": true, "schema": {"type": "string"}});
        let base = doc("getLogs", param.clone());
        for same in ["GetLogs", "get_logs", "get-logs"] {
            assert_eq!(ids(&base, &doc(same, param.clone())), [("pipecat-operation-id-respelled", rules::Level::Info)]);
        }
        assert_eq!(ids(&base, &doc("fetchLogs", param)), [("api-operation-id-removed", rules::Level::Err)]);
    }

    #[test]
    fn an_enum_added_or_dropped_changes_a_query_type_but_only_checks_a_path_value() {
        let param = |place: &str, schema: Value| json!({"name": "name", "in": place, "required": place == "path", "schema": schema});
        let plain = json!({"type": "string"});
        let listed = json!({"type": "string", "enum": ["a", "b"]});
        let emptied = json!({"type": "string", "enum": []});
        let cases = [
            ("query", &plain, &listed, "request-parameter-became-enum", rules::Level::Err),
            ("query", &listed, &plain, "pipecat-request-parameter-enum-removed", rules::Level::Err),
            ("query", &listed, &emptied, "pipecat-request-parameter-enum-removed", rules::Level::Err),
            ("path", &plain, &listed, "pipecat-path-parameter-became-enum", rules::Level::Warn),
            ("path", &listed, &emptied, "pipecat-path-parameter-enum-removed", rules::Level::Info),
        ];
        for (place, old, new, id, level) in cases {
            let (base, new) = (doc("get", param(place, old.clone())), doc("get", param(place, new.clone())));
            assert_eq!(ids(&base, &new), [(id, level)], "{place}: {old} → {new}");
        }
    }
}
