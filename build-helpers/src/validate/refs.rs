//! Every `$ref` of a document, checked before anything follows one: local, pointing where a reference of
//! its place must point (a schema at `#/components/schemas/NAME`, a response at
//! `#/components/responses/NAME`, ...), at something that exists, and not into a cycle of references that
//! never reaches a definition. The normalization passes, progenitor and the diff all follow references;
//! each of them can then assume these hold.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::document::{METHODS, pointer_token};
use crate::error::SpecError;

/// What a node of the document is, for the references it may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Schema,
    Response,
    Parameter,
    RequestBody,
    Header,
    Operation,
    PathItem,
}

impl Kind {
    /// The `components` section a reference in this place must point into.
    fn section(self) -> Option<&'static str> {
        match self {
            Kind::Schema => Some("schemas"),
            Kind::Response => Some("responses"),
            Kind::Parameter => Some("parameters"),
            Kind::RequestBody => Some("requestBodies"),
            Kind::Header => Some("headers"),
            Kind::Operation | Kind::PathItem => None,
        }
    }

    fn of_section(section: &str) -> Option<Kind> {
        [Kind::Schema, Kind::Response, Kind::Parameter, Kind::RequestBody, Kind::Header]
            .into_iter()
            .find(|kind| kind.section() == Some(section))
    }

    fn noun(self) -> &'static str {
        match self {
            Kind::Schema => "schema",
            Kind::Response => "response",
            Kind::Parameter => "parameter",
            Kind::RequestBody => "request body",
            Kind::Header => "header",
            Kind::Operation => "operation",
            Kind::PathItem => "path item",
        }
    }
}

/// Adds a located problem for every bad reference in `doc`, and one per cycle of references.
pub fn check_refs(doc: &Value, problems: &mut Vec<SpecError>) {
    let mut walk = Walk { doc, problems, cycles: BTreeSet::new() };
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        walk.node(item, &format!("/paths/{}", pointer_token(path)), Kind::PathItem);
    }
    for (section, entries) in doc.get("components").and_then(Value::as_object).into_iter().flatten() {
        let Some(kind) = Kind::of_section(section) else { continue };
        for (name, entry) in entries.as_object().into_iter().flatten() {
            walk.node(entry, &format!("/components/{section}/{}", pointer_token(name)), kind);
        }
    }
    for cycle in walk.cycles {
        let first = cycle.first().cloned().unwrap_or_default();
        let mut chain = cycle.clone();
        chain.push(first.clone());
        walk.problems.push(SpecError::invalid(
            first,
            format!(
                "these $refs form a cycle and never reach a definition: {}; make one of them a definition",
                chain.join(" → ")
            ),
        ));
    }
}

struct Walk<'a, 'p> {
    doc: &'a Value,
    problems: &'p mut Vec<SpecError>,
    cycles: BTreeSet<Vec<String>>,
}

impl Walk<'_, '_> {
    fn node<'v>(&mut self, node: &'v Value, pointer: &str, kind: Kind) {
        let Some(map) = node.as_object() else { return };
        if let Some(reference) = map.get("$ref") {
            // Path items by $ref are refused by the operation checks, with their own advice.
            if kind != Kind::PathItem {
                self.reference(reference, pointer, kind);
            }
            return;
        }
        let child = |key: &str| format!("{pointer}/{}", pointer_token(key));
        // The children to visit are borrowed, not copied: a deep document costs its size once, not its
        // size times its depth.
        let each = |value: Option<&'v Value>| -> Vec<(String, &'v Value)> {
            match value {
                Some(Value::Object(m)) => m.iter().map(|(k, v)| (pointer_token(k), v)).collect(),
                Some(Value::Array(items)) => items.iter().enumerate().map(|(i, v)| (i.to_string(), v)).collect(),
                _ => Vec::new(),
            }
        };
        let mut visits: Vec<(String, &'v Value, Kind)> = Vec::new();
        let under = |key: &str, kind: Kind, visits: &mut Vec<(String, &'v Value, Kind)>| {
            for (token, value) in each(map.get(key)) {
                visits.push((format!("{}/{token}", child(key)), value, kind));
            }
        };
        let content = |visits: &mut Vec<(String, &'v Value, Kind)>| {
            for (media, entry) in map.get("content").and_then(Value::as_object).into_iter().flatten() {
                if let Some(schema) = entry.get("schema") {
                    visits.push((
                        format!("{}/{}/schema", child("content"), pointer_token(media)),
                        schema,
                        Kind::Schema,
                    ));
                }
            }
        };
        match kind {
            Kind::PathItem => {
                under("parameters", Kind::Parameter, &mut visits);
                for method in METHODS {
                    if let Some(op) = map.get(method) {
                        visits.push((child(method), op, Kind::Operation));
                    }
                }
            }
            Kind::Operation => {
                under("parameters", Kind::Parameter, &mut visits);
                under("responses", Kind::Response, &mut visits);
                if let Some(body) = map.get("requestBody") {
                    visits.push((child("requestBody"), body, Kind::RequestBody));
                }
            }
            Kind::Parameter | Kind::Header => {
                if let Some(schema) = map.get("schema") {
                    visits.push((child("schema"), schema, Kind::Schema));
                }
                content(&mut visits);
            }
            Kind::RequestBody => content(&mut visits),
            Kind::Response => {
                content(&mut visits);
                under("headers", Kind::Header, &mut visits);
            }
            Kind::Schema => {
                under("properties", Kind::Schema, &mut visits);
                for key in ["allOf", "anyOf", "oneOf"] {
                    under(key, Kind::Schema, &mut visits);
                }
                for key in ["items", "not", "additionalProperties"] {
                    if let Some(schema) = map.get(key).filter(|s| s.is_object()) {
                        visits.push((child(key), schema, Kind::Schema));
                    }
                }
            }
        }
        for (pointer, value, kind) in visits {
            self.node(value, &pointer, kind);
        }
    }

    fn reference(&mut self, reference: &Value, pointer: &str, kind: Kind) {
        let location = format!("#{pointer}");
        let section = kind.section().unwrap_or("schemas");
        let expected = format!("`#/components/{section}/NAME`");
        let Some(reference) = reference.as_str() else {
            self.problems.push(SpecError::invalid(location, format!("$ref must be a string such as {expected}")));
            return;
        };
        let refuse =
            |message: String| SpecError::invalid(format!("#{pointer}"), format!("$ref `{reference}` {message}"));
        let Some(target) = reference.strip_prefix('#') else {
            self.problems.push(refuse(format!(
                "is not a local reference; only references into this document are supported: copy the definition \
                 into {expected} and refer to it there"
            )));
            return;
        };
        let segments: Vec<&str> = target.split('/').collect();
        if segments.len() != 4 || !segments[0].is_empty() || segments[1] != "components" || segments[2] != section {
            self.problems.push(refuse(format!("is not where a {} is defined: write {expected}", kind.noun())));
            return;
        }
        match self.doc.pointer(target) {
            None => {
                self.problems.push(refuse(format!(
                    "points at nothing: #/components/{section} has no `{}`; define it or fix the name",
                    segments[3]
                )));
                return;
            }
            Some(value) if !value.is_object() => {
                self.problems.push(refuse(format!(
                    "points at a {}, not a {} definition",
                    type_name(value),
                    kind.noun()
                )));
                return;
            }
            Some(_) => {}
        }
        self.follow(reference);
    }

    /// Follows a chain of references that are only references; records the chain if it comes back on itself.
    fn follow(&mut self, start: &str) {
        let mut chain: Vec<String> = Vec::new();
        let mut current = start.to_string();
        loop {
            if let Some(at) = chain.iter().position(|seen| *seen == current) {
                let mut cycle: Vec<String> = chain[at..].to_vec();
                // One report per cycle, whichever reference it was reached from.
                let first = cycle.iter().enumerate().min_by_key(|(_, r)| (*r).clone()).map_or(0, |(i, _)| i);
                cycle.rotate_left(first);
                self.cycles.insert(cycle);
                return;
            }
            let Some(next) = current
                .strip_prefix('#')
                .and_then(|p| self.doc.pointer(p))
                .and_then(|node| node.get("$ref"))
                .and_then(Value::as_str)
            else {
                return;
            };
            chain.push(current);
            current = next.to_string();
        }
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "mapping",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn problems(doc: &Value) -> Vec<String> {
        let mut problems = Vec::new();
        check_refs(doc, &mut problems);
        problems.iter().map(ToString::to_string).collect()
    }

    fn with_response_schema(schema: Value, schemas: Value) -> Value {
        json!({"paths": {"/a": {"get": {"responses": {"200": {"description": "x",
            "content": {"application/json": {"schema": schema}}}}}}}, "components": {"schemas": schemas}})
    }

    #[test]
    fn a_reference_to_the_whole_document_is_refused_where_it_is() {
        let found = problems(&with_response_schema(json!({"$ref": "#"}), json!({})));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("#/paths/~1a/get/responses/200/content/application~1json/schema: $ref `#`"),
            "{found:?}"
        );
        assert!(found[0].contains("`#/components/schemas/NAME`"), "{found:?}");
    }

    #[test]
    fn dangling_and_non_local_references_are_refused() {
        let found = problems(&with_response_schema(json!({"$ref": "#/components/schemas/Nope"}), json!({})));
        assert!(found[0].contains("points at nothing: #/components/schemas has no `Nope`"), "{found:?}");
        let found = problems(&with_response_schema(json!({"$ref": "other.yaml#/X"}), json!({})));
        assert!(found[0].contains("is not a local reference"), "{found:?}");
    }

    #[test]
    fn reference_cycles_are_reported_once_each() {
        let own = with_response_schema(
            json!({"$ref": "#/components/schemas/A"}),
            json!({"A": {"$ref": "#/components/schemas/A"}}),
        );
        let found = problems(&own);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("#/components/schemas/A → #/components/schemas/A"), "{found:?}");
        let pair = with_response_schema(
            json!({"$ref": "#/components/schemas/A"}),
            json!({"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}}),
        );
        let found = problems(&pair);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("A → #/components/schemas/B → #/components/schemas/A"), "{found:?}");
        let responses = json!({"paths": {}, "components": {"responses": {"R": {"$ref": "#/components/responses/R"}}}});
        assert_eq!(problems(&responses).len(), 1);
    }

    #[test]
    fn a_schema_that_holds_itself_through_a_property_is_a_definition_not_a_cycle() {
        let tree = with_response_schema(
            json!({"$ref": "#/components/schemas/Node"}),
            json!({"Node": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Node"}}}}),
        );
        assert!(problems(&tree).is_empty());
    }

    #[test]
    fn a_reference_must_point_into_the_section_of_its_place() {
        let doc = json!({"paths": {"/a": {"get": {"responses": {"200": {"$ref": "#/components/schemas/A"}}}}},
            "components": {"schemas": {"A": {"type": "string"}}}});
        let found = problems(&doc);
        assert!(
            found[0].contains("is not where a response is defined: write `#/components/responses/NAME`"),
            "{found:?}"
        );
    }
}
