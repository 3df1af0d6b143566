//! Quickstart: a real workflow through the SDK, on Pipecat Cloud emulated in-process.
//!
//! Without `PIPECAT_API_KEY` in the environment, the example starts the emulator
//! (`pipecat-cloud-emulator`) on 127.0.0.1 and runs the main job against it: create a secret set and
//! wait until it is ready, deploy an agent and wait until it runs the new deployment, start a session
//! and list sessions, read the logs, then inject faults and watch the SDK's retries ride them out.
//! With `PIPECAT_API_KEY` set, it lists that account's secret sets instead and changes nothing.
//!
//! ```text
//! cargo run -p pipecat-cloud-emulator --example quickstart
//! ```

use std::time::Duration;

use pipecat_cloud::deploy::{Deploy, DeployOptions};
use pipecat_cloud::types::{RegularSecretsRequest, RegularSecretsRequestSecretsItem, StartRequest};
use pipecat_cloud::wait::WaitOptions;
use pipecat_cloud::{Client, ENV_PRIVATE_KEY, RetryConfig};
use pipecat_cloud_emulator::{Emulator, Fault, Progression};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::var(ENV_PRIVATE_KEY).is_ok_and(|k| !k.trim().is_empty()) {
        return list_real_account().await;
    }
    // Each step of a resource's life (pending -> ready, Creating -> Validating -> Active) takes 300 ms.
    let emulator = Emulator::builder().progression(Progression::after(Duration::from_millis(300))).start().await?;
    let client = emulator.client();
    println!("Pipecat Cloud emulated at {} (no account needed)\n", client.base_url());
    let waiting = WaitOptions::default()
        .interval(Duration::from_millis(100))
        .timeout(Duration::from_secs(30))
        .on_progress(|p| println!("   ... {}: {}", p.resource, p.phase));

    println!("1. A secret set, then wait until it is provisioned");
    let secrets = vec![
        RegularSecretsRequestSecretsItem::new("OPENAI_API_KEY", "sk-quickstart"),
        RegularSecretsRequestSecretsItem::new("DEEPGRAM_API_KEY", "dg-quickstart"),
    ];
    let accepted = client.upsert_secret_set("voice-bot-secrets", RegularSecretsRequest::new(secrets)).await?;
    println!("   upsertSecretSet: accepted in {}", accepted.region);
    let set = client.wait_until_secret_set_ready("voice-bot-secrets", &waiting).await?;
    let keys: Vec<&str> = set.secrets.iter().filter_map(|k| k.field_name.as_deref()).collect();
    println!("   ready, holding {keys:?} (values are never returned)\n");

    println!("2. Deploy an agent bound to the set (created, as it is new), and wait until it runs the deployment");
    let deploy = Deploy::image("voice-bot", "registry.example.com/acme/voice-bot:1.0").secret_set("voice-bot-secrets");
    let deployed = client.deploy(&deploy, &DeployOptions::default().wait(waiting.clone())).await?;
    println!(
        "   {}: deployment {}",
        if deployed.created { "created" } else { "updated" },
        deployed.deployment_id.as_deref().unwrap_or("?")
    );
    let agent = deployed.agent;
    println!(
        "   ready: reconciledDeploymentId is {}, revision {}\n",
        agent.reconciled_deployment_id.as_deref().unwrap_or("?"),
        agent.current_revision.as_ref().and_then(|r| r.phase.as_ref()).map_or("?".into(), ToString::to_string)
    );

    println!("3. Start a session (public key), then list the agent's sessions (private key)");
    let started = client.start_service("voice-bot", StartRequest::new().create_daily_room(true)).await?;
    println!(
        "   startService: session {} in room {}",
        started.session_id.map(|id| id.to_string()).unwrap_or_default(),
        started.daily_room.as_deref().unwrap_or("?")
    );
    let sessions = client.get_sessions("voice-bot").limit(10).await?;
    println!("   getSessions: {} session(s) in all", sessions.total_count.unwrap_or_default());
    for session in &sessions.sessions {
        println!(
            "   - {} cold start: {}",
            session.session_id.as_deref().unwrap_or("?"),
            session.cold_start.unwrap_or_default()
        );
    }
    println!();

    println!("4. The agent's logs, oldest first");
    let logs = client.get_logs("voice-bot").order(pipecat_cloud::types::GetLogsOrder::Asc).limit(20).await?;
    for line in &logs.logs {
        println!(
            "   {}  {}",
            line.timestamp.map(|t| t.to_rfc3339()).unwrap_or_default(),
            line.log.as_deref().unwrap_or("")
        );
    }
    println!();

    println!("5. Faults: the next two getService answers are 503; the SDK's retries ride them out");
    emulator.fault(Fault::status(503).on("getService").times(2).retry_after(0));
    let patient =
        emulator.client_builder().retry(RetryConfig::default().initial_backoff(Duration::from_millis(50))).build()?;
    let agent = patient.get_service("voice-bot").await?;
    println!("   getService answered: ready = {:?}", agent.ready);
    for entry in emulator.journal().iter().rev().take(3).rev() {
        println!(
            "   journal: {} {} -> {}{}",
            entry.method,
            entry.path,
            entry.status.map_or("no answer".into(), |s| s.to_string()),
            entry.fault.as_ref().map(|f| format!(" (fault: {f})")).unwrap_or_default()
        );
    }

    println!("\n6. A hostile path value is refused before anything is sent");
    match client.delete_secret_from_set("voice-bot-secrets", "../other-set").await {
        Err(error) if error.is_refused_before_sending() => println!("   {error}"),
        other => anyhow::bail!("a hostile key was not refused: {other:?}"),
    }
    let problems = emulator.response_problems();
    println!("\nEvery answer checked against the spec: {} mismatch(es).", problems.len());
    anyhow::ensure!(problems.is_empty(), "the emulator answered off the spec: {problems:?}");
    Ok(())
}

/// With a real key: read-only.
async fn list_real_account() -> anyhow::Result<()> {
    let client = Client::from_env()?;
    println!("talking to {} with the private key from {ENV_PRIVATE_KEY}; nothing will be changed", client.base_url());
    for set in client.list_secret_sets().send().await?.sets {
        println!(
            "secret set {:<20} status {}",
            set.name.as_deref().unwrap_or("?"),
            set.status.as_ref().map(|s| s.as_str()).unwrap_or("?")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    /// `cargo test` runs the quickstart (its `[[example]]` has `test = true`), so the main job is
    /// tested as a newcomer runs it.
    #[test]
    fn the_quickstart_runs_on_the_emulator() {
        if std::env::var(super::ENV_PRIVATE_KEY).is_ok_and(|k| !k.trim().is_empty()) {
            eprintln!("skipped: {} is set, and the quickstart would read that account", super::ENV_PRIVATE_KEY);
            return;
        }
        super::main().expect("the quickstart runs");
    }
}
