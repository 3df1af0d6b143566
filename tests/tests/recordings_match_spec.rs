//! The recordings against the spec: every documented operation-status pair has a recording, every
//! recording belongs to one (or says it is beyond the spec), and every body validates against the
//! spec's schema. Also: what makes the check fail, and that no recording holds a credential.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use pipecat_cloud_tests::conformance::check;
use pipecat_cloud_tests::recording::{RecordingFile, load_all};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn recordings() -> Vec<RecordingFile> {
    load_all(&root().join("recordings")).unwrap()
}

fn spec() -> PathBuf {
    root().join("..").join("openapi")
}

#[test]
fn every_documented_pair_has_a_recording_that_matches_the_spec() {
    let report = check(&spec(), &recordings()).unwrap();
    pipecat_cloud_tests::report(&report.coverage_line());
    assert!(report.problems.is_empty(), "{} problems:\n{}", report.problems.len(), report.problems.join("\n"));
    // Every operation and every documented status has a recording: the counts are the report's own,
    // so a new operation fails on the missing recordings it names above, not on a number.
    assert_eq!(report.operations.1, pipecat_cloud::catalog::OPERATIONS.len(), "the report reads every operation");
    assert_eq!(report.operations.0, report.operations.1);
    assert_eq!(report.pairs.0, report.pairs.1);
    assert_eq!(report.beyond_spec, 3);
}

#[test]
fn a_missing_recording_is_named_by_operation_and_status() {
    let all = recordings();
    let without: Vec<RecordingFile> =
        all.iter().filter(|r| !(r.operation_id == "deleteSecretFromSet" && r.status == 404)).cloned().collect();
    assert_eq!(without.len() + 1, all.len());
    let report = check(&spec(), &without).unwrap();
    assert_eq!(
        report.problems,
        ["deleteSecretFromSet 404: no recording (add tests/recordings/deleteSecretFromSet/404.yaml)"]
    );
}

#[test]
fn a_changed_field_type_in_the_spec_fails_the_recordings_that_carry_it() {
    let text = std::fs::read_to_string(spec().join("pipecat-cloud.yaml")).unwrap();
    let mut doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    // `SecretSetSummary.name` becomes an integer.
    doc["components"]["schemas"]["SecretSetSummary"]["properties"]["name"]["type"] = "integer".into();
    let changed = std::env::temp_dir().join(format!("changed-spec-{}.yaml", std::process::id()));
    std::fs::write(&changed, serde_yaml::to_string(&doc).unwrap()).unwrap();
    let report = check(&changed, &recordings()).unwrap();
    // Both sets of the recorded list carry a name.
    assert_eq!(report.problems.len(), 2, "{:#?}", report.problems);
    for (i, problem) in report.problems.iter().enumerate() {
        let expected =
            format!("listSecretSets 200: the response body does not match the spec's schema: at /sets/{i}/name:");
        assert!(problem.starts_with(&expected), "{problem}");
    }
}

#[test]
fn an_undocumented_status_or_an_unknown_operation_is_refused() {
    let mut extra = recordings();
    let mut stray = extra.iter().find(|r| r.operation_id == "listRegions" && r.status == 200).unwrap().clone();
    stray.status = 418;
    stray.recording.response.status = 418;
    let mut unknown = stray.clone();
    unknown.operation_id = "listRegionz".into();
    extra.push(stray);
    extra.push(unknown);
    let report = check(&spec(), &extra).unwrap();
    assert_eq!(report.problems.len(), 2, "{:#?}", report.problems);
    assert!(report.problems.iter().any(|p| p.contains("listRegions does not document status 418")));
    assert!(report.problems.iter().any(|p| p.contains("the spec has no operation `listRegionz`")));
}

#[test]
fn recordings_carry_no_authorization_header_and_no_secret() {
    for file in recordings() {
        assert!(
            !file.recording.request.headers.keys().any(|h| h.eq_ignore_ascii_case("authorization")),
            "{} keeps an Authorization header",
            file.path.display()
        );
        let raw = std::fs::read_to_string(&file.path).unwrap().to_ascii_lowercase();
        assert!(!raw.contains("bearer "), "{} mentions a bearer credential", file.path.display());
    }
    // The check itself refuses a recording with a credential or an unscrubbed secret.
    let mut leaky = recordings();
    let upsert = leaky.iter_mut().find(|r| r.operation_id == "upsertSecretSet" && r.status == 202).unwrap();
    upsert.recording.request.headers.insert("authorization".into(), "Bearer planted-by-this-test".into());
    upsert.recording.request.body.as_mut().unwrap()["secrets"][0]["secretValue"] = "hunter2".into();
    let report = check(&spec(), &leaky).unwrap();
    assert!(report.problems.iter().any(|p| p.contains("keeps an Authorization header")), "{:#?}", report.problems);
    assert!(
        report.problems.iter().any(|p| p.contains("unscrubbed secret at /secrets/0/secretValue")),
        "{:#?}",
        report.problems
    );
}

#[test]
fn the_readme_states_the_number_of_published_examples_the_recordings_hold() {
    let recordings = recordings();
    let mut by_source = std::collections::BTreeMap::<String, usize>::new();
    for file in &recordings {
        *by_source.entry(file.recording.source.clone().unwrap_or_else(|| "none".into())).or_default() += 1;
    }
    let counts: Vec<String> = by_source.iter().map(|(source, n)| format!("{n} {source}")).collect();
    pipecat_cloud_tests::report(&format!("recordings by source: {}", counts.join(", ")));
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let stated: usize = readme
        .lines()
        .find_map(|l| l.strip_prefix("- **")?.split_once("** use the published example").map(|(n, _)| n.to_string()))
        .and_then(|n| n.parse().ok())
        .expect("tests/README.md states how many recordings use the published example");
    assert_eq!(stated, by_source.get("published example").copied().unwrap_or(0), "tests/README.md is out of date");
}
