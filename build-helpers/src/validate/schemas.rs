//! Schemas whose Rust names would collide: enum values that typify turns into the same variant (`a-b`
//! and `a_b`, `a` and `A`), properties that become the same field, and enum values that are not of the
//! schema's type. typify panics on the first and emits code that does not compile for the others; here
//! each is refused with the JSON pointer of the schema and both spellings.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::document::{METHODS, pointer_token};
use crate::error::SpecError;
use crate::shapes::names::{NameCase as Case, typify_name as sanitize};

/// Checks every schema of `doc`: the components' and those written inline in operations.
pub fn check_schemas(doc: &Value, problems: &mut Vec<SpecError>) {
    let mut roots: Vec<(String, &Value)> = Vec::new();
    let mut types: BTreeMap<String, &str> = BTreeMap::new();
    for (name, schema) in doc.pointer("/components/schemas").and_then(Value::as_object).into_iter().flatten() {
        let pointer = format!("/components/schemas/{}", pointer_token(name));
        let rust = sanitize(name, Case::Pascal);
        if let Some(other) = types.insert(rust.clone(), name) {
            problems.push(SpecError::invalid(
                format!("#{pointer}"),
                format!(
                    "schemas `{other}` (#/components/schemas/{}) and `{name}` both become the Rust type `{rust}`; rename one",
                    pointer_token(other)
                ),
            ));
        }
        roots.push((pointer, schema));
    }
    let mut nodes: Vec<(String, &Value)> = Vec::new();
    for section in ["parameters", "responses", "requestBodies", "headers"] {
        for (name, node) in
            doc.pointer(&format!("/components/{section}")).and_then(Value::as_object).into_iter().flatten()
        {
            let pointer = format!("/components/{section}/{}", pointer_token(name));
            if let Some(schema) = node.get("schema") {
                roots.push((format!("{pointer}/schema"), schema));
            }
            nodes.push((pointer, node));
        }
    }
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        let item_pointer = format!("/paths/{}", pointer_token(path));
        nodes.push((item_pointer.clone(), item));
        for method in METHODS {
            if let Some(op) = item.get(method) {
                let op_pointer = format!("{item_pointer}/{method}");
                nodes.push((op_pointer.clone(), op));
                if let Some(body) = op.get("requestBody") {
                    nodes.push((format!("{op_pointer}/requestBody"), body));
                }
                for (status, response) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
                    nodes.push((format!("{op_pointer}/responses/{}", pointer_token(status)), response));
                }
            }
        }
    }
    for (pointer, node) in nodes {
        {
            for (i, param) in node.get("parameters").and_then(Value::as_array).into_iter().flatten().enumerate() {
                if let Some(schema) = param.get("schema") {
                    roots.push((format!("{pointer}/parameters/{i}/schema"), schema));
                }
            }
            for (media, entry) in node.get("content").and_then(Value::as_object).into_iter().flatten() {
                let schema_pointer = format!("{pointer}/content/{}/schema", pointer_token(media));
                match entry.get("schema") {
                    // The model reads it as no schema, and progenitor panics on a media type without one.
                    Some(Value::Null) => problems.push(SpecError::invalid(
                        format!("#{schema_pointer}"),
                        "`schema: null` gives this media type no schema; write its schema, or remove the \
                         media type if the body is empty",
                    )),
                    Some(schema) => roots.push((schema_pointer, schema)),
                    None => {}
                }
            }
        }
    }
    for (pointer, schema) in &roots {
        check_schema(schema, pointer, problems);
    }
    super::depth::check_depth(doc, &roots, problems);
}

fn check_schema(schema: &Value, pointer: &str, problems: &mut Vec<SpecError>) {
    let Some(map) = schema.as_object() else { return };
    if map.contains_key("$ref") {
        return;
    }
    if let Some(kind) = map.get("type").and_then(Value::as_str)
        && !["string", "number", "integer", "boolean", "array", "object"].contains(&kind)
    {
        problems.push(SpecError::invalid(
            format!("#{pointer}/type"),
            format!("`type: {kind}` is not an OpenAPI 3.0 type; use string, number, integer, boolean, array or object"),
        ));
    }
    if let Some(values) = map.get("enum") {
        check_enum(map, values, pointer, problems);
    }
    untyped_constraint(map, pointer, problems);
    if let Some(properties) = map.get("properties").and_then(Value::as_object) {
        let mut fields: BTreeMap<String, &str> = BTreeMap::new();
        for name in properties.keys() {
            let field = sanitize(name, Case::Snake);
            if let Some(other) = fields.insert(field.clone(), name) {
                problems.push(SpecError::invalid(
                    format!("#{pointer}/properties"),
                    format!("properties `{other}` and `{name}` both become the Rust field `{field}`; rename one"),
                ));
            }
        }
        for (name, property) in properties {
            check_schema(property, &format!("{pointer}/properties/{}", pointer_token(name)), problems);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for (i, part) in map.get(key).and_then(Value::as_array).into_iter().flatten().enumerate() {
            check_schema(part, &format!("{pointer}/{key}/{i}"), problems);
        }
    }
    for key in ["items", "not", "additionalProperties"] {
        if let Some(part) = map.get(key) {
            check_schema(part, &format!("{pointer}/{key}"), problems);
        }
    }
}

/// Keywords that only make sense for one kind of value; without a `type` (or a composition saying it),
/// typify cannot tell what the schema is and panics ("invalid (or unexpected) schema").
const NEEDS_A_TYPE: [(&str, &str); 6] = [
    ("minimum", "`type: integer` or `type: number`"),
    ("maximum", "`type: integer` or `type: number`"),
    ("exclusiveMinimum", "`type: integer` or `type: number`"),
    ("exclusiveMaximum", "`type: integer` or `type: number`"),
    ("multipleOf", "`type: integer` or `type: number`"),
    ("format", "the type this format is a format of (`type: string` for `uuid`, `date-time`)"),
];

fn untyped_constraint(map: &serde_json::Map<String, Value>, pointer: &str, problems: &mut Vec<SpecError>) {
    let typed = ["type", "allOf", "anyOf", "oneOf", "not"].iter().any(|key| map.contains_key(*key));
    if typed {
        return;
    }
    if let Some((keyword, advice)) = NEEDS_A_TYPE.iter().find(|(keyword, _)| map.contains_key(*keyword)) {
        problems.push(SpecError::invalid(
            format!("#{pointer}/{keyword}"),
            format!("`{keyword}` without a `type`: the generator cannot tell what value it constrains; add {advice}"),
        ));
    }
}

fn check_enum(schema: &serde_json::Map<String, Value>, values: &Value, pointer: &str, problems: &mut Vec<SpecError>) {
    let location = format!("#{pointer}/enum");
    let Some(values) = values.as_array() else { return };
    let nullable = schema.get("nullable").and_then(Value::as_bool) == Some(true);
    let kind = schema.get("type").and_then(Value::as_str);
    if values.is_empty() {
        problems
            .push(SpecError::invalid(location, "`enum: []` allows no value at all; list the values or drop `enum`"));
        return;
    }
    let fits = |value: &Value| match (kind, value) {
        (_, Value::Null) => nullable,
        (Some("string") | None, Value::String(_)) => true,
        (Some("integer"), Value::Number(n)) => n.is_i64() || n.is_u64(),
        (Some("number"), Value::Number(_)) => true,
        (Some("boolean"), Value::Bool(_)) => true,
        _ => false,
    };
    if let Some(bad) = values.iter().find(|v| !fits(v)) {
        problems.push(SpecError::invalid(
            location,
            format!(
                "the value {bad} is not a {}{}; every value must be of the schema's type",
                kind.unwrap_or("string"),
                if nullable { " or null" } else { " (add `nullable: true` for null)" }
            ),
        ));
        return;
    }
    if let Some(default) = schema.get("default")
        && !values.contains(default)
    {
        problems.push(SpecError::invalid(
            format!("#{pointer}/default"),
            format!("the default {default} is not one of the enum values; make it one of them"),
        ));
    }
    let strings: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
    if strings.len() != values.iter().filter(|v| !v.is_null()).count() {
        return;
    }
    // typify's two attempts: plain sanitizing, then with the elided characters spelled `X`.
    let mut names: BTreeMap<String, &str> = BTreeMap::new();
    let first_try = strings.iter().all(|value| names.insert(sanitize(value, Case::Pascal), value).is_none());
    if first_try {
        return;
    }
    names.clear();
    for value in &strings {
        let spelled: String =
            value.chars().map(|c| if c == '_' || !unicode_ident::is_xid_continue(c) { 'X' } else { c }).collect();
        let variant = sanitize(&spelled, Case::Pascal);
        if let Some(other) = names.insert(variant.clone(), value) {
            problems.push(SpecError::invalid(
                &location,
                format!("the values `{other}` and `{value}` both become the Rust variant `{variant}`; the API must not tell them apart only by case or punctuation"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn problems(schema: Value) -> Vec<String> {
        let doc = json!({"components": {"schemas": {"S": schema}}});
        let mut problems = Vec::new();
        check_schemas(&doc, &mut problems);
        problems.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn enum_values_that_become_one_variant_are_refused_with_both_spellings() {
        let found = problems(json!({"type": "string", "enum": ["a-b", "a_b"]}));
        assert!(
            found[0].starts_with("#/components/schemas/S/enum: the values `a-b` and `a_b` both become"),
            "{found:?}"
        );
        assert!(
            problems(json!({"type": "string", "enum": ["a", "A"]}))[0]
                .contains("`a` and `A` both become the Rust variant `A`")
        );
        assert!(problems(json!({"type": "string", "enum": ["a-b", "a b"]}))[0].contains("`a-b` and `a b`"));
        assert!(
            problems(json!({"type": "string", "enum": ["a-b", "ab", "Ab_"]})).is_empty(),
            "typify's second try separates these"
        );
        assert!(problems(json!({"type": "string", "enum": ["x", "x"]}))[0].contains("`x` and `x`"));
    }

    #[test]
    fn enum_values_of_another_type_and_empty_enums_are_refused() {
        assert!(problems(json!({"type": "string", "enum": ["a", -1]}))[0].contains("the value -1 is not a string"));
        assert!(problems(json!({"type": "string", "enum": []}))[0].contains("allows no value"));
        assert!(problems(json!({"type": "string", "nullable": true, "enum": ["a", null]})).is_empty());
    }

    #[test]
    fn schemas_that_become_one_type_are_refused_with_both_places() {
        let doc = json!({"components": {"schemas": {"Foo-Bar": {"type": "string"}, "FooBar": {"type": "string"}}}});
        let mut found = Vec::new();
        check_schemas(&doc, &mut found);
        let text = found.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n");
        assert!(
            text.contains("#/components/schemas/FooBar: schemas `Foo-Bar` (#/components/schemas/Foo-Bar) and `FooBar` both become the Rust type `FooBar`"),
            "{text}"
        );
    }

    #[test]
    fn numeric_bounds_and_formats_without_a_type_are_refused_where_they_are() {
        let found = problems(json!({"type": "object", "properties": {"n": {"minimum": 1, "maximum": 5}}}));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("#/components/schemas/S/properties/n/minimum: `minimum` without a `type`"));
        assert!(problems(json!({"format": "uuid"}))[0].contains("`format` without a `type`"));
        assert!(problems(json!({"type": "integer", "minimum": 1})).is_empty());
        assert!(problems(json!({"allOf": [{"type": "integer"}], "minimum": 1})).is_empty());
    }

    #[test]
    fn a_media_type_whose_schema_is_null_is_refused_where_it_is() {
        let doc = json!({"paths": {"/a": {"get": {"responses": {"200": {"description": "ok",
            "content": {"application/json": {"schema": null}}}}}}}});
        let mut found = Vec::new();
        check_schemas(&doc, &mut found);
        let text = found.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n");
        assert!(
            text.starts_with("#/paths/~1a/get/responses/200/content/application~1json/schema: `schema: null`"),
            "{text}"
        );
    }

    #[test]
    fn properties_that_become_one_field_are_refused() {
        let found =
            problems(json!({"type": "object", "properties": {"a-b": {"type": "string"}, "a_b": {"type": "string"}}}));
        assert!(found[0].contains("properties `a-b` and `a_b` both become the Rust field `a_b`"), "{found:?}");
    }
}
