//! The emulator end to end, through the SDK and raw HTTP: workflows, request checks, faults, time,
//! the state file, concurrent writers, that no key or secret value leaks, where it follows the vendor
//! (`vendor_behaviour.rs`), and what the official client reads of its answers (`official_client.rs`).
//! Every test ends by asserting that each answer the emulator gave matched the spec (it checks them
//! itself).

mod concurrency;
mod faults_and_time;
mod leaks;
mod official_client;
mod requests;
mod state_file;
mod vendor_behaviour;
mod workflows;

use std::time::Duration;

use pipecat_cloud::types::{
    AutoScaling, CreateServiceRequest, CreateServiceRequestServiceName, RegularSecretsRequest,
    RegularSecretsRequestSecretsItem,
};
use pipecat_cloud::wait::WaitOptions;
use pipecat_cloud_emulator::{Emulator, Progression};
use serde_json::Value;

/// An emulator whose resources take one step per poll.
pub async fn polled() -> Emulator {
    Emulator::builder().progression(Progression::AfterPolls { polls: 1 }).start().await.expect("start")
}

/// Short polls, a short timeout.
pub fn quick() -> WaitOptions {
    WaitOptions::default().interval(Duration::from_millis(5)).timeout(Duration::from_secs(10))
}

/// `{secrets: [KEY=VALUE...]}`.
pub fn secrets(pairs: &[(&str, &str)]) -> RegularSecretsRequest {
    RegularSecretsRequest::new(
        pairs.iter().map(|(k, v)| RegularSecretsRequestSecretsItem::new(*k, *v)).collect::<Vec<_>>(),
    )
}

/// A create request for `name` running `image`, with at most `max_agents` instances.
pub fn agent(name: &str, image: &str, max_agents: i64) -> CreateServiceRequest {
    let name: CreateServiceRequestServiceName = name.parse().expect("a valid agent name");
    CreateServiceRequest::new(name).image(image).auto_scaling(AutoScaling::new().max_agents(max_agents))
}

/// Raw HTTP, for what the SDK refuses to send.
pub fn http() -> reqwest::Client {
    pipecat_cloud::tls::install_provider();
    reqwest::Client::new()
}

/// `method` of `path` on the emulator with `key` (`None`: no Authorization header), raw: what the SDK
/// would refuse to send. The body as JSON; text that is not JSON as a string; none as `null`.
pub async fn raw(
    emulator: &Emulator,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
    let mut request = http().request(method, format!("{}{path}", emulator.host()));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("the emulator answers");
    let status = response.status().as_u16();
    let text = response.text().await.expect("a body");
    let body = match serde_json::from_str(&text) {
        Ok(json) => json,
        Err(_) if text.is_empty() => Value::Null,
        Err(_) => Value::String(text),
    };
    (status, body)
}

/// Every answer the emulator gave matched the spec.
pub fn all_answers_matched_the_spec(emulator: &Emulator) {
    let problems = emulator.response_problems();
    assert!(problems.is_empty(), "answers that do not match the spec: {problems:#?}");
}

/// Uploads `archive` the way the real pre-signed form takes it.
pub async fn upload(url: &str, fields: &serde_json::Map<String, Value>, archive: &[u8]) -> reqwest::StatusCode {
    let boundary = "emulator-test-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        let value = value.as_str().unwrap_or_default();
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").bytes(),
        );
    }
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.tar.gz\"\r\n\r\n").bytes(),
    );
    body.extend_from_slice(archive);
    body.extend(format!("\r\n--{boundary}--\r\n").bytes());
    http()
        .post(url)
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .expect("upload")
        .status()
}
