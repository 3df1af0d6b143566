//! How deep a schema may nest: the bound `check` enforces (`MAX_SCHEMA_DEPTH`) is what rustc builds.
//! `nested(doc, depth)` adds to getService's answer an optional property holding `depth` objects each
//! inside the last; the test builds the whole workspace at the bound and shows check refuses one
//! level more. `probe_nesting_depths` (ignored; `cargo test -p pipecat-cloud-build-helpers --test
//! spec_fuzz probe -- --ignored --nocapture`) builds a range of depths, to find the bound again.

use serde_json::{Value, json};

use super::compile::{Subject, build_workspace};
use super::{fuzz_dir, workspace};

/// `doc` with `ServiceDetailsResponse.nested`, `depth` levels of objects deep (depth 1 is one object
/// holding a string).
pub fn nested(mut doc: Value, depth: usize) -> Value {
    let mut schema = json!({"type": "string"});
    for _ in 0..depth {
        schema = json!({"type": "object", "properties": {"level": schema}});
    }
    if let Some(properties) =
        doc.pointer_mut("/components/schemas/ServiceDetailsResponse/properties").and_then(Value::as_object_mut)
    {
        properties.insert("nested".into(), schema);
    }
    doc
}

pub fn base() -> Value {
    serde_yaml::from_str(&std::fs::read_to_string(workspace().join("openapi").join("pipecat-cloud.yaml")).unwrap())
        .unwrap()
}

/// The code generated for `doc`, and the spec's bytes. With `bypass_depth`, the validator's depth bound
/// is skipped (the document goes straight to normalization and generation), to measure what rustc
/// builds past it.
fn generated(doc: &Value, bypass_depth: bool) -> Result<(String, Vec<u8>), String> {
    let bytes = serde_json::to_vec_pretty(doc).unwrap();
    if bypass_depth {
        let normalized = build_helpers::normalize::normalize(doc.clone()).map_err(|e| e.to_string())?;
        let code = build_helpers::generate::generate(&normalized.document).map_err(|e| e.to_string())?;
        return Ok((code.file(), bytes));
    }
    let dir = fuzz_dir().join(format!("nesting-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("nested.json");
    std::fs::write(&file, &bytes).unwrap();
    build_helpers::pipeline::check(&file).map(|c| (c.generated.file(), bytes)).map_err(|e| e.to_string())
}

#[test]
#[ignore = "builds the workspace once per depth: minutes; run by hand to find the bound again"]
fn probe_nesting_depths() {
    let depths: Vec<usize> = std::env::var("DEPTHS")
        .ok()
        .map(|d| d.split(',').filter_map(|n| n.parse().ok()).collect())
        .unwrap_or_else(|| vec![30, 40, 50, 60, 80]);
    let mut built = Vec::new();
    for depth in depths.clone() {
        // The size of a build script's main thread: the test harness's threads have a quarter of it.
        let (code, spec) = std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn(move || generated(&nested(base(), depth), true))
            .unwrap()
            .join()
            .unwrap()
            .unwrap();
        built.push((format!("depth {depth}"), code, spec));
    }
    let subjects: Vec<Subject<'_>> = built
        .iter()
        .map(|(label, code, spec)| Subject { label: label.clone(), generated: code, spec: Some((spec, "json")) })
        .collect();
    let started = std::time::Instant::now();
    let result = build_workspace(&fuzz_dir().join("probe-nesting"), &subjects);
    println!("built {depths:?} in {:?}: {}", started.elapsed(), result.err().unwrap_or_else(|| "all built".into()));
}
