//! The emulator end to end, through the SDK and raw HTTP: workflows, request checks, faults, time,
//! the state file, concurrent writers, and that no key or secret value leaks. Every test ends by
//! asserting that each answer the emulator gave matched the spec (it checks them itself).

mod concurrency;
mod faults_and_time;
mod leaks;
mod requests;
mod state_file;
mod workflows;

use std::time::Duration;

use pipecat_cloud::types::{
    AutoScaling, CreateServiceRequest, CreateServiceRequestServiceName, RegularSecretsRequest,
    RegularSecretsRequestSecretsItem,
};
use pipecat_cloud::wait::WaitOptions;
use pipecat_cloud_emulator::{Emulator, Progression};

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

/// Every answer the emulator gave matched the spec.
pub fn all_answers_matched_the_spec(emulator: &Emulator) {
    let problems = emulator.response_problems();
    assert!(problems.is_empty(), "answers that do not match the spec: {problems:#?}");
}
