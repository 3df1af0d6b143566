//! Every operation of the catalog, called through the SDK against the emulator, in the order a real
//! account would see them (create before read, read before delete), with no scripted answer: each call
//! must succeed and each answer must match the spec. The count comes from the catalog, so a spec with a
//! new operation fails here naming it, until the scenario calls it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use pipecat_cloud::catalog::{OPERATIONS, by_id};
use pipecat_cloud_emulator::{Emulator, Progression};
use pipecat_cloud_tests::operations::{Args, call, sample_body};
use serde_json::{Value, json};

/// The operations in the order they are called, with the path values each takes from what the calls
/// before it made.
const SCENARIO: &[&str] = &[
    "updateProperties",
    "getProperties",
    "getPropertiesSchema",
    "listRegions",
    "upsertSecretSet",
    "listSecretSets",
    "getSecretSet",
    "getBuildUploadUrl",
    "createBuild",
    "listBuilds",
    "getBuild",
    "getBuildLogs",
    "createService",
    "listServices",
    "getService",
    "updateService",
    "startService",
    "getSessions",
    "getSession",
    "getLogs",
    "sessionProxyGet",
    "sessionProxyPost",
    "sessionProxyPut",
    "sessionProxyPatch",
    "sessionProxyDelete",
    "sessionProxyOptions",
    "sessionProxyHead",
    "stopSession",
    "deleteSecretFromSet",
    "deleteSecretSet",
    "deleteService",
];

/// Posts a build context to the upload URL `answer` gave, as the pre-signed form takes it.
async fn upload(answer: &Value) {
    let boundary = "every-operation";
    let mut body = String::new();
    for (name, value) in answer["uploadFields"].as_object().unwrap() {
        body += &format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{}\r\n",
            value.as_str().unwrap()
        );
    }
    body +=
        &format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\ncontext\r\n--{boundary}--\r\n");
    pipecat_cloud::tls::install_provider();
    let status = reqwest::Client::new()
        .post(answer["uploadUrl"].as_str().unwrap())
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 204);
}

#[tokio::test]
async fn every_operation_succeeds_on_the_emulator_in_a_real_order() {
    let missing: Vec<&str> = OPERATIONS.iter().map(|op| op.id).filter(|id| !SCENARIO.contains(id)).collect();
    assert!(
        missing.is_empty(),
        "operations the scenario does not call: {missing:?}; add each to SCENARIO in {}",
        file!()
    );
    let emulator = Emulator::builder().progression(Progression::Immediate).start().await.unwrap();
    let client = emulator.client();
    let mut made: BTreeMap<&str, String> = BTreeMap::new();
    for id in SCENARIO {
        let operation = by_id(id).unwrap_or_else(|| panic!("{id} is in SCENARIO but not in the spec: remove it"));
        let path: Vec<String> = operation
            .path_params
            .iter()
            .map(|p| match p.name {
                "setName" => "my-set".to_string(),
                "secretKey" => "OPENAI_API_KEY".to_string(),
                "agentName" | "serviceName" => "my-agent".to_string(),
                "path" => "api/offer".to_string(),
                other => made
                    .get(other)
                    .cloned()
                    .unwrap_or_else(|| panic!("{id} needs {other}, which no call before it made")),
            })
            .collect();
        let mut args = Args { path, body: sample_body(operation), ..Args::default() };
        if *id == "createBuild" {
            args.body = Some(json!({"uploadId": made["uploadId"], "region": "us-west"}));
        }
        let answer = call(&client, operation, &args).await.unwrap_or_else(|e| panic!("{id}: {e}"));
        match *id {
            "getBuildUploadUrl" => {
                upload(&answer).await;
                made.insert("uploadId", answer["uploadId"].as_str().unwrap().to_string());
            }
            "createBuild" => {
                made.insert("buildId", answer["build"]["id"].as_str().unwrap().to_string());
            }
            "startService" => {
                made.insert("sessionId", answer["sessionId"].as_str().unwrap().to_string());
            }
            _ => {}
        }
    }
    let journal = emulator.journal();
    let answered: Vec<(&str, u16)> = journal
        .iter()
        .filter_map(|e| Some((e.operation_id.as_deref()?, e.status?)))
        .filter(|(_, s)| (200..300).contains(s))
        .collect();
    for operation in OPERATIONS.iter() {
        assert!(
            answered.iter().any(|(id, _)| *id == operation.id),
            "{} got no success from the emulator",
            operation.id
        );
    }
    assert!(emulator.response_problems().is_empty(), "{:#?}", emulator.response_problems());
    println!(
        "every operation on the emulator: {}/{} succeeded, each answer matched the spec",
        OPERATIONS.len(),
        OPERATIONS.len()
    );
}
