//! Every malformed input gets an error that names the problem, through the same pipeline `build.rs`
//! runs, and through the `cargo spec` binary (exit code 2, no panic).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use build_helpers::pipeline::prepare;

const VALID_HEAD: &str = "openapi: 3.0.0\ninfo: {title: t, version: '1'}\n";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("fixtures")
}

/// Writes `files` into a fresh folder and returns it.
fn folder(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pipecat-spec-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

fn error_of(path: &Path) -> String {
    prepare(path).err().map(|e| e.to_string()).unwrap_or_else(|| "no error".into())
}

/// Runs `cargo spec` (the binary) and returns (exit code, stdout, stderr).
fn cargo_spec(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-spec")).args(args).output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[test]
fn a_yaml_syntax_error_reports_file_line_and_column() {
    let dir =
        folder("yaml", &[("spec.yaml", "openapi: 3.0.0\ninfo:\n  title: t\n  version: '1'\npaths:\n  /a: {get: [}\n")]);
    let err = error_of(&dir.join("spec.yaml"));
    assert!(err.contains("spec.yaml:6:"), "{err}");
    let (code, _, stderr) = cargo_spec(&["check", dir.join("spec.yaml").to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("spec.yaml:6:") && !stderr.contains("panicked"), "{stderr}");
}

#[test]
fn an_openapi_3_1_document_is_refused() {
    let dir = folder("v31", &[("spec.yaml", "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n")]);
    let err = error_of(&dir);
    assert!(err.contains("#/openapi: OpenAPI 3.1.0 is not supported: progenitor reads OpenAPI 3.0 only"), "{err}");
}

#[test]
fn a_duplicate_operation_id_names_both_operations() {
    let spec = format!(
        "{VALID_HEAD}paths:\n  /a:\n    get: {{operationId: same, responses: {{'200': {{description: ok}}}}}}\n  \
         /b:\n    get: {{operationId: same, responses: {{'200': {{description: ok}}}}}}\n"
    );
    let dir = folder("dup", &[("spec.yaml", &spec)]);
    let err = error_of(&dir);
    assert!(err.contains("duplicate operationId `same`, also used by same (GET /a)"), "{err}");
}

#[test]
fn two_success_types_are_an_error_not_a_progenitor_panic() {
    let spec = format!(
        "{VALID_HEAD}paths:\n  /a:\n    post:\n      operationId: makeThing\n      responses:\n        \
         '200': {{description: a, content: {{application/json: {{schema: {{type: string}}}}}}}}\n        \
         '201': {{description: b, content: {{application/json: {{schema: {{type: integer}}}}}}}}\n"
    );
    let dir = folder("two-success", &[("spec.yaml", &spec)]);
    let err = error_of(&dir);
    assert!(err.contains("makeThing (POST /a) at #/paths/~1a/post: 2 different success response types"), "{err}");
    let (code, _, stderr) = cargo_spec(&["generate", dir.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn conflicting_fragments_name_the_element_and_both_files() {
    let base = std::fs::read_to_string(fixtures().join("fragments/a-list-secrets.yaml")).unwrap();
    let conflicting = base.replace("error: {type: string}", "error: {type: integer}");
    let dir = folder("conflict", &[("one.yaml", &base), ("two.yaml", &conflicting)]);
    let err = error_of(&dir);
    assert!(err.contains("conflict: components/schemas/ErrorResponse is defined differently in"), "{err}");
    assert!(err.contains("one.yaml and ") && err.contains("two.yaml"), "{err}");
    assert!(
        err.contains("first difference at #/components/schemas/ErrorResponse/properties/error/type: \"string\" there, \"integer\" here"),
        "the report shows where the two definitions first differ: {err}"
    );
}

#[test]
fn check_lists_each_relaxation_the_spec_examples_call_for() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("openapi");
    let (code, stdout, stderr) = cargo_spec(&["check", spec.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
    let section = stdout.split("example-evidence (").nth(1).unwrap_or_default();
    assert!(section.starts_with("2 changes)"), "{stdout}");
    assert!(
        section.contains(
            "#/components/schemas/PropertySchema: `readOnly` optional (the example of getPropertiesSchema 200 omits it)"
        ),
        "{stdout}"
    );
    assert!(
        section.contains(
            "#/components/schemas/ServiceDetailsResponse/properties/reconciledDeploymentId: nullable (the example of createService 200 holds null there)"
        ),
        "{stdout}"
    );
}

#[test]
fn fragments_merge_and_keep_the_public_server() {
    let prepared = prepare(&fixtures().join("fragments")).unwrap();
    assert_eq!(prepared.loaded.sources.len(), 3);
    let doc = &prepared.normalized.document;
    assert_eq!(doc["paths"]["/public/{agentName}/start"]["post"]["x-pipecat-key"], "public");
    assert_eq!(doc["paths"]["/secrets"]["get"]["x-pipecat-key"], "private");
}

#[test]
fn the_seed_fragment_alone_generates_one_method() {
    let out = std::env::temp_dir().join(format!("seed-client-{}.rs", std::process::id()));
    let seed = fixtures().join("delete-secret-from-set.yaml");
    let (code, _, stderr) = cargo_spec(&["generate", seed.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
    let code = std::fs::read_to_string(&out).unwrap();
    let methods = client_methods(&code);
    assert_eq!(methods, ["delete_secret_from_set"]);
}

#[test]
fn the_full_spec_generates_one_method_per_operation() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("openapi");
    let (code, stdout, stderr) = cargo_spec(&["generate", spec.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
    let operations = operation_count(&spec);
    assert_eq!(client_methods(&stdout).len(), operations);
    let (code, stdout, _) = cargo_spec(&["check", spec.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    assert!(stdout.contains(&format!("valid, {operations} operations")), "{stdout}");
}

/// How many operations the spec at `spec` has, as loaded.
fn operation_count(spec: &Path) -> usize {
    build_helpers::document::operations(&build_helpers::load::load(spec).unwrap().document).len()
}

/// The names of the `Client` methods the facade defines: `pub fn name<'a>(&'a self, ...)`, one per
/// operation (builder setters take `mut self` and no lifetime).
fn client_methods(code: &str) -> Vec<String> {
    code.lines()
        .filter_map(|l| l.trim_start().strip_prefix("pub fn "))
        .filter_map(|rest| rest.split_once("<'a>(").map(|(name, _)| name.to_string()))
        .collect()
}

#[test]
fn cargo_spec_works_as_a_cargo_subcommand_and_never_falls_back_to_a_built_in_path() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("openapi");
    // Installed, `cargo spec check` runs `cargo-spec spec check`.
    let (code, stdout, stderr) = cargo_spec(&["spec", "check", spec.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains(&format!("valid, {} operations", operation_count(&spec))), "{stdout}");
    // No PATH and no ./openapi: a clear refusal, not the spec the tool was built next to.
    let empty = std::env::temp_dir().join(format!("no-spec-here-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-spec")).arg("check").current_dir(&empty).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no PATH given and no `openapi/` folder here"), "{stderr}");
    let _ = std::fs::remove_dir_all(&empty);
}

#[test]
fn cargo_spec_ends_quietly_when_its_reader_closes_the_pipe() {
    use std::io::Read;
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("openapi");
    // Only output larger than a pipe's buffer (64 KiB on Linux) meets the closed pipe while writing.
    let (code, whole, _) = cargo_spec(&["generate", spec.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    assert!(whole.len() > 4 * 64 * 1024, "the generated code ({} bytes) no longer outgrows a pipe", whole.len());
    let mut child = Command::new(env!("CARGO_BIN_EXE_cargo-spec"))
        .args(["generate", spec.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Like `| head -c 100`: read a little, then close the pipe.
    let mut first = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn check_refuses_what_generate_refuses() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("openapi").join("pipecat-cloud.yaml");
    let text = std::fs::read_to_string(spec).unwrap();
    // Two operationIds that become the same method.
    let colliding = text.replacen("operationId: listRegions", "operationId: getLogs_", 1).replacen(
        "operationId: getLogs\n",
        "operationId: GetLogs\n",
        1,
    );
    let colliding = colliding.replacen("operationId: getLogs_", "operationId: get_logs", 1);
    let file = std::env::temp_dir().join(format!("colliding-{}.yaml", std::process::id()));
    std::fs::write(&file, colliding).unwrap();
    for command in ["check", "generate"] {
        let (code, _, stderr) = cargo_spec(&[command, file.to_str().unwrap()]);
        assert_eq!(code, Some(2), "{command}: {stderr}");
        assert!(stderr.contains("both become the method `get_logs`"), "{command}: {stderr}");
    }
    let _ = std::fs::remove_file(&file);
}

#[test]
fn parameters_named_like_builder_methods_and_unsendable_query_types_are_handled() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("openapi").join("pipecat-cloud.yaml");
    let text = std::fs::read_to_string(spec).unwrap();
    let write = |name: &str, text: &str| {
        let file = std::env::temp_dir().join(format!("{name}-{}.yaml", std::process::id()));
        std::fs::write(&file, text).unwrap();
        file
    };
    // A query parameter named like the builder's own field and method gets `_param`, deterministically.
    let clash = text.replacen("- name: deploymentId\n", "- name: settings\n", 1);
    let file = write("clash", &clash);
    let (code, stdout, stderr) = cargo_spec(&["generate", file.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("pub fn settings_param(") && stdout.contains("request.query(\"settings\""), "setter");
    // An operation named like a method the client has already is refused, named.
    let taken = text.replacen("operationId: listRegions", "operationId: baseUrl", 1);
    let file = write("taken", &taken);
    let (code, _, stderr) = cargo_spec(&["check", file.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("becomes the method `Client::base_url`, which the client already has"), "{stderr}");
    // A query parameter the client cannot write as text is refused, located.
    let array = text.replacen(
        "- name: region\n        in: query\n        required: false\n        description: Only return items in this region.\n        schema:\n          type: string",
        "- name: region\n        in: query\n        required: false\n        description: Only return items in this region.\n        schema:\n          type: array\n          items:\n            type: string",
        1,
    );
    assert_ne!(array, text, "the fixture edit applies");
    let file = write("array", &array);
    let (code, _, stderr) = cargo_spec(&["check", file.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("query parameter `region`") && stderr.contains("of type array"), "{stderr}");
}

#[test]
fn maintaining_md_lists_every_normalization_pass_in_order() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("MAINTAINING.md")).unwrap();
    let section = readme.split("## What the build helpers normalize").nth(1).unwrap();
    let section = section.split("\n## ").next().unwrap();
    let listed: Vec<&str> =
        section.lines().filter_map(|l| l.strip_prefix("| `")?.split_once("` |").map(|(name, _)| name)).collect();
    let passes: Vec<&str> = build_helpers::normalize::PASSES.iter().map(|p| p.name).collect();
    assert_eq!(listed, passes, "MAINTAINING.md's table of normalization passes is out of date");
}

#[test]
fn a_progenitor_panic_names_the_operation_that_caused_it() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("openapi").join("pipecat-cloud.yaml");
    let prepared = prepare(&spec).unwrap();
    let mut doc = prepared.normalized.document;
    // A path parameter that says it is optional: the validator refuses it (`path_parameter_not_required`
    // in tests/spec_fuzz), so the generator is called without it, as a shape the validator does not
    // know yet would reach it. progenitor asserts; the error names the operation and its place.
    let params = doc.pointer_mut("/paths/~1builds~1{buildId}/get/parameters").and_then(|p| p.as_array_mut()).unwrap();
    let build_id = params.iter_mut().find(|p| p["name"] == "buildId").unwrap();
    build_id["required"] = serde_json::json!(false);
    let error = build_helpers::generate::generate(&doc).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        error.contains(
            "progenitor panicked while generating GET /builds/{buildId} (getBuild) at #/paths/~1builds~1{buildId}/get"
        ),
        "{error}"
    );
}

#[test]
fn the_readme_lists_the_pipeline_steps_in_the_order_the_code_runs_them() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let listed: Vec<&str> = readme
        .lines()
        .filter_map(|l| l.split_once(". `").filter(|(n, _)| n.parse::<u8>().is_ok()).map(|(_, rest)| rest))
        .filter_map(|rest| rest.split('`').next())
        .collect();
    let code = std::fs::read_to_string(root.join("src").join("pipeline.rs")).unwrap();
    let body =
        |name: &str| code.split(&format!("pub fn {name}(")).nth(1).unwrap().split("\n}\n").next().unwrap().to_string();
    let steps = format!("{}{}{}", body("prepare"), body("prepare_and_generate"), body("check"));
    let mut called: Vec<(usize, &str)> =
        listed.iter().filter_map(|step| steps.find(&format!("{step}(")).map(|at| (at, *step))).collect();
    called.sort();
    let order: Vec<&str> = called.into_iter().map(|(_, step)| step).collect();
    assert_eq!(listed.len(), 6, "{listed:?}");
    assert_eq!(order, listed, "build-helpers/README.md lists the steps in another order than pipeline.rs calls them");
}
