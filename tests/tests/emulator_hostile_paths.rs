//! The hostile path corpus sent to the emulator in every path parameter of every operation, with the
//! right key, as raw HTTP (the SDK would refuse most of it): each gets an answer below 500, and the
//! emulator stays up.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use pipecat_cloud::ApiKeyKind;
use pipecat_cloud::catalog::OPERATIONS;
use pipecat_cloud_emulator::{Emulator, Progression};
use pipecat_cloud_tests::hostile::corpus;
use pipecat_cloud_tests::operations::sample_path;

/// The value as it can travel in a request target: escaped whole, and, where it can be sent as it
/// is, raw too (dot segments, `%2e` and the like reach the server unescaped).
fn spellings(value: &str) -> Vec<String> {
    let mut out = vec![utf8_percent_encode(value, NON_ALPHANUMERIC).to_string()];
    if !value.is_empty() && value.chars().all(|c| c.is_ascii_graphic() && !"?#/\\".contains(c)) {
        out.push(value.to_string());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_path_values_get_an_answer_below_500() {
    let emulator = Emulator::builder().progression(Progression::Immediate).start().await.unwrap();
    pipecat_cloud::tls::install_provider();
    let http = reqwest::Client::new();
    let mut sent = 0;
    for operation in OPERATIONS.iter() {
        let key = if operation.key == ApiKeyKind::Public { emulator.public_key() } else { emulator.private_key() };
        let path = sample_path(operation);
        for index in 0..operation.path_params.len() {
            for value in corpus() {
                for spelled in spellings(&value) {
                    let mut target = operation.path.to_string();
                    for (i, param) in operation.path_params.iter().enumerate() {
                        let text = if i == index { spelled.clone() } else { path[i].to_string() };
                        target = target.replace(&format!("{{{}}}", param.name), &text);
                    }
                    let url = format!("{}/v1{target}", emulator.host());
                    let method = reqwest::Method::from_bytes(operation.method.as_str().as_bytes()).unwrap();
                    let answer = http.request(method, &url).bearer_auth(key).send().await;
                    let status = answer.unwrap_or_else(|e| panic!("{} {url}: no answer: {e}", operation.id)).status();
                    assert!(status.as_u16() < 500, "{} {url}: {status}", operation.id);
                    sent += 1;
                }
            }
        }
    }
    assert!(emulator.response_problems().is_empty(), "{:#?}", emulator.response_problems());
    pipecat_cloud_tests::report(&format!("emulator: {sent} hostile path values answered below 500"));
}
