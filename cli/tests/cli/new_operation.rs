//! A new operation is one documented path (MAINTAINING.md's "Adding an operation"). What the compiler
//! says (every exhaustive operation table, naming the operation) the spec fuzz's workspace build shows
//! for its `new-operation` mutants; what only a run can say is checked here: a scratch copy of the spec
//! gains `getWidget`, `cargo spec check` accepts it, and the recordings' check names the folder to fill.

use pipecat_cloud_tests::conformance;
use pipecat_cloud_tests::recording::load_all;

use super::*;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn a_new_operation_is_accepted_and_its_missing_recordings_are_named() {
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
    let recordings = load_all(&workspace().join("tests/recordings")).unwrap();
    let failures = conformance::check(&scratch, &recordings).unwrap().problems;
    for failure in &failures {
        pipecat_cloud_tests::report(&format!("new operation: {failure}"));
        assert!(failure.contains("getWidget"), "a check fails for another reason: {failure}");
    }
    assert!(
        failures.iter().any(|f| f.contains("tests/recordings/getWidget")),
        "the recordings' check does not name the folder to fill: {failures:#?}"
    );
}

/// `cargo spec check`'s pipeline accepts `spec`.
fn build_helpers_check(spec: &std::path::Path) {
    if let Err(error) = build_helpers::pipeline::check(spec) {
        panic!("the spec with a new operation is refused: {error}");
    }
}
