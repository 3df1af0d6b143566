//! The promise of the semver policy: a spec that grows by additive changes never breaks a caller. One
//! caller file (`tests/compat/caller.rs`, every operation called the way the README shows) is compiled
//! against the spec grown by
//!   (a) a new optional query parameter on `getSessions` and `listSecretSets`,
//!   (b) a new optional property in the `updateService` and `upsertSecretSet` request bodies,
//!   (c) a new response property and a new response enum value,
//!   (d) a new operation,
//! in a copy of the SDK's crates, and must compile unchanged; `cargo spec diff` must rate the same
//! changes non-breaking. A control that removes an operation the caller uses must fail to compile, so
//! the check can fail. (Today's spec: the workspace builds the same file as the example `compat-caller`.)
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use build_helpers::diff::{Level, diff_documents};
use build_helpers::normalize::normalize;
use serde_json::{Value, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Today's spec, as JSON.
fn spec() -> Value {
    build_helpers::load::load(&root().join("openapi")).unwrap().document
}

fn operation<'a>(doc: &'a mut Value, path: &str, method: &str) -> &'a mut Value {
    doc.pointer_mut(&format!("/paths/{}/{method}", path.replace('~', "~0").replace('/', "~1"))).unwrap()
}

fn add_optional_query_parameters(doc: &mut Value) {
    for (path, method) in [("/agents/{agentName}/sessions", "get"), ("/secrets", "get")] {
        let op = operation(doc, path, method);
        let params = op.as_object_mut().unwrap().entry("parameters").or_insert_with(|| json!([]));
        params.as_array_mut().unwrap().push(json!({
            "name": "labelSelector", "in": "query", "required": false,
            "description": "Only items with these labels.", "schema": {"type": "string"}
        }));
    }
}

fn add_optional_request_properties(doc: &mut Value) {
    for schema in ["UpdateServiceRequest", "RegularSecretsRequest"] {
        let properties = doc.pointer_mut(&format!("/components/schemas/{schema}/properties")).unwrap();
        properties["labels"] =
            json!({"description": "Labels.", "type": "object", "additionalProperties": {"type": "string"}});
    }
}

fn add_response_property_and_enum_value(doc: &mut Value) {
    let summary = doc.pointer_mut("/components/schemas/SecretSetSummary/properties").unwrap();
    summary["createdAt"] = json!({"description": "When the set was created.", "type": "string", "format": "date-time"});
    summary["status"]["enum"].as_array_mut().unwrap().push(json!("deleting"));
    let get = operation(doc, "/secrets/{setName}", "get");
    let status = get.pointer_mut("/responses/200/content/application~1json/schema/properties/status/enum").unwrap();
    status.as_array_mut().unwrap().push(json!("archived"));
}

fn add_operation(doc: &mut Value) {
    let mut rotate = doc.pointer("/paths/~1secrets~1{setName}/delete").unwrap().clone();
    rotate["operationId"] = json!("rotateSecretSet");
    rotate["summary"] = json!("Rotate a secret set");
    doc["paths"]["/secrets/{setName}/rotate"] = json!({"post": rotate});
}

/// The control: an operation the caller uses is gone.
/// Removes `getSession`, which the caller uses and the workspace's own code does not rely on (a spec
/// without an operation it relies on is refused before anything compiles).
fn remove_operation(doc: &mut Value) {
    doc.pointer_mut("/paths/~1agents~1{agentName}~1sessions~1{sessionId}")
        .unwrap()
        .as_object_mut()
        .unwrap()
        .remove("get");
}

type Change = (&'static str, fn(&mut Value));

const ADDITIVE: [Change; 4] = [
    ("(a) new optional query parameters", add_optional_query_parameters),
    ("(b) new optional request properties", add_optional_request_properties),
    ("(c) a new response property and enum value", add_response_property_and_enum_value),
    ("(d) a new operation", add_operation),
];

fn grown(changes: &[Change]) -> Value {
    let mut doc = spec();
    for (_, change) in changes {
        change(&mut doc);
    }
    doc
}

/// One scratch workspace holding, per `(name, doc)`, copies of the SDK's two spec-dependent crates built
/// from `doc` and the caller; one `cargo check` of them all (the build helpers are the workspace's own,
/// already built). Per spec, `Ok` or the compiler's errors for its copies.
fn callers_compile_against(specs: &[(&str, &Value)]) -> Vec<Result<(), String>> {
    let dir = root().join("target").join("compat");
    let _ = std::fs::remove_dir_all(&dir);
    let mut members = Vec::new();
    for (name, doc) in specs {
        let (generated, wrapper, caller) = (format!("gen-{name}"), format!("wrap-{name}"), format!("caller-{name}"));
        for file in ["README.md", "build.rs", "src"] {
            copy(&root().join("generated-client").join(file), &dir.join(&generated).join(file));
        }
        let manifest = std::fs::read_to_string(root().join("generated-client/Cargo.toml")).unwrap();
        let manifest = manifest.replacen(
            "name = \"pipecat-cloud-generated\"",
            &format!("name = \"{generated}\"\npublish = false"),
            1,
        );
        std::fs::write(dir.join(&generated).join("Cargo.toml"), manifest).unwrap();
        std::fs::create_dir_all(dir.join(&generated).join("openapi")).unwrap();
        std::fs::write(
            dir.join(&generated).join("openapi/pipecat-cloud.json"),
            serde_json::to_string_pretty(doc).unwrap(),
        )
        .unwrap();
        for file in ["README.md", "src"] {
            copy(&root().join("pipecat-cloud").join(file), &dir.join(&wrapper).join(file));
        }
        let manifest = std::fs::read_to_string(root().join("pipecat-cloud/Cargo.toml")).unwrap();
        let manifest = manifest
            .replacen("name = \"pipecat-cloud\"", &format!("name = \"{wrapper}\"\npublish = false"), 1)
            .replace(
                "\npipecat-cloud-generated.workspace = true",
                &format!("\npipecat-cloud-generated = {{ package = \"{generated}\", path = \"../{generated}\" }}"),
            );
        std::fs::write(dir.join(&wrapper).join("Cargo.toml"), manifest).unwrap();
        copy(&root().join("tests/compat/caller.rs"), &dir.join(&caller).join("src/main.rs"));
        std::fs::write(
            dir.join(&caller).join("Cargo.toml"),
            format!(
                "[package]\nname = \"{caller}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
                 [dependencies]\npipecat-cloud = {{ package = \"{wrapper}\", path = \"../{wrapper}\" }}\n\
                 serde_json.workspace = true\n"
            ),
        )
        .unwrap();
        members.extend([generated, wrapper, caller]);
    }
    // The workspace's own manifest, its members replaced and its paths made absolute: the build helpers
    // are the workspace's, already built.
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let start = manifest.find("members = [").unwrap();
    let end = start + manifest[start..].find(']').unwrap() + 1;
    let listed: Vec<String> = members.iter().map(|m| format!("{m:?}")).collect();
    let root_text = root().canonicalize().unwrap().display().to_string();
    let manifest = format!("{}members = [{}]{}", &manifest[..start], listed.join(", "), &manifest[end..])
        .replace("path = \"", &format!("path = \"{root_text}/"));
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(root().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    // The copies check in this `cargo test`'s own target directory (its lock is released once the test
    // binaries are built; `CARGO_TARGET_TMPDIR` is its `tmp/`), with the workspace's dev profile
    // (`.cargo/config.toml`, found above `target/compat/`): only the copies compile, and third-party
    // crates are shared with the workspace's lints and the spec fuzz's copies.
    let target =
        Path::new(env!("CARGO_TARGET_TMPDIR")).parent().map_or_else(|| root().join("target"), Path::to_path_buf);
    let out = Command::new(env!("CARGO"))
        .args(["check", "--quiet", "--workspace", "--keep-going", "--message-format", "short"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_INCREMENTAL", "0")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    specs
        .iter()
        .map(|(name, _)| {
            let mine: Vec<&str> = stderr
                .lines()
                .filter(|l| {
                    [format!("gen-{name}"), format!("wrap-{name}"), format!("caller-{name}")]
                        .iter()
                        .any(|c| l.contains(c.as_str()))
                })
                .collect();
            if out.status.success() || mine.is_empty() { Ok(()) } else { Err(mine.join("\n")) }
        })
        .collect()
}

fn copy(from: &Path, to: &Path) {
    if from.is_dir() {
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            copy(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, to).unwrap();
    }
}

#[test]
fn the_spec_diff_rates_the_additive_changes_non_breaking() {
    let base = normalize(spec()).unwrap().document;
    for change in &ADDITIVE {
        let grown = normalize(grown(std::slice::from_ref(change))).unwrap().document;
        let changes = diff_documents(&base, &grown);
        assert!(!changes.is_empty(), "{}: the diff sees nothing", change.0);
        let breaking: Vec<String> =
            changes.iter().filter(|c| c.level() == Level::Err).map(|c| format!("{} {}", c.id(), c.message)).collect();
        assert!(breaking.is_empty(), "{}: rated breaking: {breaking:?}", change.0);
    }
    let control = normalize(grown(&[("control", remove_operation)])).unwrap().document;
    assert!(diff_documents(&base, &control).iter().any(|c| c.level() == Level::Err), "a removed operation is ERR");
}

#[test]
fn a_caller_compiles_unchanged_against_the_grown_spec_and_breaks_on_a_removed_operation() {
    let (additive, control) = (grown(&ADDITIVE), grown(&[("control", remove_operation)]));
    let results = callers_compile_against(&[("additive", &additive), ("control", &control)]);
    if let Err(combined) = &results[0] {
        // Name the change that broke it.
        let singles: Vec<(String, Value)> = ADDITIVE
            .iter()
            .map(|change| (change.0.replace(|c: char| !c.is_alphanumeric(), ""), grown(std::slice::from_ref(change))))
            .collect();
        let named: Vec<(&str, &Value)> = singles.iter().map(|(name, doc)| (name.as_str(), doc)).collect();
        let culprits: Vec<String> = callers_compile_against(&named)
            .into_iter()
            .zip(&ADDITIVE)
            .filter_map(|(result, change)| result.err().map(|e| format!("{}:\n{e}", change.0)))
            .collect();
        panic!("additive spec changes broke the caller:\n{}\n(all together:\n{combined})", culprits.join("\n"));
    }
    pipecat_cloud_tests::report("the caller compiles against the spec grown by (a)-(d)");
    let error = results[1].clone().expect_err("the caller still compiles without getSession: the check cannot fail");
    assert!(error.contains("get_session"), "{error}");
}
