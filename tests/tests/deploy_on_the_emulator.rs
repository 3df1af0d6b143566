//! `Client::deploy` against the emulator: a new agent is created and waited for until it runs the new
//! deployment, a second deploy updates it, a failing image ends the wait with the API's reason, and a
//! setting the API does not list is refused before anything is sent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use pipecat_cloud::deploy::{Deploy, DeployError, DeployOptions};
use pipecat_cloud::types::{RegularSecretsRequest, RegularSecretsRequestSecretsItem};
use pipecat_cloud::wait::{WaitError, WaitOptions};
use pipecat_cloud_emulator::{Emulator, ImageRule, Progression};

fn options() -> DeployOptions {
    DeployOptions::default().wait(WaitOptions::default().interval(Duration::ZERO).timeout(Duration::from_secs(20)))
}

async fn emulator() -> Emulator {
    Emulator::builder().progression(Progression::AfterPolls { polls: 1 }).start().await.unwrap()
}

#[tokio::test]
async fn a_deploy_creates_then_updates_and_waits_until_the_agent_runs_each_deployment() {
    let emulator = emulator().await;
    let client = emulator.client();
    let secrets = vec![RegularSecretsRequestSecretsItem::new("OPENAI_API_KEY", "sk-test")];
    client.upsert_secret_set("bot-secrets", RegularSecretsRequest::new(secrets)).await.unwrap();
    // The set is still pending: the deploy waits for it before creating the agent (a 409 otherwise).
    let first = Deploy::image("bot", "acme/bot:1").secret_set("bot-secrets").max_agents(3);
    let created = client.deploy(&first, &options()).await.unwrap();
    assert!(created.created);
    assert_eq!(created.agent.ready, Some(true));
    assert_eq!(created.agent.reconciled_deployment_id, created.deployment_id);

    let second = Deploy::image("bot", "acme/bot:2").region("eu-central");
    let updated = client.deploy(&second, &options()).await.unwrap();
    assert!(!updated.created && updated.region_ignored);
    assert_ne!(updated.deployment_id, created.deployment_id, "a new image is a new deployment");
    assert_eq!(updated.agent.reconciled_deployment_id, updated.deployment_id);
    let statuses: Vec<(String, Option<u16>)> =
        emulator.journal().iter().map(|e| (e.operation_id.clone().unwrap_or_default(), e.status)).collect();
    assert!(!statuses.iter().any(|(_, status)| *status == Some(409)), "{statuses:?}");
    assert!(statuses.contains(&("updateService".into(), Some(200))), "{statuses:?}");
}

#[tokio::test]
async fn a_failing_image_ends_the_wait_with_the_apis_reason() {
    let emulator = emulator().await;
    emulator.fail_image(ImageRule::new("broken", "PCC_IMAGE_NOT_FOUND").unwrap());
    let error = emulator.client().deploy(&Deploy::image("bot", "acme/broken:1"), &options()).await.unwrap_err();
    let DeployError::Wait(WaitError::Failed { reason, .. }) = &error else { panic!("{error:?}") };
    assert!(reason.contains("PCC_IMAGE_NOT_FOUND"), "{reason}");
}

#[tokio::test]
async fn a_setting_the_api_does_not_list_is_refused_before_anything_is_sent() {
    let emulator = emulator().await;
    let deploy = Deploy::image("bot", "acme/bot:1").agent_profile("agent-9x");
    let error = emulator.client().deploy(&deploy, &options()).await.unwrap_err();
    assert!(matches!(&error, DeployError::InvalidSetting { setting: "agent_profile", .. }), "{error:?}");
    assert!(error.to_string().contains("`agent-1x`, `agent-2x`, `agent-3x`"), "{error}");
    assert!(emulator.journal().is_empty(), "nothing was sent");
    // A name createService would not take is refused after the look-up, and only then.
    let error = emulator.client().deploy(&Deploy::image("Not_A_Name", "acme/bot:1"), &options()).await.unwrap_err();
    assert!(matches!(&error, DeployError::InvalidSetting { setting: "name", .. }), "{error:?}");
    let sent: Vec<String> = emulator.journal().iter().filter_map(|e| e.operation_id.clone()).collect();
    assert_eq!(sent, ["getService"]);
}
