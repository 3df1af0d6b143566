//! Every recording, replayed through the wrapper against a server that answers only the recorded request.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use pipecat_cloud_tests::operations::Args;
use pipecat_cloud_tests::recording::load_all;
use pipecat_cloud_tests::replay::{args_from, replay};

fn recordings() -> Vec<pipecat_cloud_tests::recording::RecordingFile> {
    load_all(&Path::new(env!("CARGO_MANIFEST_DIR")).join("recordings")).unwrap()
}

#[tokio::test]
async fn every_recording_replays_through_the_wrapper() {
    let all = recordings();
    let mut failures = Vec::new();
    for file in &all {
        if let Err(problem) = replay(file, None).await {
            failures.push(problem);
        }
    }
    pipecat_cloud_tests::report(&format!(
        "replayed {} recordings through the wrapper, {} failed",
        all.len(),
        failures.len()
    ));
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[tokio::test]
async fn a_changed_request_fails_with_a_readable_diff() {
    let all = recordings();
    let file = all.iter().find(|r| r.operation_id == "deleteSecretFromSet" && r.status == 200).unwrap();
    let operation = pipecat_cloud::catalog::by_id("deleteSecretFromSet").unwrap();
    let mut args: Args = args_from(operation, &file.recording.request).unwrap();
    args.path[1] = "ANTHROPIC_API_KEY".into();
    let diff = replay(file, Some(args)).await.unwrap_err();
    assert_eq!(
        diff,
        "deleteSecretFromSet 200: the request did not match the recording:\n  path:\n    \
         expected /v1/secrets/voice-bot-secrets/OPENAI_API_KEY\n    actual   /v1/secrets/voice-bot-secrets/ANTHROPIC_API_KEY"
    );
    // A changed body is shown as expected against actual too.
    let upsert = all.iter().find(|r| r.operation_id == "upsertSecretSet" && r.status == 202).unwrap();
    let upsert_op = pipecat_cloud::catalog::by_id("upsertSecretSet").unwrap();
    let mut args = args_from(upsert_op, &upsert.recording.request).unwrap();
    args.body.as_mut().unwrap()["region"] = "eu-central".into();
    let diff = replay(upsert, Some(args)).await.unwrap_err();
    assert!(diff.contains("  body:\n    expected {") && diff.contains("\"region\":\"eu-central\""), "{diff}");
}
