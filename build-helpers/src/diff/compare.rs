//! Comparing two normalized documents: operations, parameters, bodies, responses, components.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::Change;
use super::rules::{self, PARAMETER_CONSTRAINTS, Rule};
use super::schema::{SchemaDiff, Side, compare_constraints, type_of};
use crate::document::{OperationRef, operations, parameters, resolve};
use crate::normalize::schema_walk::reachable_components;
use crate::normalize::{X_BASE, X_KEY};

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
            Some(new_op) => compare_operation(base, new, op, new_op, &name, &mut out),
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

fn compare_operation(
    base_doc: &Value,
    new_doc: &Value,
    base: &OperationRef<'_>,
    new: &OperationRef<'_>,
    name: &str,
    out: &mut Vec<Change>,
) {
    let mut push = |rule: &'static Rule, location: &str, message: String| {
        out.push(Change::new(rule, Some(name), location, message))
    };
    if base.operation_id() != new.operation_id() {
        push(
            rules::OPERATION_ID_CHANGED,
            "operationId",
            format!(
                "operationId {} → {}: the method is renamed",
                base.operation_id().unwrap_or("(none)"),
                new.operation_id().unwrap_or("(none)")
            ),
        );
    }
    let ext =
        |op: &OperationRef<'_>, key: &str| op.operation.get(key).and_then(Value::as_str).unwrap_or("").to_string();
    if ext(base, X_KEY) != ext(new, X_KEY) {
        push(rules::SECURITY_CHANGED, "security", format!("key {} → {}", ext(base, X_KEY), ext(new, X_KEY)));
    }
    if ext(base, X_BASE) != ext(new, X_BASE) {
        let show =
            |b: String| if b.is_empty() { "the main server".to_string() } else { format!("the main server + {b}") };
        push(
            rules::SERVER_CHANGED,
            "servers",
            format!("served from {} → {}", show(ext(base, X_BASE)), show(ext(new, X_BASE))),
        );
    }
    compare_parameters(base_doc, new_doc, base, new, name, out);
    compare_request_body(base_doc, new_doc, base, new, name, out);
    compare_responses(base_doc, new_doc, base, new, name, out);
}

fn compare_parameters(
    base_doc: &Value,
    new_doc: &Value,
    base: &OperationRef<'_>,
    new: &OperationRef<'_>,
    name: &str,
    out: &mut Vec<Change>,
) {
    let keyed = |doc: &'_ Value, op: &OperationRef<'_>| -> BTreeMap<(String, String), Value> {
        parameters(doc, op)
            .unwrap_or_default()
            .into_iter()
            .map(|p| {
                let key = (
                    p.get("in").and_then(Value::as_str).unwrap_or("").to_string(),
                    p.get("name").and_then(Value::as_str).unwrap_or("").to_string(),
                );
                (key, p.clone())
            })
            .collect()
    };
    let (before, after) = (keyed(base_doc, base), keyed(new_doc, new));
    let mut push = |rule: &'static Rule, location: &str, message: String| {
        out.push(Change::new(rule, Some(name), location, message))
    };
    let required = |p: &Value| p.get("required").and_then(Value::as_bool).unwrap_or(false);
    for ((place, param), old) in &before {
        let location = format!("{place} parameter {param}");
        let Some(now) = after.get(&(place.clone(), param.clone())) else {
            push(rules::PARAMETER_REMOVED, &location, format!("{location} removed"));
            continue;
        };
        match (required(old), required(now)) {
            (false, true) => push(rules::PARAMETER_BECAME_REQUIRED, &location, format!("{location} became required")),
            (true, false) => push(rules::PARAMETER_BECAME_OPTIONAL, &location, format!("{location} became optional")),
            _ => {}
        }
        let old_schema = resolve(base_doc, old.get("schema").unwrap_or(&Value::Null)).unwrap_or(&Value::Null);
        let new_schema = resolve(new_doc, now.get("schema").unwrap_or(&Value::Null)).unwrap_or(&Value::Null);
        if type_of(old_schema) != type_of(new_schema) {
            push(
                rules::PARAMETER_TYPE_CHANGED,
                &location,
                format!("{location}: type {} → {}", type_of(old_schema), type_of(new_schema)),
            );
        }
        for (rule, message) in compare_constraints(old_schema, new_schema, &PARAMETER_CONSTRAINTS) {
            push(rule, &location, format!("{location}: {message}"));
        }
        let (removed, added) = super::schema::enum_changes(old_schema, new_schema);
        if !removed.is_empty() {
            push(
                rules::PARAMETER_ENUM_VALUE_REMOVED,
                &location,
                format!("{location}: values {removed:?} no longer accepted"),
            );
        }
        if !added.is_empty() {
            push(rules::PARAMETER_ENUM_VALUE_ADDED, &location, format!("{location}: new values {added:?}"));
        }
    }
    for ((place, param), now) in &after {
        if before.contains_key(&(place.clone(), param.clone())) {
            continue;
        }
        let location = format!("{place} parameter {param}");
        if required(now) {
            push(rules::NEW_REQUIRED_PARAMETER, &location, format!("new required {location}"));
        } else {
            push(
                rules::NEW_OPTIONAL_PARAMETER,
                &location,
                format!("new optional {location}: a new argument of the method"),
            );
        }
    }
}

fn compare_request_body(
    base_doc: &Value,
    new_doc: &Value,
    base: &OperationRef<'_>,
    new: &OperationRef<'_>,
    name: &str,
    out: &mut Vec<Change>,
) {
    let body = |doc: &'_ Value, op: &OperationRef<'_>| {
        op.operation.get("requestBody").and_then(|b| resolve(doc, b).ok()).cloned()
    };
    let required = |b: &Value| b.get("required").and_then(Value::as_bool).unwrap_or(false);
    let push = |out: &mut Vec<Change>, rule: &'static Rule, location: &str, message: String| {
        out.push(Change::new(rule, Some(name), location, message));
    };
    match (body(base_doc, base), body(new_doc, new)) {
        (None, None) => {}
        (Some(_), None) => push(out, rules::REQUEST_BODY_REMOVED, "request body", "request body removed".into()),
        (None, Some(now)) => {
            // An optional new body still adds an argument to the positional method.
            let (rule, kind) = if required(&now) {
                (rules::REQUEST_BODY_ADDED_REQUIRED, "required")
            } else {
                (rules::REQUEST_BODY_ADDED_OPTIONAL, "optional")
            };
            push(out, rule, "request body", format!("new {kind} request body: a new argument of the method"));
        }
        (Some(old), Some(now)) => {
            if !required(&old) && required(&now) {
                push(out, rules::REQUEST_BODY_BECAME_REQUIRED, "request body", "request body became required".into());
            }
            let media = |b: &Value| b.get("content").and_then(Value::as_object).cloned().unwrap_or_default();
            let (old_media, new_media) = (media(&old), media(&now));
            for (kind, entry) in &old_media {
                match new_media.get(kind) {
                    None => push(
                        out,
                        rules::REQUEST_MEDIA_TYPE_REMOVED,
                        "request body",
                        format!("media type {kind} no longer accepted"),
                    ),
                    Some(now_entry) => SchemaDiff::new(base_doc, new_doc, Side::Request, Some(name), out).compare(
                        entry.get("schema").unwrap_or(&Value::Null),
                        now_entry.get("schema").unwrap_or(&Value::Null),
                        "request body",
                    ),
                }
            }
        }
    }
}

fn compare_responses(
    base_doc: &Value,
    new_doc: &Value,
    base: &OperationRef<'_>,
    new: &OperationRef<'_>,
    name: &str,
    out: &mut Vec<Change>,
) {
    let responses = |doc: &'_ Value, op: &OperationRef<'_>| -> BTreeMap<String, Value> {
        op.operation
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(status, r)| (status.clone(), resolve(doc, r).cloned().unwrap_or(Value::Null)))
            .collect()
    };
    let (before, after) = (responses(base_doc, base), responses(new_doc, new));
    let is_success = |status: &str| status.starts_with('2');
    let push = |out: &mut Vec<Change>, rule: &'static Rule, location: &str, message: String| {
        out.push(Change::new(rule, Some(name), location, message));
    };
    for (status, old) in &before {
        let location = format!("response {status}");
        let Some(now) = after.get(status) else {
            let rule =
                if is_success(status) { rules::SUCCESS_STATUS_REMOVED } else { rules::NON_SUCCESS_STATUS_REMOVED };
            push(out, rule, &location, format!("status {status} no longer returned"));
            continue;
        };
        let media = |r: &Value| r.get("content").and_then(Value::as_object).cloned().unwrap_or_default();
        let (old_media, new_media) = (media(old), media(now));
        for (kind, entry) in &old_media {
            match new_media.get(kind) {
                None => push(
                    out,
                    rules::RESPONSE_MEDIA_TYPE_REMOVED,
                    &location,
                    format!("{location}: media type {kind} removed"),
                ),
                Some(now_entry) => SchemaDiff::new(base_doc, new_doc, Side::Response, Some(name), out).compare(
                    entry.get("schema").unwrap_or(&Value::Null),
                    now_entry.get("schema").unwrap_or(&Value::Null),
                    &location,
                ),
            }
        }
    }
    for status in after.keys().filter(|s| !before.contains_key(*s)) {
        let rule = if is_success(status) { rules::SUCCESS_STATUS_ADDED } else { rules::NON_SUCCESS_STATUS_ADDED };
        push(out, rule, &format!("response {status}"), format!("new status {status}"));
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
