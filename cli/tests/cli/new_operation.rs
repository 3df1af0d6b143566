//! A new operation is one documented path (the README's "Adding an operation"): a scratch copy of the
//! spec gains `getWidget`, and each check it then fails says which file to touch. None is a bare count.
//! The checks are the same functions the workspace's own tests call with the catalog; here they get the
//! catalog's operations and the new one.

use pipecat_cloud_tests::conformance;
use pipecat_cloud_tests::operations::without_a_call;
use pipecat_cloud_tests::recording::load_all;
use pipecat_cloud_tests::routes::without_a_route;

use super::*;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn a_new_operation_fails_each_check_naming_the_file_to_touch() {
    let mut spec: Value =
        serde_yaml::from_str(&std::fs::read_to_string(workspace().join("openapi/pipecat-cloud.yaml")).unwrap())
            .unwrap();
    spec["paths"]["/widgets/{widgetId}"] = json!({"get": {
        "operationId": "getWidget", "summary": "Get a widget", "tags": ["Widgets"],
        "parameters": [{"name": "widgetId", "in": "path", "required": true, "description": "The widget.", "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The widget.", "content": {"application/json": {"schema":
            {"type": "object", "properties": {"id": {"type": "string", "description": "Its id."}}}}}}}}});
    let dir = config_dir("new-operation");
    let scratch = dir.join("pipecat-cloud.json");
    std::fs::write(&scratch, serde_json::to_vec_pretty(&spec).unwrap()).unwrap();

    // The spec is accepted: a new operation is an additive change.
    build_helpers_check(&scratch);
    let mut ids: Vec<&str> = pipecat_cloud::catalog::OPERATIONS.iter().map(|op| op.id).collect();
    ids.push("getWidget");

    let recordings = load_all(&workspace().join("tests/recordings")).unwrap();
    let mut failures = conformance::check(&scratch, &recordings).unwrap().problems;
    failures.extend(pipecat_cloud_cli::operation_commands::missing_rows(&ids));
    failures.extend(
        ids.iter()
            .filter(|id| !pipecat_cloud_emulator::serves(id))
            .map(|id| format!("{id} is not served by the emulator: add its handler to emulator/src/handlers/mod.rs")),
    );
    failures.extend(without_a_call(&ids));
    failures.extend(without_a_route(&ids));

    for failure in &failures {
        pipecat_cloud_tests::report(&format!("new operation: {failure}"));
        assert!(failure.contains("getWidget"), "a check fails for another reason: {failure}");
        let names_a_file =
            failure.split_whitespace().any(|w| w.contains('/') && (w.contains(".rs") || w.contains(".yaml")));
        assert!(names_a_file, "a failure that does not name the file to touch: {failure}");
    }
    let seams = [
        "tests/recordings/",
        "operation_commands.rs",
        "emulator/src/handlers",
        "tests/src/operations.rs",
        "tests/src/routes.rs",
    ];
    for seam in seams {
        assert!(failures.iter().any(|f| f.contains(seam)), "no check named {seam}: {failures:#?}");
    }
}

/// `cargo spec check`'s pipeline accepts `spec`.
fn build_helpers_check(spec: &std::path::Path) {
    if let Err(error) = build_helpers::pipeline::check(spec) {
        panic!("the spec with a new operation is refused: {error}");
    }
}
