//! Hostile values in every path parameter of every operation. Each must be refused before anything is
//! sent, or arrive at the server as exactly the intended segment(s) of the intended route: the raw
//! request target must have the route's literal segments in place, and the parameter's segment(s) must
//! decode back to the value. No request may reach another route.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use percent_encoding::percent_decode_str;
use pipecat_cloud::catalog::OPERATIONS;
use pipecat_cloud::operation::Operation;
use pipecat_cloud::{Client, RetryConfig};
use pipecat_cloud_tests::hostile::corpus;
use pipecat_cloud_tests::operations::{call_operation, sample_path};
use pipecat_cloud_tests::scripted_server::{Recorded, Reply, ScriptedServer};
use serde_json::json;

/// `Ok(())` when `request` is `operation`'s route with `value` as parameter `index`, and the samples elsewhere.
fn arrived_as_intended(operation: &Operation, index: usize, value: &str, request: &Recorded) -> Result<(), String> {
    if request.method != operation.method.as_str() {
        return Err(format!("method {} instead of {}", request.method, operation.method));
    }
    let sent: Vec<&str> = request.path().split('/').collect();
    // Only RFC 3986's unreserved characters and `%` escapes may appear in the raw segments: `;`, `+`,
    // `&`, `=`, `@`, `:` and the other sub-delimiters must have been percent-encoded.
    if let Some(raw) = sent.iter().find(|s| s.chars().any(|c| !(c.is_ascii_alphanumeric() || "-._~%".contains(c)))) {
        return Err(format!("the raw segment {raw:?} holds a character that is not percent-encoded"));
    }
    let path = sample_path(operation);
    let mut expected: Vec<String> = vec![String::new(), "v1".into()];
    let mut param = 0;
    for segment in operation.path.trim_start_matches('/').split('/') {
        if segment.starts_with('{') {
            let text = if param == index { value } else { path[param] };
            expected.extend(text.split('/').map(str::to_string));
            param += 1;
        } else {
            expected.push(segment.to_string());
        }
    }
    let decoded: Vec<String> = sent.iter().map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned()).collect();
    if decoded != expected {
        return Err(format!("arrived as {} (decoded {decoded:?}), expected {expected:?}", request.path()));
    }
    Ok(())
}

#[tokio::test]
async fn hostile_path_values_are_refused_or_arrive_as_one_intended_segment() {
    let server = ScriptedServer::start(vec![], Reply::json(200, json!({}))).await.unwrap();
    let client = Client::builder()
        .private_key("hostile-test-private")
        .public_key("hostile-test-public")
        .host(server.url())
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    let corpus = corpus();
    assert!(corpus.len() >= 40);
    let mut tally: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut typed = 0;
    for operation in &OPERATIONS {
        for (index, param) in operation.path_params.iter().enumerate() {
            // A UUID parameter takes a `Uuid`: no text, hostile or not, can be passed.
            if param.format == Some("uuid") {
                typed += 1;
                continue;
            }
            for value in &corpus {
                let mut path = sample_path(operation);
                path[index] = value;
                server.clear();
                let outcome = call_operation(&client, operation, &path).await;
                let requests = server.requests();
                let key = format!("{} {}", operation.id, param.name);
                let counts = tally.entry(key).or_default();
                match (&outcome, requests.as_slice()) {
                    (Err(e), []) if e.is_refused_before_sending() => counts.0 += 1,
                    (_, [request]) => {
                        counts.1 += 1;
                        if let Err(problem) = arrived_as_intended(operation, index, value, request) {
                            failures.push(format!("{} {} = {value:?}: {problem}", operation.id, param.name));
                        }
                    }
                    (outcome, requests) => failures.push(format!(
                        "{} {} = {value:?}: {} request(s), outcome {outcome:?}",
                        operation.id,
                        param.name,
                        requests.len()
                    )),
                }
            }
        }
    }
    let mut table = format!("{:<42} {:>7} {:>5}", "operation parameter", "refused", "sent");
    for (key, (refused, sent)) in &tally {
        table.push_str(&format!("\n{key:<42} {refused:>7} {sent:>5}"));
    }
    pipecat_cloud_tests::report(&table);
    let (refused, sent) = tally.values().fold((0, 0), |(r, s), (a, b)| (r + a, s + b));
    pipecat_cloud_tests::report(&format!(
        "{} values x {} text parameters: {refused} refused, {sent} sent as intended; {typed} UUID parameters take a Uuid",
        corpus.len(),
        tally.len()
    ));
    assert!(typed > 0, "the UUID parameters are typed");
    assert!(failures.is_empty(), "{} values went wrong:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(refused + sent, corpus.len() * tally.len());
    assert!(refused > 0 && sent > 0);
}
