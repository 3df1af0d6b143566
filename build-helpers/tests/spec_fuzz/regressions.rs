//! One test per failure the issue "No spec can crash the pipeline…" lists under Why, by name: each spec
//! that once overflowed the stack, panicked, was accepted and then did not compile, or was refused
//! without a place, now ends in a located refusal or in code that compiles.

use std::path::PathBuf;

use build_helpers::diff::load_side;
use build_helpers::pipeline::prepare_and_generate as check;
use serde_json::{Value, json};

use super::{compile, fuzz_dir};

/// A small valid spec: `GET /things/{thingId}` (getThing) and the given extra paths and schemas.
fn spec(paths: Value, schemas: Value) -> Value {
    let mut all = json!({"/things/{thingId}": {"get": {
        "operationId": "getThing",
        "parameters": [{"name": "thingId", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}}}});
    for (path, item) in paths.as_object().into_iter().flatten() {
        all[path] = item.clone();
    }
    let mut components = json!({"Thing": {"type": "object", "properties": {"name": {"type": "string"}}}});
    for (name, schema) in schemas.as_object().into_iter().flatten() {
        components[name] = schema.clone();
    }
    json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "servers": [{"url": "https://api.example.com/v1"}], "security": [{"PrivateKeyAuth": []}],
        "paths": all, "components": {"schemas": components,
            "securitySchemes": {"PrivateKeyAuth": {"type": "http", "scheme": "bearer"}}}})
}

fn op(id: &str, responses: Value) -> Value {
    json!({"operationId": id, "responses": responses})
}

fn ok() -> Value {
    json!({"200": {"description": "ok"}})
}

fn write(name: &str, doc: &Value) -> PathBuf {
    let dir = fuzz_dir().join(format!("regressions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.json"));
    std::fs::write(&file, serde_json::to_vec_pretty(doc).unwrap()).unwrap();
    file
}

/// Asserts `doc` is refused by check and by diff, naming the file, a JSON pointer and each of `expected`.
fn refused(name: &str, doc: &Value, expected: &[&str]) {
    let file = write(name, doc);
    let error = check(&file).err().map(|e| e.to_string()).unwrap_or_else(|| panic!("{name}: accepted"));
    for part in expected.iter().chain([&format!("{name}.json").as_str(), &"#/"]) {
        assert!(error.contains(part), "{name}: `{part}` missing from: {error}");
    }
    assert!(load_side(file.to_str().unwrap()).is_err(), "{name}: the diff reads what check refuses");
}

/// Asserts `doc` is accepted and returns its generated file, to be compiled.
fn accepted(name: &str, doc: &Value) -> String {
    let file = write(name, doc);
    check(&file).unwrap_or_else(|e| panic!("{name}: {e}")).generated.file()
}

#[test]
fn response_schema_ref_to_document_root() {
    let doc = spec(
        json!({"/a": {"get": op("getA", json!({"200": {"description": "x",
        "content": {"application/json": {"schema": {"$ref": "#"}}}}}))}}),
        json!({}),
    );
    refused("ref-root", &doc, &["#/paths/~1a/get/responses/200/content/application~1json/schema", "$ref `#`"]);
}

#[test]
fn response_component_ref_to_itself() {
    let mut doc =
        spec(json!({"/a": {"get": op("getA", json!({"200": {"$ref": "#/components/responses/R"}}))}}), json!({}));
    doc["components"]["responses"] = json!({"R": {"$ref": "#/components/responses/R"}});
    refused("response-self-ref", &doc, &["cycle", "#/components/responses/R → #/components/responses/R"]);
}

#[test]
fn options_operation_id_not_an_identifier() {
    for (i, id) in ["1x", "", " ", "🦀"].into_iter().enumerate() {
        let doc = spec(json!({"/a": {"options": op(id, ok())}}), json!({}));
        refused(&format!("options-id-{i}"), &doc, &["#/paths/~1a/options", "cannot be a Rust identifier"]);
    }
}

#[test]
fn path_parameter_named_empty_or_digit_first() {
    let doc = spec(json!({"/a/{}": {"get": op("getA", ok())}}), json!({}));
    refused("path-param-empty", &doc, &["#/paths/~1a~1{}", "empty `{}`"]);
}

#[test]
fn dangling_schema_ref() {
    let doc = spec(
        json!({"/a": {"get": op("getA", json!({"200": {"description": "x",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Nope"}}}}}))}}),
        json!({}),
    );
    refused("dangling-ref", &doc, &["points at nothing", "has no `Nope`"]);
}

#[test]
fn non_local_schema_ref() {
    let doc = spec(json!({}), json!({"Other": {"$ref": "other.yaml#/components/schemas/X"}}));
    refused("non-local-ref", &doc, &["#/components/schemas/Other", "not a local reference"]);
}

#[test]
fn enum_values_colliding_after_case_conversion() {
    let doc = spec(
        json!({"/a": {"get": {"operationId": "getA", "responses": ok(), "parameters": [
        {"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["a", "A"]}}]}}}),
        json!({}),
    );
    refused(
        "enum-case",
        &doc,
        &["#/paths/~1a/get/parameters/0/schema/enum", "`a` and `A` both become the Rust variant `A`"],
    );
}

#[test]
fn media_type_without_schema() {
    let doc = spec(
        json!({"/a": {"get": op("getA", json!({"200": {"description": "x", "content": {"application/json": {}}}}))}}),
        json!({}),
    );
    refused("media-no-schema", &doc, &["#/paths/~1a/get/responses/200/content/application~1json", "has no schema"]);
}

#[test]
fn path_parameter_not_required() {
    let mut doc = spec(json!({}), json!({}));
    doc["paths"]["/things/{thingId}"]["get"]["parameters"][0]["required"] = json!(false);
    refused("path-param-optional", &doc, &["/parameters/0", "must say `required: true`"]);
}

#[test]
fn parameter_format_uuid_without_type() {
    let mut doc = spec(json!({}), json!({}));
    doc["paths"]["/things/{thingId}"]["get"]["parameters"][0]["schema"] = json!({"format": "uuid"});
    refused("uuid-no-type", &doc, &["/parameters/0/schema", "has no `type`"]);
}

#[test]
fn operation_ids_colliding_after_snake_case() {
    for (i, other) in ["GetThing", "get_thing"].into_iter().enumerate() {
        let doc = spec(json!({"/a": {"get": op(other, ok())}}), json!({}));
        refused(&format!("id-collision-{i}"), &doc, &["#/paths/~1", "both become the method `get_thing`"]);
    }
    let doc = spec(json!({"/a": {"get": op("getThing\u{200b}", ok())}}), json!({}));
    refused("id-zero-width-space", &doc, &["#/paths/~1", "both become the method `get_thing`"]);
}

/// `new`, `client` and `inner` were methods of progenitor's client, which the facade no longer uses: as
/// operationIds they are now accepted and compile (`accepted_regressions_compile`); the wrapper's own
/// `Client` methods are refused.
#[test]
fn operation_ids_colliding_with_client_methods() {
    for id in ["builder", "from_env", "with_retry"] {
        let doc = spec(json!({"/a": {"get": op(id, ok())}}), json!({}));
        refused(&format!("client-method-{id}"), &doc, &["#/paths/~1a/get", "which the client already has"]);
    }
}

#[test]
fn schema_that_is_only_a_ref_to_itself() {
    let doc = spec(json!({}), json!({"Thing": {"$ref": "#/components/schemas/Thing"}}));
    refused("schema-self-ref", &doc, &["cycle", "#/components/schemas/Thing → #/components/schemas/Thing"]);
}

#[test]
fn ref_cycle_a_b_a() {
    let doc = spec(
        json!({}),
        json!({"Thing": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/Thing"}}),
    );
    refused("ref-cycle", &doc, &["#/components/schemas/B → #/components/schemas/Thing → #/components/schemas/B"]);
}

#[test]
fn path_params_set_name_and_set_name() {
    let param = |name: &str| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}});
    let doc = spec(
        json!({"/s/{setName}/{set_name}": {"get": {"operationId": "getS", "responses": ok(),
        "parameters": [param("setName"), param("set_name")]}}}),
        json!({}),
    );
    refused("set-name-twice", &doc, &["#/paths/~1s~1{setName}~1{set_name}", "`setName` and `set_name` both become"]);
}

#[test]
fn properties_a_dash_b_and_a_underscore_b() {
    let doc = spec(
        json!({}),
        json!({"Thing": {"type": "object", "properties": {"a-b": {"type": "string"}, "a_b": {"type": "string"}}}}),
    );
    refused(
        "property-collision",
        &doc,
        &["#/components/schemas/Thing/properties", "`a-b` and `a_b` both become the Rust field `a_b`"],
    );
}

#[test]
fn trace_operation() {
    let doc = spec(json!({"/a": {"trace": op("traceA", ok())}}), json!({}));
    refused("trace", &doc, &["#/paths/~1a/trace", "TRACE operations are not supported"]);
}

#[test]
fn operation_without_success_response() {
    let doc = spec(json!({"/a": {"get": op("getA", json!({"404": {"description": "x"}}))}}), json!({}));
    refused("no-success", &doc, &["#/paths/~1a/get/responses", "no success response"]);
}

#[test]
fn path_parameter_declared_twice_with_two_types() {
    let mut doc = spec(json!({}), json!({}));
    doc["paths"]["/things/{thingId}"]["get"]["parameters"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "thingId", "in": "path", "required": true, "schema": {"type": "integer"}}));
    refused("declared-twice", &doc, &["/parameters/1", "`thingId` is declared twice"]);
}

#[test]
fn path_without_leading_slash() {
    let doc = spec(json!({"a": {"get": op("getA", ok())}}), json!({}));
    refused("no-slash", &doc, &["#/paths/a", "must start with `/`"]);
}

#[test]
fn serde_errors_carry_a_json_pointer() {
    let mut doc = spec(json!({}), json!({}));
    doc["info"]["title"] = json!(3.5);
    refused("float-title", &doc, &["#/info/title", "invalid type: floating point `3.5`, expected a string"]);
}

#[test]
fn bad_ref_not_reported_as_two_error_types() {
    let doc = spec(
        json!({"/a": {"get": op("getA", json!({"200": {"description": "ok"},
        "404": {"description": "x", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Missing"}}}},
        "500": {"description": "x", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}))}}),
        json!({}),
    );
    let file = write("bad-ref-errors", &doc);
    let error = check(&file).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(error.contains("has no `Missing`") && !error.contains("different error response types"), "{error}");
}

#[test]
fn missing_servers_not_reported_as_not_below_main() {
    let mut doc = spec(
        json!({"/p": {"servers": [{"url": "https://api.example.com/v1/public"}], "get": op("getP", ok())}}),
        json!({}),
    );
    doc.as_object_mut().unwrap().remove("servers");
    refused("no-servers", &doc, &["#/servers", "the document has none"]);
}

#[test]
fn version_3_0_refused_by_check_like_generate() {
    let mut doc = spec(json!({}), json!({}));
    doc["openapi"] = json!("3.0");
    refused("version-3-0", &doc, &["#/openapi", "write a full 3.0 version such as `3.0.3`"]);
}

#[test]
fn accepted_regressions_compile() {
    let fallback = |values: Value| {
        json!({"/e": {"get": op("getE", json!({"200": {"description": "x",
        "content": {"application/json": {"schema": {"type": "object", "properties": {"state": {"type": "string", "enum": values}}}}}}}))}})
    };
    let keyword = |name: &str| {
        json!({format!("/k/{{{name}}}"): {"get": {"operationId": "getK", "responses": ok(),
            "parameters": [{"name": name, "in": "path", "required": true, "schema": {"type": "string"}},
                           {"name": "crate", "in": "query", "schema": {"type": "string"}}]}}})
    };
    let specs = [
        ("response enum fallbacks [value1, \"\"]", spec(fallback(json!(["value1", ""])), json!({}))),
        (
            "response enum fallbacks [unknown, unknown_value]",
            spec(fallback(json!(["unknown", "unknown_value"])), json!({})),
        ),
        ("path parameter `type`, query `crate`", spec(keyword("type"), json!({}))),
        ("path parameter `async`, query `crate`", spec(keyword("async"), json!({}))),
        ("path parameter `1st`, query `crate`", spec(keyword("1st"), json!({}))),
        (
            "operationIds new, client, inner",
            spec(
                json!({"/n": {"get": op("new", ok())}, "/c": {"get": op("client", ok())}, "/i": {"get": op("inner", ok())}}),
                json!({}),
            ),
        ),
    ];
    let renamed =
        build_helpers::generate::renamed(&build_helpers::normalize::normalize(specs[2].1.clone()).unwrap().document);
    assert!(renamed.contains(&"getK: path parameter `type` is `type_` in Rust".to_string()), "{renamed:?}");
    assert!(renamed.contains(&"getK: query parameter `crate` is `crate_` in Rust".to_string()), "{renamed:?}");
    let renamed =
        build_helpers::generate::renamed(&build_helpers::normalize::normalize(specs[1].1.clone()).unwrap().document);
    assert!(renamed.iter().any(|l| l.ends_with("unlisted values are the variant `Unknown2`")), "{renamed:?}");
    let generated: Vec<(String, String)> = specs
        .iter()
        .enumerate()
        .map(|(i, (label, doc))| (label.to_string(), accepted(&format!("accepted-{i}"), doc)))
        .collect();
    let subjects: Vec<compile::Subject<'_>> = generated
        .iter()
        .map(|(label, code)| compile::Subject { label: label.clone(), generated: code, spec: None })
        .collect();
    let dir = fuzz_dir().join("compile-regressions");
    if let Err(broken) = compile::compile_generated(&dir, &subjects) {
        panic!("accepted regression specs that do not compile:\n{broken}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Each operation is also a static of the catalog (`catalog::GET_THING`): an operationId that would
/// take one of the catalog's own names is refused.
#[test]
fn operation_ids_colliding_with_catalog_names() {
    for id in ["operations", "specVersion", "pattern_0"] {
        let doc = spec(json!({"/a": {"get": op(id, ok())}}), json!({}));
        refused(&format!("catalog-name-{id}"), &doc, &["#/paths/~1a/get", "a name the catalog uses itself"]);
    }
}
