//! Every operation of the catalog, called through the SDK against the emulator, in the order a real
//! account would see them (create before read, read before delete), with no scripted answer: each call
//! must succeed and each answer must match the spec. A spec with a new operation does not compile here
//! until the scenario gives it its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use pipecat_cloud::catalog::OPERATIONS;
use pipecat_cloud::operation::OperationId;
use pipecat_cloud_emulator::{Emulator, Progression};
use pipecat_cloud_tests::operations::{Args, call, sample_body};
use serde_json::{Value, json};

/// Where each operation comes in the scenario, so that each takes its path values from what the calls
/// before it made: one arm per operation, without a `_` arm, so a new operation in the spec does not
/// compile here until it has its place.
fn place(operation: OperationId) -> u8 {
    use OperationId as Op;
    match operation {
        Op::UpdateProperties => 0,
        Op::GetProperties => 1,
        Op::GetPropertiesSchema => 2,
        Op::ListRegions => 3,
        Op::UpsertSecretSet => 4,
        Op::ListSecretSets => 5,
        Op::GetSecretSet => 6,
        Op::GetBuildUploadUrl => 7,
        Op::CreateBuild => 8,
        Op::ListBuilds => 9,
        Op::GetBuild => 10,
        Op::GetBuildLogs => 11,
        Op::CreateService => 12,
        Op::ListServices => 13,
        Op::GetService => 14,
        Op::UpdateService => 15,
        Op::StartService => 16,
        Op::GetSessions => 17,
        Op::GetSession => 18,
        Op::GetLogs => 19,
        Op::SessionProxyGet => 20,
        Op::SessionProxyPost => 21,
        Op::SessionProxyPut => 22,
        Op::SessionProxyPatch => 23,
        Op::SessionProxyDelete => 24,
        Op::SessionProxyOptions => 25,
        Op::SessionProxyHead => 26,
        Op::StopSession => 27,
        Op::DeleteSecretFromSet => 28,
        Op::DeleteSecretSet => 29,
        Op::DeleteService => 30,
    }
}

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
    let mut scenario = OperationId::ALL;
    scenario.sort_by_key(|operation| place(*operation));
    let emulator = Emulator::builder().progression(Progression::Immediate).start().await.unwrap();
    let client = emulator.client();
    let mut made: BTreeMap<&str, String> = BTreeMap::new();
    for id in scenario {
        let operation = id.operation();
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
        if id == OperationId::CreateBuild {
            args.body = Some(json!({"uploadId": made["uploadId"], "region": "us-west"}));
        }
        let answer = call(&client, operation, &args).await.unwrap_or_else(|e| panic!("{id}: {e}"));
        match id {
            OperationId::GetBuildUploadUrl => {
                upload(&answer).await;
                made.insert("uploadId", answer["uploadId"].as_str().unwrap().to_string());
            }
            OperationId::CreateBuild => {
                made.insert("buildId", answer["build"]["id"].as_str().unwrap().to_string());
            }
            OperationId::StartService => {
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
            answered.iter().any(|(id, _)| *id == operation.id.as_str()),
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
