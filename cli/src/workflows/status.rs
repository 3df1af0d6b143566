//! `agent status NAME`: a rollout at a glance, from `getService`: the state in a word, the desired and
//! reconciled deployments, the revision's phase and health (restarts, the last termination and its
//! message), the sessions running against `maxAgents`, the region and the image. Exit 0 unless the
//! revision failed (1), so a script can gate on it.

use clap::{Arg, ArgMatches, Command};
use pipecat_cloud::types::{RevisionInfo, RevisionInfoPhase, ServiceDetailsResponse};
use serde_json::{Value, json};

use crate::context::Context;
use crate::exit::negative;
use crate::messages::about;
use crate::output::{self, Mode};

pub fn command() -> Command {
    Command::new("status")
        .about("An agent's rollout at a glance: state, deployments, revision health, sessions; exit 1 when its revision failed")
        .arg(Arg::new("agent").value_name("AGENT_NAME").required(true).help("The agent's name"))
}

/// The state in a word, and why when it is not ready.
fn state(agent: &ServiceDetailsResponse) -> (&'static str, Option<String>) {
    let revision = agent.current_revision.as_ref();
    let phase = revision.and_then(|r| r.phase.as_ref());
    let reconciled =
        agent.desired_deployment_id.is_some() && agent.reconciled_deployment_id == agent.desired_deployment_id;
    match phase {
        Some(RevisionInfoPhase::Failed) => {
            let why =
                revision.and_then(|r| r.health.as_ref()).and_then(|h| h.message.clone().or_else(|| h.reason.clone()));
            ("failed", why)
        }
        _ if reconciled && agent.ready == Some(true) => ("ready", None),
        Some(phase) => ("rolling out", Some(phase.to_string())),
        None => ("rolling out", Some("waiting for the first revision".into())),
    }
}

fn revision_view(revision: &RevisionInfo) -> Value {
    let health = revision.health.as_ref().map(|h| {
        json!({
            "ready": h.ready,
            "state": h.state.as_ref().map(ToString::to_string),
            "restarts": h.restart_count,
            "reason": h.reason,
            "lastTerminationReason": h.last_termination_reason,
            "lastExitCode": h.last_exit_code,
            // The last line of the crash output: what a person reads first.
            "message": h.message.as_deref().and_then(|m| m.trim().lines().last()).map(str::to_string),
        })
    });
    json!({
        "deployment": revision.deployment_id,
        "phase": revision.phase.as_ref().map(ToString::to_string),
        "since": revision.phase_started_at.map(crate::times::canonical),
        "readyReplicas": revision.ready_replicas,
        "health": health,
    })
}

pub async fn run(context: &Context, matches: &ArgMatches) -> anyhow::Result<()> {
    let name = matches.get_one::<String>("agent").cloned().unwrap_or_default();
    let client = context.client()?;
    let agent = client.get_service(&name).await.map_err(|error| about(error, &[("agentName", &name)]))?;
    let (state, why) = state(&agent);
    let spec = agent.deployment.as_ref().and_then(|d| d.manifest.as_ref()).and_then(|m| m.spec.as_ref());
    let image = spec.and_then(|s| s.image.clone());
    let max_agents = agent.auto_scaling.as_ref().and_then(|a| a.max_replicas);
    let report = json!({
        "agent": agent.name.clone().unwrap_or(name.clone()),
        "state": state,
        "why": why,
        "region": agent.region,
        "image": image,
        "desiredDeploymentId": agent.desired_deployment_id,
        "reconciledDeploymentId": agent.reconciled_deployment_id,
        "revision": agent.current_revision.as_ref().map(revision_view),
        "previousRevision": agent.previous_revision.as_ref().map(revision_view),
        "activeSessions": agent.active_session_count,
        "maxAgents": max_agents,
    });
    match context.mode {
        Mode::Json => output::value(Mode::Json, &report),
        mode => print_glance(mode, &report),
    }
    if state == "failed" {
        return Err(negative(format!(
            "the revision of agent '{name}' failed: deploy a working image (pipecat-cloud deploy {name} IMAGE); pipecat-cloud agent logs {name} shows why"
        )));
    }
    Ok(())
}

/// The report as lines, in the order a person reads a rollout: what, how it stands, where, then the
/// detail. `key: value` in a table, `key<TAB>value` in plain; what is unknown is left out.
fn print_glance(mode: Mode, report: &Value) {
    let text = |pointer: &str| report.pointer(pointer).filter(|v| !v.is_null()).map(output::scalar);
    let short = |id: Option<String>| id.map(|id| id.chars().take(8).collect::<String>());
    let state = match (text("/state"), text("/why")) {
        (Some(state), Some(why)) => Some(format!("{state}: {why}")),
        (state, _) => state,
    };
    let deployments = match (short(text("/desiredDeploymentId")), short(text("/reconciledDeploymentId"))) {
        (Some(desired), Some(reconciled)) if desired == reconciled => {
            Some(format!("{desired} (desired and reconciled)"))
        }
        (Some(desired), Some(reconciled)) => Some(format!("{desired} desired, {reconciled} reconciled")),
        (Some(desired), None) => Some(format!("{desired} desired, none reconciled yet")),
        _ => None,
    };
    let revision = text("/revision/phase").map(|phase| {
        let since = text("/revision/since")
            .and_then(|t| crate::times::parse(&t))
            .map(|t| format!(" since {} ({})", crate::times::canonical(t), crate::times::age(t, crate::times::now())))
            .unwrap_or_default();
        format!("{phase}{since}, {} ready", text("/revision/readyReplicas").unwrap_or_else(|| "0".into()))
    });
    let health = text("/revision/health/state").map(|state| {
        let reason = text("/revision/health/reason").map(|r| format!(" ({r})")).unwrap_or_default();
        let restarts = text("/revision/health/restarts").unwrap_or_else(|| "0".into());
        let last = text("/revision/health/lastTerminationReason")
            .map(|r| format!(", last exit {r} ({})", text("/revision/health/lastExitCode").unwrap_or_default()))
            .unwrap_or_default();
        format!("{state}{reason}, {restarts} restarts{last}")
    });
    let sessions = text("/activeSessions")
        .map(|n| format!("{n} running of maxAgents {}", text("/maxAgents").unwrap_or_else(|| "?".into())));
    let rows = [
        ("agent", text("/agent")),
        ("state", state),
        ("region", text("/region")),
        ("image", text("/image")),
        ("deployment", deployments),
        ("revision", revision),
        ("health", health),
        ("message", text("/revision/health/message").filter(|m| Some(m) != text("/why").as_ref())),
        ("sessions", sessions),
    ];
    for (key, value) in rows {
        let Some(value) = value else { continue };
        match mode {
            Mode::Plain => output::line(&format!("{key}\t{value}")),
            _ => output::line(&format!("{:<11} {value}", format!("{key}:"))),
        }
    }
}
