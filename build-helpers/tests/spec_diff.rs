//! `cargo spec diff`: a corpus of spec pairs with golden reports, one or more per rule; self-diffs and
//! prose-only changes are empty; additive changes pass `--fail-on ERR` and breaking ones fail it;
//! malformed inputs exit 2 with a message; accepted changes pass.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use build_helpers::diff::{Format, Level, diff_documents, failing, load_side, render, rules};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("diff-corpus")
}

fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("openapi")
}

fn report(base: &Path, new: &Path) -> (String, Vec<&'static str>) {
    let changes =
        diff_documents(&load_side(base.to_str().unwrap()).unwrap(), &load_side(new.to_str().unwrap()).unwrap());
    let ids = changes.iter().map(|c| c.id()).collect();
    (render(&changes, "base.yaml", "new.yaml", Format::Text), ids)
}

fn cargo_spec(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-spec")).args(args).output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

/// Set UPDATE_GOLDEN=1 to rewrite the expected reports after a deliberate change; review the diff.
#[test]
fn the_corpus_matches_its_golden_reports_and_covers_every_rule() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut mismatches = Vec::new();
    let mut cases = 0;
    for entry in std::fs::read_dir(corpus()).unwrap() {
        let case = entry.unwrap().path();
        if !case.is_dir() {
            continue;
        }
        cases += 1;
        let (text, ids) = report(&case_base(&case), &case.join("new.yaml"));
        seen.extend(ids);
        let golden = case.join("expected.txt");
        if update {
            std::fs::write(&golden, &text).unwrap();
        } else if std::fs::read_to_string(&golden).unwrap_or_default() != text {
            mismatches.push(format!("{}:\n{text}", case.display()));
        }
    }
    assert!(mismatches.is_empty(), "reports differ from their golden files:\n{}", mismatches.join("\n"));
    let missing: Vec<&str> = rules::ALL.iter().map(|r| r.id).filter(|id| !seen.contains(id)).collect();
    assert!(missing.is_empty(), "rules no corpus case exercises: {missing:?}");
    let oasdiff = rules::ALL.iter().filter(|r| r.oasdiff).count();
    let line = format!("{cases} corpus cases cover all {} rules ({oasdiff} with oasdiff ids)", rules::ALL.len());
    let _ = std::io::Write::write_all(&mut std::io::stderr(), format!("{line}\n").as_bytes());
}

/// `oasdiff: true` exactly when the id is one of oasdiff's check ids, listed in `src/diff/oasdiff-ids.txt`
/// (taken from oasdiff's `checker/rules.go`; its header names the commit).
#[test]
fn the_oasdiff_flag_matches_oasdiffs_own_check_ids() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join("diff").join("oasdiff-ids.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    let known: BTreeSet<&str> =
        text.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#')).collect();
    assert!(known.len() > 100, "{} lists only {} ids", path.display(), known.len());
    let claimed_but_not_oasdiffs: Vec<&str> =
        rules::ALL.iter().filter(|r| r.oasdiff && !known.contains(r.id)).map(|r| r.id).collect();
    assert!(claimed_but_not_oasdiffs.is_empty(), "marked oasdiff but not oasdiff ids: {claimed_but_not_oasdiffs:?}");
    let oasdiffs_but_unmarked: Vec<&str> =
        rules::ALL.iter().filter(|r| !r.oasdiff && known.contains(r.id)).map(|r| r.id).collect();
    assert!(oasdiffs_but_unmarked.is_empty(), "oasdiff ids not marked oasdiff: {oasdiffs_but_unmarked:?}");
}

#[test]
fn a_spec_against_itself_or_a_prose_only_copy_has_no_changes() {
    let (text, ids) = report(&spec_dir(), &spec_dir());
    assert!(ids.is_empty(), "{text}");
    let (text, ids) = report(&corpus().join("base.yaml"), &corpus().join("prose-only").join("new.yaml"));
    assert!(ids.is_empty(), "{text}");
    // The full spec with every description and example rewritten.
    let mut doc: serde_json::Value = serde_json::to_value(
        serde_yaml::from_str::<serde_yaml::Value>(
            &std::fs::read_to_string(spec_dir().join("pipecat-cloud.yaml")).unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    rewrite_prose(&mut doc, false);
    let copy = std::env::temp_dir().join(format!("prose-copy-{}.json", std::process::id()));
    std::fs::write(&copy, serde_json::to_string(&doc).unwrap()).unwrap();
    let (text, ids) = report(&spec_dir(), &copy);
    assert!(ids.is_empty(), "{text}");
}

fn rewrite_prose(node: &mut serde_json::Value, in_properties: bool) {
    match node {
        serde_json::Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if !in_properties && matches!(key.as_str(), "description" | "summary") && value.is_string() {
                    *value = serde_json::Value::String("Rewritten.".into());
                } else if !in_properties && key == "example" && !value.is_object() {
                    // A response's example object is evidence, not prose: `example-evidence` reads it.
                    *value = serde_json::json!("rewritten");
                } else {
                    rewrite_prose(value, !in_properties && key == "properties");
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| rewrite_prose(v, false)),
        _ => {}
    }
}

#[test]
fn removing_an_operation_fails_with_err_until_accepted() {
    let mut doc: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(spec_dir().join("pipecat-cloud.yaml")).unwrap()).unwrap();
    doc["paths"].as_mapping_mut().unwrap().remove("/secrets/{setName}/{secretKey}");
    let dir = std::env::temp_dir().join(format!("diff-removal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let new = dir.join("spec.yaml");
    std::fs::write(&new, serde_yaml::to_string(&doc).unwrap()).unwrap();
    let base = spec_dir();
    let (code, stdout, _) = cargo_spec(&["diff", base.to_str().unwrap(), new.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.lines().any(|l| l.starts_with("ERR") && l.contains("DELETE /secrets/{setName}/{secretKey}")),
        "{stdout}"
    );

    let accepted = dir.join("accepted.yaml");
    std::fs::write(&accepted, "accepted:\n  - id: api-path-removed-without-deprecation\n    operation: DELETE /secrets/{setName}/{secretKey}\n    reason: the vendor retired it\n  - id: api-schema-removed\n    location: schema DeleteSecretFromSetResponseStatus\n    reason: went with the operation\n").unwrap();
    let (code, stdout, stderr) =
        cargo_spec(&["diff", base.to_str().unwrap(), new.to_str().unwrap(), "--accepted", accepted.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("(accepted: the vendor retired it)") && stdout.contains("0 ERR"), "{stdout}");
    // --fail-on WARN and INFO see nothing unaccepted either.
    let (code, _, _) = cargo_spec(&[
        "diff",
        base.to_str().unwrap(),
        new.to_str().unwrap(),
        "--accepted",
        accepted.to_str().unwrap(),
        "--fail-on",
        "INFO",
    ]);
    assert_eq!(code, Some(0));
}

#[test]
fn levels_gate_the_exit_code() {
    let base = corpus().join("base.yaml");
    let info_only = corpus().join("response-property-added").join("new.yaml");
    let args = |fail_on: &'static str| {
        vec![
            "diff".to_string(),
            base.display().to_string(),
            info_only.display().to_string(),
            "--fail-on".into(),
            fail_on.into(),
        ]
    };
    let run = |fail_on| {
        let a = args(fail_on);
        cargo_spec(&a.iter().map(String::as_str).collect::<Vec<_>>()).0
    };
    assert_eq!((run("ERR"), run("WARN"), run("INFO")), (Some(0), Some(0), Some(1)));
    let changes =
        diff_documents(&load_side(base.to_str().unwrap()).unwrap(), &load_side(info_only.to_str().unwrap()).unwrap());
    assert_eq!((failing(&changes, Level::Err), failing(&changes, Level::Info)), (0, 1));
}

/// The base a corpus case is diffed against: its own `base.yaml`, or the corpus' shared one.
fn case_base(case: &Path) -> PathBuf {
    if case.join("base.yaml").exists() { case.join("base.yaml") } else { corpus().join("base.yaml") }
}

/// Additive changes the builder API absorbs: existing calls keep compiling, so `--fail-on ERR` passes.
const NON_BREAKING_CASES: &[&str] = &[
    // A new optional query parameter on getSessions and on listSecretSets: a new setter.
    "sdk-query-parameters-added-optional",
    "parameter-added-optional",
    // A new optional property in the UpdateServiceRequest and RegularSecretsRequest bodies: a new setter.
    "sdk-request-properties-added-optional",
    "request-property-added-optional",
    // A new response property and a new (open) response enum value.
    "response-property-added",
    "response-enum-value-added",
    // A new operation, on an existing path or a new one.
    "operation-added",
    "path-added",
    // A new optional body, new parameter and request enum values, an operationId respelled.
    "request-body-added",
    "parameter-enum-value-added",
    "request-property-enum-value-added",
    "operation-id-respelled",
];

/// Changes that break callers of the HTTP API or of the Rust API: `--fail-on ERR` fails.
const BREAKING_CASES: &[&str] = &[
    "operation-removed",
    "parameter-added-required",
    "operation-id-renamed",
    "request-property-type-changed",
    "response-property-type-changed",
    // The body argument becomes a `.body()` setter; a field goes between a string and a generated enum;
    // a variant of a public response enum disappears.
    "request-body-became-optional",
    "request-property-became-enum",
    "response-property-enum-removed",
    "response-enum-value-removed",
];

#[test]
fn additive_changes_pass_fail_on_err_and_breaking_ones_fail_it() {
    let run = |case: &str| {
        let dir = corpus().join(case);
        assert!(dir.join("new.yaml").exists(), "no corpus case {case}");
        let (base, new) = (case_base(&dir), dir.join("new.yaml"));
        cargo_spec(&["diff", base.to_str().unwrap(), new.to_str().unwrap(), "--fail-on", "ERR"])
    };
    for case in NON_BREAKING_CASES {
        let (code, stdout, stderr) = run(case);
        assert_eq!(code, Some(0), "{case} should pass --fail-on ERR:\n{stdout}{stderr}");
        assert!(stdout.contains(": 0 ERR,") && !stdout.contains("no changes"), "{case}:\n{stdout}");
    }
    for case in BREAKING_CASES {
        let (code, stdout, stderr) = run(case);
        assert_eq!(code, Some(1), "{case} should fail --fail-on ERR:\n{stdout}{stderr}");
        assert!(stdout.lines().any(|l| l.starts_with("ERR ")), "{case}:\n{stdout}");
    }
    let line = format!(
        "--fail-on ERR: {} non-breaking cases pass, {} breaking cases fail",
        NON_BREAKING_CASES.len(),
        BREAKING_CASES.len()
    );
    let _ = std::io::Write::write_all(&mut std::io::stderr(), format!("{line}\n").as_bytes());
}

#[test]
fn json_and_markdown_reports_follow_their_format() {
    let base = corpus().join("base.yaml");
    let new = corpus().join("operation-removed").join("new.yaml");
    let (code, stdout, _) = cargo_spec(&["diff", base.to_str().unwrap(), new.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, Some(1));
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["schema"], 1);
    // The operation, and the enum type lifted from its response, which disappears with it.
    assert_eq!(json["summary"]["ERR"], 2);
    let removal =
        json["changes"].as_array().unwrap().iter().find(|c| c["id"] == "api-removed-without-deprecation").unwrap();
    assert_eq!(removal["operation"], "DELETE /items/{itemId}");
    assert_eq!(removal["level"], "ERR");
    assert_eq!(removal["oasdiff"], true);
    let (_, markdown, _) = cargo_spec(&["diff", base.to_str().unwrap(), new.to_str().unwrap(), "--format", "markdown"]);
    assert!(markdown.contains("| ERR | `api-removed-without-deprecation` | `DELETE /items/{itemId}` |"), "{markdown}");
}

#[test]
fn malformed_inputs_exit_2_with_a_message_and_no_panic() {
    let dir = std::env::temp_dir().join(format!("diff-malformed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("broken.yaml"), "openapi: 3.0.0\npaths: {a: [\n").unwrap();
    std::fs::write(dir.join("swagger.yaml"), "swagger: '2.0'\npaths: {}\n").unwrap();
    let good = spec_dir();
    let cases: Vec<Vec<String>> = vec![
        vec!["diff".into(), dir.join("broken.yaml").display().to_string(), good.display().to_string()],
        vec!["diff".into(), good.display().to_string(), dir.join("swagger.yaml").display().to_string()],
        vec!["diff".into(), good.display().to_string(), "no/such/spec.yaml".into()],
        vec!["diff".into(), good.display().to_string(), "not-a-revision-xyz:openapi".into()],
        vec!["diff".into(), good.display().to_string()],
        vec!["diff".into(), good.display().to_string(), good.display().to_string(), "--fail-on".into(), "FATAL".into()],
    ];
    for args in cases {
        let (code, _, stderr) = cargo_spec(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: ") && !stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_git_revision_can_be_either_side() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let in_git =
        Command::new("git").args(["rev-parse", "HEAD"]).current_dir(&root).output().is_ok_and(|o| o.status.success());
    if !in_git {
        return;
    }
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-spec"))
        .args(["diff", "HEAD:openapi", "openapi"])
        .current_dir(&root)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The working tree may differ from HEAD while developing; the read itself must work.
    assert!(matches!(out.status.code(), Some(0 | 1)), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("HEAD:openapi → openapi"));
}

/// The diff compares only specs `cargo spec check` accepts: `enum: []` (once rated as an enum removed)
/// is refused on either side, located, with exit code 2.
#[test]
fn a_side_that_check_refuses_is_refused_by_the_diff() {
    let base = corpus().join("base.yaml");
    let text = std::fs::read_to_string(&base).unwrap();
    let emptied = text.replacen("enum:", "enum: []\n          x-was:", 1);
    assert_ne!(emptied, text);
    let file = std::env::temp_dir().join(format!("enum-emptied-{}.yaml", std::process::id()));
    std::fs::write(&file, emptied).unwrap();
    for args in [[base.to_str().unwrap(), file.to_str().unwrap()], [file.to_str().unwrap(), base.to_str().unwrap()]] {
        let (code, stdout, stderr) = cargo_spec(&["diff", args[0], args[1]]);
        assert_eq!(code, Some(2), "{stdout}{stderr}");
        assert!(stderr.contains("allows no value") && stderr.contains("/enum") && stdout.is_empty(), "{stderr}");
    }
    let _ = std::fs::remove_file(&file);
}

/// `cargo spec diff` on the workspace's spec grown by a header parameter: an optional one is INFO (a new
/// setter; the diff passes `--fail-on ERR`), a required one ERR (the method gains an argument). A header
/// the client writes itself (`Authorization`) is refused by `check` and by the diff, at its place, and a
/// cookie parameter is refused saying why.
#[test]
fn a_new_header_parameter_is_rated_by_whether_it_is_required() {
    let dir = std::env::temp_dir().join(format!("diff-header-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let with = |param: &str| {
        let mut doc: serde_yaml::Value =
            serde_yaml::from_str(&std::fs::read_to_string(spec_dir().join("pipecat-cloud.yaml")).unwrap()).unwrap();
        let operation = &mut doc["paths"]["/properties"]["patch"];
        assert_eq!(
            operation["operationId"].as_str(),
            Some("updateProperties"),
            "the spec moved: pick another operation"
        );
        let param: serde_yaml::Value = serde_yaml::from_str(param).unwrap();
        match operation.get_mut("parameters").and_then(serde_yaml::Value::as_sequence_mut) {
            Some(list) => list.push(param),
            None => operation["parameters"] = serde_yaml::Value::Sequence(vec![param]),
        }
        let file = dir.join(format!(
            "spec-{}.yaml",
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
        ));
        std::fs::write(&file, serde_yaml::to_string(&doc).unwrap()).unwrap();
        file
    };
    let base = spec_dir();
    let optional = with("{name: X-Request-Tag, in: header, required: false, schema: {type: string}}");
    let (code, stdout, stderr) =
        cargo_spec(&["diff", base.to_str().unwrap(), optional.to_str().unwrap(), "--fail-on", "ERR"]);
    println!("cargo spec diff openapi/ <a new optional header>:\n{stdout}");
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("INFO new-optional-request-parameter PATCH /properties [header parameter X-Request-Tag]"),
        "{stdout}"
    );
    let required = with("{name: Idempotency-Key, in: header, required: true, schema: {type: string}}");
    let (code, stdout, stderr) =
        cargo_spec(&["diff", base.to_str().unwrap(), required.to_str().unwrap(), "--fail-on", "ERR"]);
    println!("cargo spec diff openapi/ <a new required header>:\n{stdout}");
    assert_eq!(code, Some(1), "an ERR fails --fail-on ERR: {stdout}{stderr}");
    assert!(
        stdout.contains("ERR  new-required-request-parameter PATCH /properties [header parameter Idempotency-Key]"),
        "{stdout}"
    );
    let owned = with("{name: Authorization, in: header, required: false, schema: {type: string}}");
    let (code, _, stderr) = cargo_spec(&["check", owned.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("#/paths/~1properties/patch/parameters/")
            && stderr
                .contains("header parameter `Authorization` cannot be a parameter: the client sends the API key in it"),
        "{stderr}"
    );
    let cookie = with("{name: session, in: cookie, required: false, schema: {type: string}}");
    let (code, _, stderr) = cargo_spec(&["check", cookie.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("cookie parameter `session`: cookie parameters are not supported (no cookie-authenticated"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `cargo spec rules` prints every rule, so that the README points to it instead of restating them.
#[test]
fn cargo_spec_rules_prints_every_rule_as_text_or_markdown() {
    for format in ["text", "markdown"] {
        let (code, stdout, stderr) = cargo_spec(&["rules", "--format", format]);
        assert_eq!(code, Some(0), "{stderr}");
        for rule in build_helpers::diff::rules::ALL {
            assert!(stdout.contains(rule.id) && stdout.contains(rule.meaning), "{format}: {} missing", rule.id);
        }
        assert_eq!(
            stdout.lines().count(),
            build_helpers::diff::rules::ALL.len() + if format == "markdown" { 2 } else { 0 }
        );
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let maintaining = std::fs::read_to_string(root.join("MAINTAINING.md")).unwrap();
    assert!(maintaining.contains("`cargo spec rules`"), "MAINTAINING.md points to the command");
    for page in ["README.md", "MAINTAINING.md"] {
        let text = std::fs::read_to_string(root.join(page)).unwrap();
        let restated = build_helpers::diff::rules::ALL.iter().filter(|rule| text.contains(rule.meaning)).count();
        assert_eq!(restated, 0, "{page} restates rules instead of pointing to `cargo spec rules`");
    }
}
