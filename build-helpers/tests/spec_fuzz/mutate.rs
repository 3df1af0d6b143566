//! Mutants of our spec, one class at a time: the shapes a vendor, a contributor or a merge conflict can
//! write. Each class is a function from a small valid spec (a few of our operations and the components
//! they use) and a seeded random source to the bytes of a spec file.

use fastrand::Rng;
use serde_json::{Value, json};

/// A mutant: the class it belongs to, what was done, and the file to write.
pub struct Mutant {
    pub what: String,
    pub extension: &'static str,
    pub bytes: Vec<u8>,
}

pub type Mutation = fn(&mut Value, &mut Rng) -> String;

/// Mutations of the document's structure, written out as YAML or JSON.
const STRUCTURAL: &[(&str, Mutation)] = &[
    ("delete-key", delete_key),
    ("swap-type", swap_type),
    ("bad-ref", bad_ref),
    ("cyclic-ref", cyclic_ref),
    ("odd-operation-id", odd_operation_id),
    ("odd-parameter-name", odd_parameter_name),
    ("enum-collision", enum_collision),
    ("property-collision", property_collision),
    ("method-shape", method_shape),
    ("response-shape", response_shape),
    ("parameter-shape", parameter_shape),
    ("path-shape", path_shape),
    ("version", version),
    ("response-enum-values", response_enum_values),
    ("deep-schema-nesting", deep_schema_nesting),
    ("client-method-operation-id", client_method_operation_id),
    ("header-parameter", header_parameter),
    ("header-parameter-shape", header_parameter_shape),
];

/// Mutations of the file's text.
const TEXTUAL: &[&str] = &["deep-nesting", "yaml-bomb", "huge-file", "non-utf8", "json-duplicate-key"];

/// Changes a vendor's next spec plausibly makes, applied to the whole spec (not a subset) so that an
/// accepted mutant can be built with the whole workspace: the new classes of this fuzz, changes that
/// must be harmless, and two blind ones.
pub const WORKSPACE: &[(&str, Mutation)] = &[
    ("response-enum-values", response_enum_values),
    ("deep-schema-nesting", deep_schema_nesting),
    ("client-method-operation-id", client_method_operation_id),
    ("header-parameter", header_parameter),
    ("header-parameter-shape", header_parameter_shape),
    ("new-response-field", new_response_field),
    ("new-operation", new_operation),
    ("new-query-parameter", new_query_parameter),
    ("delete-key", delete_key),
    ("swap-type", swap_type),
];

/// A mutant of the whole spec by `mutation`, written as YAML or JSON; JSON sometimes with a key written
/// twice (which must be refused, located).
pub fn workspace_mutant(mutation: Mutation, base: &Value, rng: &mut Rng) -> Mutant {
    let mut doc = base.clone();
    let what = mutation(&mut doc, rng);
    if rng.usize(..8) == 0 {
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        let (what_more, extension, bytes) = json_duplicate_key(&text, rng);
        return Mutant { what: format!("{what}; {what_more}"), extension, bytes };
    }
    let (extension, bytes) = if rng.bool() {
        ("yaml", serde_yaml::to_string(&doc).unwrap_or_default().into_bytes())
    } else {
        ("json", serde_json::to_vec_pretty(&doc).unwrap_or_default())
    };
    Mutant { what, extension, bytes }
}

/// `base` with each of `mutations` applied in turn (each with its own rng), written as JSON: what was
/// done, and the bytes.
pub fn stacked_mutant(base: &Value, mutations: Vec<(Mutation, Rng)>) -> (String, Vec<u8>) {
    let mut doc = base.clone();
    let mut what = Vec::new();
    for (mutation, mut rng) in mutations {
        what.push(mutation(&mut doc, &mut rng));
    }
    (what.join("; "), serde_json::to_vec_pretty(&doc).unwrap_or_default())
}

/// Every class name, in the order cases cycle through them.
pub fn classes() -> Vec<&'static str> {
    STRUCTURAL.iter().map(|(name, _)| *name).chain(TEXTUAL.iter().copied()).collect()
}

/// The mutant of class `class` built from `base` with `rng`.
pub fn mutant(class: &'static str, base: &Value, rng: &mut Rng) -> Mutant {
    let doc = subset(base, rng);
    if let Some((_, mutation)) = STRUCTURAL.iter().find(|(name, _)| *name == class) {
        let mut doc = doc;
        let mut what = Vec::new();
        // Mostly one change; sometimes two or three stacked, as a bad merge would.
        for _ in 0..[1, 1, 1, 2, 3][rng.usize(..5)] {
            what.push(mutation(&mut doc, rng));
        }
        let (extension, bytes) = if rng.bool() {
            ("yaml", serde_yaml::to_string(&doc).unwrap_or_default().into_bytes())
        } else {
            ("json", serde_json::to_vec_pretty(&doc).unwrap_or_default())
        };
        return Mutant { what: what.join("; "), extension, bytes };
    }
    let text = serde_yaml::to_string(&doc).unwrap_or_default();
    let (what, extension, bytes) = match class {
        "deep-nesting" => deep_nesting(&text, rng),
        "yaml-bomb" => yaml_bomb(rng),
        "huge-file" => huge_file(&text, rng),
        "json-duplicate-key" => json_duplicate_key(&serde_json::to_string_pretty(&doc).unwrap_or_default(), rng),
        _ => non_utf8(&text, rng),
    };
    Mutant { what, extension, bytes }
}

/// A few of the spec's paths and the components they reach, so a case costs milliseconds, not seconds.
fn subset(base: &Value, rng: &mut Rng) -> Value {
    let mut doc = base.clone();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return doc };
    let mut keys: Vec<String> = paths.keys().cloned().collect();
    rng.shuffle(&mut keys);
    let keep = 1 + rng.usize(..3);
    paths.retain(|path, _| keys[..keep.min(keys.len())].contains(path));
    prune_components(&mut doc);
    doc
}

/// Removes the components no kept path reaches.
fn prune_components(doc: &mut Value) {
    let mut reached: Vec<String> = Vec::new();
    let mut pending = refs_in(doc.get("paths").unwrap_or(&Value::Null));
    while let Some(reference) = pending.pop() {
        if reached.contains(&reference) {
            continue;
        }
        if let Some(node) = reference.strip_prefix('#').and_then(|p| doc.pointer(p)) {
            pending.extend(refs_in(node));
        }
        reached.push(reference);
    }
    let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) else { return };
    for (kind, entries) in components.iter_mut() {
        if kind == "securitySchemes" {
            continue;
        }
        if let Some(entries) = entries.as_object_mut() {
            entries.retain(|name, _| reached.contains(&format!("#/components/{kind}/{name}")));
        }
    }
}

fn refs_in(node: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        match node {
            Value::Object(map) => {
                if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                    out.push(reference.to_string());
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    out
}

/// JSON pointers of every node below `root` for which `keep` holds.
fn pointers(doc: &Value, root: &str, keep: &dyn Fn(&Value) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack: Vec<(String, &Value)> = doc.pointer(root).map(|n| vec![(root.to_string(), n)]).unwrap_or_default();
    while let Some((pointer, node)) = stack.pop() {
        if keep(node) {
            out.push(pointer.clone());
        }
        match node {
            Value::Object(map) => {
                for (key, value) in map {
                    stack.push((format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1")), value));
                }
            }
            Value::Array(items) => {
                for (i, value) in items.iter().enumerate() {
                    stack.push((format!("{pointer}/{i}"), value));
                }
            }
            _ => {}
        }
    }
    out.sort();
    out
}

fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> Option<&'a T> {
    if items.is_empty() { None } else { items.get(rng.usize(..items.len())) }
}

fn any_value(rng: &mut Rng) -> Value {
    let values = [
        json!(3.5),
        json!("x"),
        json!([]),
        json!([1, "a"]),
        json!(true),
        Value::Null,
        json!({}),
        json!({"a": 1}),
        json!(-1),
    ];
    values[rng.usize(..values.len())].clone()
}

/// Operations as (pointer, path, method).
fn operation_pointers(doc: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        for method in ["get", "put", "post", "delete", "options", "head", "patch", "trace"] {
            if item.get(method).is_some() {
                out.push((
                    format!("/paths/{}/{method}", path.replace('~', "~0").replace('/', "~1")),
                    path.clone(),
                    method.into(),
                ));
            }
        }
    }
    out
}

fn delete_key(doc: &mut Value, rng: &mut Rng) -> String {
    let objects = pointers(doc, "", &|n| n.as_object().is_some_and(|m| !m.is_empty()));
    let Some(pointer) = pick(rng, &objects).cloned() else { return "nothing to delete".into() };
    let Some(map) = doc.pointer_mut(&pointer).and_then(Value::as_object_mut) else { return String::new() };
    let keys: Vec<String> = map.keys().cloned().collect();
    let Some(key) = pick(rng, &keys).cloned() else { return String::new() };
    map.remove(&key);
    format!("deleted {pointer}/{key}")
}

fn swap_type(doc: &mut Value, rng: &mut Rng) -> String {
    let all = pointers(doc, "", &|_| true);
    let Some(pointer) = pick(rng, &all).cloned() else { return String::new() };
    let value = any_value(rng);
    let what = format!("{pointer} = {value}");
    if let Some(node) = doc.pointer_mut(&pointer) {
        *node = value;
    }
    what
}

fn bad_ref(doc: &mut Value, rng: &mut Rng) -> String {
    let targets = [
        "#",
        "#/components/schemas/Nope",
        "other.yaml#/components/schemas/X",
        "https://example.com/spec.yaml#/x",
        "",
        "#/paths",
        "#/components/schemas",
        "#/info/title",
        "components/schemas/ErrorResponse",
        "#/components/schemas/Error Response",
        "#/components/parameters/Nope",
    ];
    let objects = pointers(doc, "", &|n| n.is_object());
    let Some(pointer) = pick(rng, &objects).cloned() else { return String::new() };
    let Some(target) = pick(rng, &targets) else { return String::new() };
    if let Some(map) = doc.pointer_mut(&pointer).and_then(Value::as_object_mut) {
        if rng.bool() {
            map.clear();
        }
        map.insert("$ref".into(), json!(target));
    }
    format!("{pointer}: $ref {target}")
}

fn cyclic_ref(doc: &mut Value, rng: &mut Rng) -> String {
    let schemas: Vec<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let ops = operation_pointers(doc);
    match rng.usize(..6) {
        0 if !schemas.is_empty() => {
            let name = &schemas[rng.usize(..schemas.len())];
            doc["components"]["schemas"][name] = json!({"$ref": format!("#/components/schemas/{name}")});
            format!("schema {name} is a $ref to itself")
        }
        1 if schemas.len() >= 2 => {
            let (a, b) = (schemas[0].clone(), schemas[1].clone());
            doc["components"]["schemas"][&a] = json!({"$ref": format!("#/components/schemas/{b}")});
            doc["components"]["schemas"][&b] = json!({"$ref": format!("#/components/schemas/{a}")});
            format!("schemas {a} → {b} → {a}")
        }
        2 if !schemas.is_empty() => {
            let name = &schemas[rng.usize(..schemas.len())];
            doc["components"]["schemas"][name] = json!({"type": "object", "required": ["next"], "properties": {
                "next": {"$ref": format!("#/components/schemas/{name}")}}});
            format!("schema {name} holds itself, required")
        }
        3 => {
            doc["components"]["responses"]["R"] = json!({"$ref": "#/components/responses/R"});
            if let Some(op) = random_operation(doc, rng, &ops) {
                op["responses"]["500"] = json!({"$ref": "#/components/responses/R"});
            }
            "response R is a $ref to itself".into()
        }
        4 => {
            if let Some(op) = random_operation(doc, rng, &ops) {
                op["responses"]["200"] =
                    json!({"description": "x", "content": {"application/json": {"schema": {"$ref": "#"}}}});
            }
            "a response schema is {$ref: '#'}".into()
        }
        _ => {
            doc["components"]["parameters"]["P"] = json!({"$ref": "#/components/parameters/Q"});
            doc["components"]["parameters"]["Q"] = json!({"$ref": "#/components/parameters/P"});
            if let Some(op) = random_operation(doc, rng, &ops) {
                op["parameters"] = json!([{"$ref": "#/components/parameters/P"}]);
            }
            "parameters P → Q → P".into()
        }
    }
}

fn random_operation<'d>(doc: &'d mut Value, rng: &mut Rng, ops: &[(String, String, String)]) -> Option<&'d mut Value> {
    let (pointer, _, _) = pick(rng, ops)?;
    doc.pointer_mut(pointer)
}

fn odd_operation_id(doc: &mut Value, rng: &mut Rng) -> String {
    let ops = operation_pointers(doc);
    let ids: Vec<String> = ops
        .iter()
        .filter_map(|(p, _, _)| doc.pointer(p).and_then(|op| op.get("operationId")).and_then(Value::as_str))
        .map(str::to_string)
        .collect();
    let Some((pointer, _, _)) = pick(rng, &ops).cloned() else { return String::new() };
    let other = pick(rng, &ids).cloned().unwrap_or_else(|| "getLogs".into());
    let mut upper = other.clone();
    if let Some(first) = upper.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    let candidates = [
        "1x".to_string(),
        String::new(),
        " ".into(),
        "🦀".into(),
        "new".into(),
        "client".into(),
        "inner".into(),
        "send".into(),
        "type".into(),
        "async".into(),
        "self".into(),
        "Self".into(),
        "a b".into(),
        "get-logs".into(),
        "x".repeat(300),
        upper,
        heck_snake(&other),
        format!("{other}\u{200b}"),
        other.clone(),
    ];
    let Some(id) = pick(rng, &candidates).cloned() else { return String::new() };
    if let Some(op) = doc.pointer_mut(&pointer) {
        op["operationId"] = json!(id);
    }
    format!("{pointer}: operationId {id:?}")
}

fn heck_snake(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_uppercase() && !out.is_empty() {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}

const ODD_NAMES: [&str; 13] =
    ["", "1st", "type", "async", "self", "Self", "a-b", "🦀", " ", "crate", "r#x", "a.b", "_"];

fn odd_parameter_name(doc: &mut Value, rng: &mut Rng) -> String {
    let params = pointers(doc, "/paths", &|n| n.get("in").is_some() && n.get("name").is_some());
    let Some(pointer) = pick(rng, &params).cloned() else { return add_colliding_parameter(doc, rng) };
    if rng.usize(..3) == 0 {
        return add_colliding_parameter(doc, rng);
    }
    let Some(new) = pick(rng, &ODD_NAMES).map(|s| s.to_string()) else { return String::new() };
    let Some(param) = doc.pointer_mut(&pointer) else { return String::new() };
    let old = param["name"].as_str().unwrap_or_default().to_string();
    let location = param["in"].as_str().unwrap_or_default().to_string();
    param["name"] = json!(new);
    if location == "path" {
        rename_template(doc, &old, &new);
    }
    format!("{pointer}: {location} parameter {old:?} renamed {new:?}")
}

/// A second parameter whose Rust name collides with an existing one (`setName` beside `set_name`), or
/// the same name declared twice with another type.
fn add_colliding_parameter(doc: &mut Value, rng: &mut Rng) -> String {
    let ops = operation_pointers(doc);
    let Some((pointer, path, _)) = pick(rng, &ops).cloned() else { return String::new() };
    let template: Vec<String> =
        path.split('{').skip(1).filter_map(|r| r.split_once('}')).map(|(n, _)| n.to_string()).collect();
    let Some(op) = doc.pointer_mut(&pointer) else { return String::new() };
    let list = op.as_object_mut().map(|o| o.entry("parameters").or_insert(json!([])));
    let Some(list) = list.and_then(Value::as_array_mut) else { return String::new() };
    match (template.first(), rng.usize(..3)) {
        (Some(name), 0) => {
            list.push(json!({"name": name, "in": "path", "required": true, "schema": {"type": "integer"}}));
            format!("{pointer}: path parameter {name} declared twice")
        }
        (Some(name), 1) => {
            let snake = heck_snake(name);
            let twin = if snake == *name { format!("{name}X") } else { snake };
            list.push(json!({"name": twin, "in": "query", "schema": {"type": "string"}}));
            format!("{pointer}: query parameter {twin} beside {{{name}}}")
        }
        _ => {
            list.push(json!({"name": "a-b", "in": "query", "schema": {"type": "string"}}));
            list.push(json!({"name": "a_b", "in": "query", "schema": {"type": "string"}}));
            format!("{pointer}: query parameters a-b and a_b")
        }
    }
}

fn rename_template(doc: &mut Value, old: &str, new: &str) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    let renamed: Vec<(String, Value)> = paths
        .iter()
        .filter(|(path, _)| path.contains(&format!("{{{old}}}")))
        .map(|(path, item)| (path.clone(), item.clone()))
        .collect();
    for (path, item) in renamed {
        paths.remove(&path);
        paths.insert(path.replace(&format!("{{{old}}}"), &format!("{{{new}}}")), item);
    }
}

fn enum_collision(doc: &mut Value, rng: &mut Rng) -> String {
    let lists = [
        json!(["a", "A"]),
        json!(["value1", ""]),
        json!(["unknown", "unknown_value"]),
        json!(["Unknown", "UnknownValue", "unknown-value"]),
        json!([]),
        json!([1, 2]),
        json!(["x", "x"]),
        json!(["", " "]),
        json!(["1", "2"]),
        json!(["self", "Self", "type"]),
        json!([null]),
        json!(["a-b", "a_b"]),
    ];
    let strings = pointers(doc, "", &|n| n.get("type").and_then(Value::as_str) == Some("string"));
    let Some(pointer) = pick(rng, &strings).cloned() else { return String::new() };
    let Some(values) = pick(rng, &lists).cloned() else { return String::new() };
    let what = format!("{pointer}: enum {values}");
    if let Some(node) = doc.pointer_mut(&pointer) {
        node["enum"] = values;
    }
    what
}

fn property_collision(doc: &mut Value, rng: &mut Rng) -> String {
    let objects = pointers(doc, "", &|n| n.get("properties").is_some_and(Value::is_object));
    let Some(pointer) = pick(rng, &objects).cloned() else { return String::new() };
    let Some(node) = doc.pointer_mut(&pointer) else { return String::new() };
    let existing: Vec<String> = node["properties"].as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default();
    let added: Vec<String> = match rng.usize(..4) {
        0 => vec!["a-b".into(), "a_b".into()],
        1 => existing
            .first()
            .map(|n| vec![heck_snake(n) + if heck_snake(n) == *n { "_" } else { "" }])
            .unwrap_or_default(),
        2 => vec!["type".into(), "self".into(), "Self".into(), "".into()],
        _ => vec!["1x".into(), "🦀".into(), " ".into()],
    };
    for name in &added {
        node["properties"][name] = json!({"type": "string"});
    }
    if rng.bool() {
        node["required"] = json!(added);
    }
    format!("{pointer}: properties {added:?}")
}

fn method_shape(doc: &mut Value, rng: &mut Rng) -> String {
    let ops = operation_pointers(doc);
    let Some((pointer, path, method)) = pick(rng, &ops).cloned() else { return String::new() };
    let Some(op) = doc.pointer(&pointer).cloned() else { return String::new() };
    let target = *pick(rng, &["trace", "options", "head", "patch", "get"]).unwrap_or(&"trace");
    if target == method {
        return "no change".into();
    }
    let mut copy = op;
    if rng.bool() {
        copy["operationId"] = json!(format!("{}Copy", copy["operationId"].as_str().unwrap_or("op")));
        doc["paths"][&path][target] = copy;
        format!("{pointer} copied to {target}")
    } else {
        if let Some(item) = doc["paths"][&path].as_object_mut() {
            item.remove(&method);
        }
        doc["paths"][&path][target] = copy;
        format!("{pointer} moved to {target}")
    }
}

fn response_shape(doc: &mut Value, rng: &mut Rng) -> String {
    let ops = operation_pointers(doc);
    let Some((pointer, _, _)) = pick(rng, &ops).cloned() else { return String::new() };
    let Some(responses) = doc.pointer_mut(&format!("{pointer}/responses")).and_then(Value::as_object_mut) else {
        return String::new();
    };
    match rng.usize(..5) {
        0 => {
            responses.retain(|status, _| !status.starts_with('2'));
            format!("{pointer}: no success response")
        }
        1 => {
            responses.insert("200".into(), json!({"description": "x", "content": {"application/json": {}}}));
            format!("{pointer}: 200 has a media type without a schema")
        }
        2 => {
            responses.insert(
                "200".into(),
                json!({"description": "x", "content": {
                "application/json": {"schema": {"type": "string"}}, "text/plain": {"schema": {"type": "string"}}}}),
            );
            format!("{pointer}: 200 offers two media types")
        }
        3 => {
            responses.clear();
            responses.insert("default".into(), json!({"description": "x"}));
            format!("{pointer}: only a default response")
        }
        _ => {
            responses.insert(
                "2XX".into(),
                json!({"description": "x", "content": {"application/json": {"schema": {"type": "integer"}}}}),
            );
            format!("{pointer}: a 2XX range response")
        }
    }
}

fn parameter_shape(doc: &mut Value, rng: &mut Rng) -> String {
    let params = pointers(doc, "", &|n| n.get("in").is_some() && n.get("name").is_some());
    let Some(pointer) = pick(rng, &params).cloned() else { return String::new() };
    let Some(param) = doc.pointer_mut(&pointer) else { return String::new() };
    match rng.usize(..6) {
        0 => {
            param["required"] = json!(false);
            format!("{pointer}: required false")
        }
        1 => {
            param["schema"] = json!({"format": "uuid"});
            format!("{pointer}: format uuid without type")
        }
        2 => {
            if let Some(p) = param.as_object_mut() {
                p.remove("schema");
            }
            format!("{pointer}: no schema")
        }
        3 => {
            param["in"] = json!(*pick(rng, &["cookie", "header", "body", "query", "path"]).unwrap_or(&"cookie"));
            format!("{pointer}: in {}", param["in"])
        }
        4 => {
            param["schema"] = json!({"type": "object", "properties": {"a": {"type": "string"}}});
            format!("{pointer}: an object schema")
        }
        _ => {
            param["schema"] = json!({"type": "array", "items": {"type": "string", "enum": ["a", "b"]}});
            format!("{pointer}: an array of enum")
        }
    }
}

fn path_shape(doc: &mut Value, rng: &mut Rng) -> String {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return String::new() };
    let keys: Vec<String> = paths.keys().cloned().collect();
    let Some(old) = pick(rng, &keys).cloned() else { return String::new() };
    let new = match rng.usize(..6) {
        0 => old.trim_start_matches('/').to_string(),
        1 => format!("{old}/{{x"),
        2 => format!("{old}/{{}}"),
        3 => format!("{old}/"),
        4 => format!("{old}/ä ö"),
        _ => old.replace('{', "{{").replace('}', "}}"),
    };
    if let Some(item) = paths.remove(&old) {
        paths.insert(new.clone(), item);
    }
    format!("path {old:?} → {new:?}")
}

fn version(doc: &mut Value, rng: &mut Rng) -> String {
    let versions = [
        json!("3.0"),
        json!("3.1.0"),
        json!(3.0),
        json!("2.0"),
        Value::Null,
        json!("3.0.3-rc"),
        json!(""),
        json!("3.0.x"),
        json!("3.0.4"),
    ];
    let Some(v) = pick(rng, &versions).cloned() else { return String::new() };
    doc["openapi"] = v.clone();
    format!("openapi: {v}")
}

fn deep_nesting(text: &str, rng: &mut Rng) -> (String, &'static str, Vec<u8>) {
    let depth = [100, 300, 2_000, 20_000, 80_000][rng.usize(..5)];
    match rng.usize(..4) {
        3 => {
            // Block sequences nested on one line: `- - - 1`.
            let body = format!("{}1", "- ".repeat(depth));
            (format!("{depth} nested block sequences"), "yaml", format!("{text}x-deep:\n  {body}\n").into_bytes())
        }
        0 => {
            let body = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            (format!("{depth} nested flow sequences"), "yaml", format!("{text}x-deep: {body}\n").into_bytes())
        }
        1 => {
            let body = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
            (
                format!("{depth} nested JSON objects"),
                "json",
                format!("{{\"openapi\": \"3.0.3\", \"x\": {body}}}").into_bytes(),
            )
        }
        _ => {
            // Indentation grows with depth: 2,000 levels are already a 2 MB file.
            let depth = depth.min(2_000);
            let mut body = String::from("x-deep:\n");
            for level in 1..depth {
                body.push_str(&" ".repeat(level));
                body.push_str("a:\n");
            }
            (format!("{depth} nested block mappings"), "yaml", format!("{text}{body}").into_bytes())
        }
    }
}

fn yaml_bomb(rng: &mut Rng) -> (String, &'static str, Vec<u8>) {
    let levels = 3 + rng.usize(..8);
    let mut text = String::from(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\nx-a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for level in 1..levels {
        let prev = level - 1;
        text.push_str(&format!(
            "x-a{level}: &a{level} [*a{prev},*a{prev},*a{prev},*a{prev},*a{prev},*a{prev},*a{prev},*a{prev},*a{prev}]\n"
        ));
    }
    (format!("{levels}-level alias bomb"), "yaml", text.into_bytes())
}

fn huge_file(text: &str, rng: &mut Rng) -> (String, &'static str, Vec<u8>) {
    let size = 16 * 1024 * 1024 + rng.usize(1..1024);
    let mut bytes = text.as_bytes().to_vec();
    bytes.extend_from_slice(b"x-padding: \"");
    bytes.resize(size, b'a');
    bytes.extend_from_slice(b"\"\n");
    (format!("{} bytes", bytes.len()), "yaml", bytes)
}

fn non_utf8(text: &str, rng: &mut Rng) -> (String, &'static str, Vec<u8>) {
    let mut bytes = text.as_bytes().to_vec();
    let at = rng.usize(..bytes.len().max(1));
    let bad: &[u8] = [&[0xff_u8][..], &[0xc3, 0x28], &[0xe2, 0x82], &[0xfe, 0xfe, 0xff]][rng.usize(..4)];
    let at = (at..bytes.len()).find(|&i| bytes[i].is_ascii()).unwrap_or(0);
    bytes.splice(at..at, bad.iter().copied());
    (format!("invalid UTF-8 at byte {at}"), "yaml", bytes)
}

/// The `enum` lists of schemas (components, and inline ones under responses).
fn enum_pointers(doc: &Value) -> Vec<String> {
    let mut found = pointers(doc, "/components/schemas", &|n| n.get("enum").is_some_and(Value::is_array));
    found.extend(pointers(doc, "/paths", &|n| n.get("enum").is_some_and(Value::is_array)));
    found
}

fn response_enum_values(doc: &mut Value, rng: &mut Rng) -> String {
    let enums = enum_pointers(doc);
    let Some(pointer) = pick(rng, &enums).cloned() else { return "no enum".into() };
    let Some(values) = doc.pointer_mut(&format!("{pointer}/enum")).and_then(Value::as_array_mut) else {
        return String::new();
    };
    let strings = values.iter().all(Value::is_string);
    match rng.usize(..4) {
        0 if values.len() > 1 => {
            let removed = values.remove(rng.usize(..values.len()));
            format!("{pointer}: enum value {removed} removed")
        }
        1 if strings && !values.is_empty() => {
            let at = rng.usize(..values.len());
            let renamed = format!("{}_v2", values[at].as_str().unwrap_or_default());
            let was = std::mem::replace(&mut values[at], json!(renamed));
            format!("{pointer}: enum value {was} renamed {renamed}")
        }
        2 if strings => {
            values.push(json!("fuzzNewValue"));
            format!("{pointer}: enum value fuzzNewValue added")
        }
        _ if strings => {
            let count = values.len();
            *values = (0..count.max(1)).map(|i| json!(format!("other{i}"))).collect();
            format!("{pointer}: every enum value replaced")
        }
        _ => format!("{pointer}: left alone (not a string enum)"),
    }
}

/// An optional property `nested` holding objects nested `depth` deep, on a schema with properties.
fn deep_schema_nesting(doc: &mut Value, rng: &mut Rng) -> String {
    let objects = pointers(doc, "/components/schemas", &|n| n.get("properties").is_some_and(Value::is_object));
    let Some(pointer) = pick(rng, &objects).cloned() else { return "no object schema".into() };
    let depth = 1 + rng.usize(..2 * build_helpers::validate::MAX_SCHEMA_DEPTH);
    let mut schema = json!({"type": "string"});
    for _ in 0..depth {
        schema = json!({"type": "object", "properties": {"level": schema}});
    }
    if let Some(properties) = doc.pointer_mut(&format!("{pointer}/properties")).and_then(Value::as_object_mut) {
        properties.insert("nested".into(), schema);
    }
    format!("{pointer}: a property nested {depth} objects deep")
}

/// An operationId that becomes a method the client already has.
fn client_method_operation_id(doc: &mut Value, rng: &mut Rng) -> String {
    let ops = operation_pointers(doc);
    let methods = build_helpers::generate::facade::client_methods::CLIENT_METHODS;
    let Some((method, _)) = pick(rng, methods) else { return String::new() };
    let id = heck::ToLowerCamelCase::to_lower_camel_case(*method);
    let Some(op) = random_operation(doc, rng, &ops) else { return "no operation".into() };
    op["operationId"] = json!(id);
    format!("an operationId is now {id}")
}

fn header_parameter(doc: &mut Value, rng: &mut Rng) -> String {
    let ops = operation_pointers(doc);
    let required = rng.bool();
    let Some(op) = random_operation(doc, rng, &ops) else { return "no operation".into() };
    let header = json!({"name": "X-Fuzz-Region", "in": "header", "required": required, "schema": {"type": "string"}});
    match op.get_mut("parameters").and_then(Value::as_array_mut) {
        Some(list) => list.push(header),
        None => op["parameters"] = json!([header]),
    }
    format!("a {} header parameter", if required { "required" } else { "optional" })
}

/// Header parameters of the shapes a spec may give them: an enum, a pattern, a number, a boolean, a name a
/// query parameter has; and ones that are refused at their place: a header the client writes itself, a
/// name HTTP does not take, a list, a cookie.
fn header_parameter_shape(doc: &mut Value, rng: &mut Rng) -> String {
    let ops = operation_pointers(doc);
    let Some(op) = random_operation(doc, rng, &ops) else { return "no operation".into() };
    let query_name = op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|p| p.get("in").and_then(Value::as_str) == Some("query"))
        .and_then(|p| p.get("name").and_then(Value::as_str))
        .unwrap_or("limit")
        .to_string();
    let shapes = [
        (
            "an enum header",
            json!({"name": "X-Fuzz-Mode", "in": "header", "schema": {"type": "string", "enum": ["fast", "safe"]}}),
        ),
        (
            "a header with a pattern",
            json!({"name": "X-Fuzz-Tag", "in": "header", "schema": {"type": "string", "pattern": "^[a-z]{1,8}$", "maxLength": 8}}),
        ),
        (
            "an integer header",
            json!({"name": "X-Fuzz-Count", "in": "header", "schema": {"type": "integer", "minimum": 1}}),
        ),
        ("a boolean header", json!({"name": "X-Fuzz-Dry-Run", "in": "header", "schema": {"type": "boolean"}})),
        (
            "a header named like a query parameter",
            json!({"name": query_name, "in": "header", "schema": {"type": "string"}}),
        ),
        (
            "the Authorization header as a parameter",
            json!({"name": "Authorization", "in": "header", "schema": {"type": "string"}}),
        ),
        ("a header named with a space", json!({"name": "X Fuzz", "in": "header", "schema": {"type": "string"}})),
        (
            "a list header",
            json!({"name": "X-Fuzz-List", "in": "header", "schema": {"type": "array", "items": {"type": "string"}}}),
        ),
        ("a cookie parameter", json!({"name": "session", "in": "cookie", "schema": {"type": "string"}})),
    ];
    let Some((what, param)) = pick(rng, &shapes).cloned() else { return String::new() };
    match op.get_mut("parameters").and_then(Value::as_array_mut) {
        Some(list) => list.push(param),
        None => op["parameters"] = json!([param]),
    }
    what.to_string()
}

fn new_response_field(doc: &mut Value, rng: &mut Rng) -> String {
    let objects = pointers(doc, "/components/schemas", &|n| n.get("properties").is_some_and(Value::is_object));
    let Some(pointer) = pick(rng, &objects).cloned() else { return "no object schema".into() };
    let kinds = [
        json!({"type": "string"}),
        json!({"type": "integer"}),
        json!({"type": "object", "properties": {"a": {"type": "boolean"}}}),
        json!({"type": "array", "items": {"type": "string"}}),
    ];
    let Some(schema) = pick(rng, &kinds).cloned() else { return String::new() };
    if let Some(properties) = doc.pointer_mut(&format!("{pointer}/properties")).and_then(Value::as_object_mut) {
        properties.insert("fuzzExtra".into(), schema);
    }
    format!("{pointer}: new optional property fuzzExtra")
}

fn new_operation(doc: &mut Value, rng: &mut Rng) -> String {
    let n = rng.usize(..1000);
    let path = format!("/fuzz{n}/{{thingId}}");
    doc["paths"][&path] = json!({"get": {"operationId": format!("getFuzzThing{n}"), "summary": "A new operation",
        "parameters": [{"name": "thingId", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema":
            {"type": "object", "properties": {"id": {"type": "string"}, "state": {"type": "string", "enum": ["on", "off"]}}}}}}}}});
    format!("new operation getFuzzThing{n} at {path}")
}

fn new_query_parameter(doc: &mut Value, rng: &mut Rng) -> String {
    let ops = operation_pointers(doc);
    let Some(op) = random_operation(doc, rng, &ops) else { return "no operation".into() };
    let param = json!({"name": "fuzzFilter", "in": "query", "required": false, "schema": {"type": "string"}});
    match op.get_mut("parameters").and_then(Value::as_array_mut) {
        Some(list) => list.push(param),
        None => op["parameters"] = json!([param]),
    }
    "new optional query parameter fuzzFilter".into()
}

/// The JSON text with one object's first key written again after its last (`"paths": {}` at the end
/// of the document, or a key repeated in an inner object).
fn json_duplicate_key(text: &str, rng: &mut Rng) -> (String, &'static str, Vec<u8>) {
    let trimmed = text.trim_end();
    let body = trimmed.strip_suffix('}').unwrap_or(trimmed);
    let key = ["paths", "components", "info", "openapi"][rng.usize(..4)];
    let value = if key == "openapi" { "\"3.0.3\"" } else { "{}" };
    let bytes = format!("{body},\n  \"{key}\": {value}\n}}\n").into_bytes();
    (format!("`{key}` written twice at the top"), "json", bytes)
}
