//! Comparing two schemas on one side of the API. What breaks differs by side: a new required property
//! breaks requests, a removed one breaks responses; a new enum value is harmless in a forward-compatible
//! response enum and a new variant to match on in a request enum.

use std::collections::BTreeSet;

use serde_json::Value;

use super::Change;
use super::rules::{self, ConstraintRules, PROPERTY_CONSTRAINTS, Rule};
use crate::document::resolve;
use crate::normalize::X_OPEN_ENUM;

/// Which side of the API a schema is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Side {
    Request,
    Response,
}

/// Deeper than this, a schema is assumed to recurse through inline definitions.
const MAX_DEPTH: usize = 32;

/// A schema comparison on one side, collecting changes into `out`.
pub(super) struct SchemaDiff<'a> {
    base: &'a Value,
    new: &'a Value,
    side: Side,
    operation: Option<&'a str>,
    out: &'a mut Vec<Change>,
}

impl<'a> SchemaDiff<'a> {
    pub(super) fn new(
        base: &'a Value,
        new: &'a Value,
        side: Side,
        operation: Option<&'a str>,
        out: &'a mut Vec<Change>,
    ) -> Self {
        SchemaDiff { base, new, side, operation, out }
    }

    fn push(&mut self, rule: &'static Rule, location: &str, message: String) {
        self.out.push(Change::new(rule, self.operation, location, message));
    }

    /// Compares `old` and `new` (possibly `$ref`s). Two references to the same component are not
    /// followed: components are compared once, by name, on their own.
    pub(super) fn compare(&mut self, old: &Value, new: &Value, location: &str) {
        self.compare_at(old, new, location, 0);
    }

    /// Compares two schemas that are component definitions themselves.
    pub(super) fn compare_resolved(&mut self, old: &Value, new: &Value, location: &str) {
        self.compare_inner(old, new, location, 0);
    }

    fn compare_at(&mut self, old: &Value, new: &Value, location: &str, depth: usize) {
        let reference = |v: &Value| v.get("$ref").and_then(Value::as_str).map(str::to_string);
        if let (Some(a), Some(b)) = (reference(old), reference(new))
            && a == b
        {
            return;
        }
        let old = resolve(self.base, old).unwrap_or(old).clone();
        let new = resolve(self.new, new).unwrap_or(new).clone();
        self.compare_inner(&old, &new, location, depth);
    }

    fn compare_inner(&mut self, old: &Value, new: &Value, location: &str, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let request = self.side == Side::Request;
        if type_of(old) != type_of(new) {
            let rule = match (self.side, depth) {
                (Side::Request, _) => rules::REQUEST_PROPERTY_TYPE_CHANGED,
                (Side::Response, 0) if self.operation.is_some() => rules::RESPONSE_BODY_TYPE_CHANGED,
                (Side::Response, _) => rules::RESPONSE_PROPERTY_TYPE_CHANGED,
            };
            self.push(rule, location, format!("{location}: type {} → {}", type_of(old), type_of(new)));
            return;
        }
        match (enum_values(old), enum_values(new)) {
            // The field's Rust type goes between a string (or its scalar) and a generated enum.
            (None, Some(values)) => {
                let rule =
                    if request { rules::REQUEST_PROPERTY_BECAME_ENUM } else { rules::RESPONSE_PROPERTY_BECAME_ENUM };
                let message = format!(
                    "{location}: restricted to {}: its Rust type goes from a plain {} to a generated enum",
                    show_values(&values),
                    type_of(new)
                );
                self.push(rule, location, message);
            }
            (Some(values), None) => {
                let rule =
                    if request { rules::REQUEST_PROPERTY_ENUM_DROPPED } else { rules::RESPONSE_PROPERTY_ENUM_DROPPED };
                let message = format!(
                    "{location}: no longer restricted to {}: its Rust type goes from a generated enum to a plain {}",
                    show_values(&values),
                    type_of(new)
                );
                self.push(rule, location, message);
            }
            _ => self.compare_enum_values(old, new, location),
        }
        if !request && !is_nullable(old) && is_nullable(new) {
            self.push(rules::RESPONSE_PROPERTY_BECAME_NULLABLE, location, format!("{location} may now be null"));
        }
        if request {
            for (rule, message) in compare_constraints(old, new, &PROPERTY_CONSTRAINTS) {
                self.push(rule, location, format!("{location}: {message}"));
            }
        }
        self.compare_properties(old, new, location, depth);
        for key in ["items", "additionalProperties"] {
            if let (Some(a), Some(b)) = (old.get(key).filter(|v| v.is_object()), new.get(key).filter(|v| v.is_object()))
            {
                self.compare_at(a, b, &format!("{location}/{key}"), depth + 1);
            }
        }
        for key in ["oneOf", "anyOf", "allOf"] {
            let count = |v: &Value| v.get(key).and_then(Value::as_array).map(Vec::len).unwrap_or(0);
            if count(old) != count(new) {
                self.push(
                    rules::ONE_OF_CHANGED,
                    location,
                    format!("{location}: {key} has {} alternatives, was {}", count(new), count(old)),
                );
                continue;
            }
            for (i, (a, b)) in old
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .zip(new.get(key).and_then(Value::as_array).into_iter().flatten())
                .enumerate()
            {
                self.compare_at(a, b, &format!("{location}/{key}/{i}"), depth + 1);
            }
        }
    }

    /// Values removed from or added to an `enum` both sides have.
    fn compare_enum_values(&mut self, old: &Value, new: &Value, location: &str) {
        let (removed, added) = enum_changes(old, new);
        if !removed.is_empty() {
            let rule = match self.side {
                Side::Request => rules::REQUEST_PROPERTY_ENUM_VALUE_REMOVED,
                Side::Response => rules::RESPONSE_ENUM_VALUE_REMOVED,
            };
            self.push(rule, location, format!("{location}: values {} removed", show_values(&removed)));
        }
        if !added.is_empty() {
            let rule = match self.side {
                Side::Request => rules::REQUEST_PROPERTY_ENUM_VALUE_ADDED,
                Side::Response if is_open_enum(self.new, new) => rules::RESPONSE_ENUM_VALUE_ADDED,
                Side::Response => rules::RESPONSE_ENUM_VALUE_ADDED_CLOSED,
            };
            self.push(rule, location, format!("{location}: new values {}", show_values(&added)));
        }
    }

    fn compare_properties(&mut self, old: &Value, new: &Value, location: &str, depth: usize) {
        let props = |v: &Value| v.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
        let required = |v: &Value| -> BTreeSet<String> {
            v.get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        };
        let (old_props, new_props) = (props(old), props(new));
        let (old_req, new_req) = (required(old), required(new));
        let request = self.side == Side::Request;
        for (name, old_schema) in &old_props {
            let at = format!("{location}/properties/{name}");
            let Some(new_schema) = new_props.get(name) else {
                let rule = match (request, old_req.contains(name)) {
                    (true, _) => rules::REQUEST_PROPERTY_REMOVED,
                    (false, true) => rules::RESPONSE_REQUIRED_PROPERTY_REMOVED,
                    (false, false) => rules::RESPONSE_PROPERTY_REMOVED,
                };
                self.push(rule, &at, format!("property {name} removed"));
                continue;
            };
            match (old_req.contains(name), new_req.contains(name), request) {
                (false, true, true) => {
                    self.push(rules::REQUEST_PROPERTY_BECAME_REQUIRED, &at, format!("property {name} became required"))
                }
                (true, false, true) => {
                    self.push(rules::REQUEST_PROPERTY_BECAME_OPTIONAL, &at, format!("property {name} became optional"))
                }
                (true, false, false) => self.push(
                    rules::RESPONSE_PROPERTY_BECAME_OPTIONAL,
                    &at,
                    format!("property {name} may now be missing"),
                ),
                (false, true, false) => self.push(
                    rules::RESPONSE_PROPERTY_BECAME_REQUIRED,
                    &at,
                    format!("property {name} is now always present"),
                ),
                _ => {}
            }
            self.compare_at(old_schema, new_schema, &at, depth + 1);
        }
        for name in new_props.keys().filter(|n| !old_props.contains_key(*n)) {
            let at = format!("{location}/properties/{name}");
            let rule = match (request, new_req.contains(name)) {
                (true, true) => rules::NEW_REQUIRED_REQUEST_PROPERTY,
                (true, false) => rules::NEW_OPTIONAL_REQUEST_PROPERTY,
                (false, _) => rules::RESPONSE_PROPERTY_ADDED,
            };
            self.push(rule, &at, format!("property {name} added"));
        }
    }
}

/// `type` and `format` together, as the generated Rust type depends on both (`{}` for none).
pub(super) fn type_of(schema: &Value) -> String {
    let kind = schema.get("type").and_then(Value::as_str).unwrap_or("any");
    match schema.get("format").and_then(Value::as_str) {
        Some(format) => format!("{kind}({format})"),
        None => kind.to_string(),
    }
}

/// The values of `schema`'s `enum`, in spec order; `None` when it has none (an empty `enum` is none).
pub(super) fn enum_values(schema: &Value) -> Option<Vec<Value>> {
    schema.get("enum").and_then(Value::as_array).filter(|values| !values.is_empty()).cloned()
}

/// Enum values removed (in the old order) and added (in the new order); none unless both sides have an
/// `enum`. Values are compared as JSON, so `1` and `"1"` differ.
pub(super) fn enum_changes(old: &Value, new: &Value) -> (Vec<Value>, Vec<Value>) {
    let (Some(a), Some(b)) = (enum_values(old), enum_values(new)) else {
        return (Vec::new(), Vec::new());
    };
    let missing = |from: &[Value], within: &[Value]| from.iter().filter(|v| !within.contains(v)).cloned().collect();
    (missing(&a, &b), missing(&b, &a))
}

/// Enum values as a JSON list: `["a", "b"]`, `[3]`, `[true]`.
pub(super) fn show_values(values: &[Value]) -> String {
    let items: Vec<String> = values.iter().map(Value::to_string).collect();
    format!("[{}]", items.join(", "))
}

fn is_nullable(schema: &Value) -> bool {
    schema.get("nullable").and_then(Value::as_bool).unwrap_or(false)
}

/// True when the client decodes values of `schema` that it does not list (normalization marked it).
fn is_open_enum(doc: &Value, schema: &Value) -> bool {
    resolve(doc, schema).unwrap_or(schema).get(X_OPEN_ENUM).and_then(Value::as_bool).unwrap_or(false)
}

/// Changes of `pattern`, `minLength`, `maxLength`, `minimum`, `maximum`, judged by whether more or fewer
/// values are accepted. An absent bound is no bound.
pub(super) fn compare_constraints(old: &Value, new: &Value, rules: &ConstraintRules) -> Vec<(&'static Rule, String)> {
    let mut out = Vec::new();
    let pattern = |v: &Value| v.get("pattern").and_then(Value::as_str).map(str::to_string);
    match (pattern(old), pattern(new)) {
        (None, Some(p)) => out.push((rules.pattern_added, format!("pattern {p} added"))),
        (Some(p), None) => out.push((rules.pattern_removed, format!("pattern {p} removed"))),
        (Some(a), Some(b)) if a != b => out.push((rules.pattern_changed, format!("pattern {a} → {b}"))),
        _ => {}
    }
    let number = |v: &Value, key: &str| v.get(key).and_then(Value::as_f64);
    let show = |v: Option<f64>| v.map(|n| n.to_string()).unwrap_or_else(|| "none".to_string());
    // (keyword, rule when fewer values are accepted, rule when more are, true when a lower bound)
    let bounds = [
        ("maxLength", rules.max_length_decreased, rules.max_length_increased, false),
        ("minLength", rules.min_length_increased, rules.min_length_decreased, true),
        ("maximum", rules.max_decreased, rules.max_increased, false),
        ("minimum", rules.min_increased, rules.min_decreased, true),
    ];
    for (key, tighter, looser, lower) in bounds {
        let (a, b) = (number(old, key), number(new, key));
        let tightened = match (a, b) {
            (None, Some(_)) => Some(true),
            (Some(_), None) => Some(false),
            (Some(x), Some(y)) if x != y => Some(if lower { y > x } else { y < x }),
            _ => None,
        };
        if let Some(tightened) = tightened {
            out.push((if tightened { tighter } else { looser }, format!("{key} {} → {}", show(a), show(b))));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn changes(old: Value, new: Value, side: Side) -> Vec<&'static str> {
        let doc = json!({});
        let mut out = Vec::new();
        SchemaDiff::new(&doc, &doc, side, Some("GET /x"), &mut out).compare(&old, &new, "response 200");
        out.iter().map(|c| c.id()).collect()
    }

    #[test]
    fn a_new_response_enum_value_is_harmless_only_when_the_enum_is_open() {
        let old = json!({"type": "string", "enum": ["a"]});
        let closed = json!({"type": "string", "enum": ["a", "b"]});
        let open = json!({"type": "string", "enum": ["a", "b"], "x-pipecat-open-enum": true});
        assert_eq!(changes(old.clone(), open, Side::Response), ["response-property-enum-value-added"]);
        assert_eq!(changes(old.clone(), closed.clone(), Side::Response), ["pipecat-response-closed-enum-value-added"]);
        assert_eq!(changes(old, closed, Side::Request), ["request-property-enum-value-added"]);
    }

    #[test]
    fn an_enum_added_or_dropped_changes_a_field_type_on_either_side() {
        let plain = json!({"type": "string"});
        let listed = json!({"type": "string", "enum": ["a"]});
        let emptied = json!({"type": "string", "enum": []});
        assert_eq!(changes(plain.clone(), listed.clone(), Side::Request), ["request-property-became-enum"]);
        assert_eq!(changes(listed.clone(), emptied.clone(), Side::Request), ["pipecat-request-property-enum-removed"]);
        assert_eq!(changes(plain, listed.clone(), Side::Response), ["pipecat-response-property-became-enum"]);
        assert_eq!(changes(listed, emptied, Side::Response), ["pipecat-response-property-enum-removed"]);
    }

    #[test]
    fn enum_values_are_compared_and_shown_as_json() {
        let (removed, added) = enum_changes(&json!({"enum": [1, 2, "1"]}), &json!({"enum": [2, "1", 3, true]}));
        assert_eq!((show_values(&removed), show_values(&added)), ("[1]".to_string(), "[3, true]".to_string()));
        // An empty enum is none: no values changed, the enum itself went.
        assert_eq!(enum_values(&json!({"enum": []})), None);
        assert_eq!(enum_changes(&json!({"enum": ["a"]}), &json!({"enum": []})), (vec![], vec![]));
        assert_eq!(
            changes(json!({"enum": [1]}), json!({"enum": [1, 2]}), Side::Response),
            ["pipecat-response-closed-enum-value-added"]
        );
    }

    #[test]
    fn bounds_are_judged_by_what_they_accept() {
        let rules = &rules::PARAMETER_CONSTRAINTS;
        let ids =
            |a: Value, b: Value| compare_constraints(&a, &b, rules).into_iter().map(|(r, _)| r.id).collect::<Vec<_>>();
        assert_eq!(ids(json!({"maxLength": 10}), json!({"maxLength": 5})), ["request-parameter-max-length-decreased"]);
        assert_eq!(ids(json!({}), json!({"minimum": 1})), ["request-parameter-min-increased"]);
        assert_eq!(ids(json!({"minimum": 1}), json!({})), ["request-parameter-min-decreased"]);
        assert_eq!(ids(json!({"pattern": "^a$"}), json!({"pattern": "^b$"})), ["request-parameter-pattern-changed"]);
    }
}
