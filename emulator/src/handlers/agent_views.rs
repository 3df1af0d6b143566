//! How an agent is shown: `getService`, `createService` and `updateService` answer [`details`],
//! `listServices` embeds [`deployment`]. Typed views serialized straight to bytes: an agent's answer is
//! the emulator's largest and most read, and building it as a JSON tree cost more than the rest of a
//! request.

use serde::Serialize;
use uuid::Uuid;

use super::MAX_AGENTS_LIMIT;
use crate::clock::Stamp;
use crate::state::{Agent, AgentConfig, Deployment, Phase};

/// CPU and memory of a profile, as the manifest shows them.
fn resources(profile: &str) -> (&'static str, &'static str) {
    match profile {
        "agent-2x" => ("1000m", "2Gi"),
        "agent-3x" => ("1500m", "3Gi"),
        _ => ("500m", "1Gi"),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replicas {
    min_replicas: i64,
    max_replicas: i64,
}

#[derive(Serialize)]
struct Resources {
    cpu: &'static str,
    memory: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ManifestKrisp {
    audio_filters: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Spec<'a> {
    daily_node_type: &'a str,
    /// A deployment from a build shows no image, as the API redacts it.
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a str>,
    auto_scaling: Replicas,
    #[serde(skip_serializing_if = "Option::is_none")]
    image_pull_secret_name: Option<&'a str>,
    env_from_secret_names: Vec<&'a str>,
    resources: Resources,
    krisp_viva: ManifestKrisp,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_session_duration_seconds: Option<i64>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    name: &'a str,
    namespace: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Manifest<'a> {
    api_version: &'static str,
    kind: &'static str,
    metadata: Metadata<'a>,
    spec: Spec<'a>,
}

/// A deployment with its manifest.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct DeploymentView<'a> {
    id: Uuid,
    service_id: Uuid,
    created_at: Stamp,
    updated_at: Stamp,
    manifest: Manifest<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Health<'a> {
    ready: bool,
    state: &'static str,
    restart_count: i64,
    replicas_started: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_exit_code: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_termination_reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Revision<'a> {
    #[serde(rename = "deploymentID")]
    deployment_id: Uuid,
    phase: &'static str,
    ready_replicas: i64,
    phase_started_at: Stamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    health: Option<Health<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Krisp<'a> {
    audio_filter: Option<&'a str>,
}

/// The agent as `getService`, `createService` and `updateService` answer it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Details<'a> {
    name: &'a str,
    region: &'a str,
    ready: bool,
    available: bool,
    created_at: Stamp,
    updated_at: Stamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    desired_deployment_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    active_deployment_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reconciled_deployment_id: Option<Uuid>,
    active_deployment_ready: bool,
    auto_scaling: Replicas,
    active_session_count: usize,
    deployment: Option<DeploymentView<'a>>,
    agent_profile: Option<&'a str>,
    krisp_viva: Krisp<'a>,
    current_revision: Option<Revision<'a>>,
    previous_revision: Option<Revision<'a>>,
}

/// `deployment` of `agent` with its manifest.
pub(super) fn deployment<'a>(
    agent: &'a Agent,
    deployment: &'a Deployment,
    organization: &'a str,
) -> DeploymentView<'a> {
    let config: &AgentConfig = &deployment.config;
    let (cpu, memory) = resources(&config.agent_profile);
    DeploymentView {
        id: deployment.id,
        service_id: agent.id,
        created_at: Stamp(deployment.created_at),
        updated_at: Stamp(deployment.phase_started_at),
        manifest: Manifest {
            api_version: "pipecatcloud.daily.co/v1",
            kind: "PCService",
            metadata: Metadata { name: &agent.name, namespace: organization },
            spec: Spec {
                daily_node_type: &config.node_type,
                image: config.image.as_deref(),
                auto_scaling: Replicas { min_replicas: config.min_agents, max_replicas: config.max_agents },
                image_pull_secret_name: config.image_pull_secret_set.as_deref(),
                env_from_secret_names: config.secret_set.iter().map(String::as_str).collect(),
                resources: Resources { cpu, memory },
                krisp_viva: ManifestKrisp { audio_filters: config.krisp_filter.is_some() },
                max_session_duration_seconds: config.max_session_duration,
            },
        },
    }
}

/// Restarts a crash-looping revision shows.
const CRASH_RESTARTS: i64 = 3;

fn revision<'a>(agent: &Agent, deployment: &'a Deployment) -> Revision<'a> {
    let mut view = Revision {
        deployment_id: deployment.id,
        phase: deployment.phase.as_str(),
        ready_replicas: 0,
        phase_started_at: Stamp(deployment.phase_started_at),
        health: None,
    };
    match (deployment.phase, &deployment.failure) {
        (Phase::Active, _) => {
            let replicas = deployment.config.min_agents.max(i64::try_from(agent.active_sessions()).unwrap_or(i64::MAX));
            view.ready_replicas = replicas;
            if replicas > 0 {
                view.health = Some(Health {
                    ready: true,
                    state: "running",
                    restart_count: 0,
                    replicas_started: replicas,
                    reason: None,
                    last_exit_code: None,
                    last_termination_reason: None,
                    message: None,
                });
            }
        }
        (Phase::Failed, Some(failure)) => {
            // An image that was pulled but does not start crashes and is restarted (RevisionHealth:
            // CrashLoopBackOff, the exit code and the cause); one that cannot be pulled never starts.
            let crashed = failure.code == "PCC_UNKNOWN_ERROR";
            view.health = Some(Health {
                ready: false,
                state: "waiting",
                restart_count: if crashed { CRASH_RESTARTS } else { 0 },
                replicas_started: i64::from(crashed),
                reason: Some(if crashed { "CrashLoopBackOff" } else { "ImagePullBackOff" }),
                last_exit_code: crashed.then_some(1),
                last_termination_reason: crashed.then_some("Error"),
                message: Some(&failure.message),
            });
        }
        _ => {}
    }
    view
}

/// The agent as `getService`, `createService` and `updateService` answer it.
pub(super) fn details<'a>(agent: &'a Agent, organization: &'a str) -> Details<'a> {
    let desired = agent.desired();
    let ready = desired.is_some_and(|d| d.phase == Phase::Active);
    let config = desired.map(|d| &d.config);
    let previous = agent
        .draining
        .and_then(|id| agent.deployment(id))
        .or_else(|| desired.filter(|d| d.phase == Phase::Failed).and(agent.serving()));
    Details {
        name: &agent.name,
        region: &agent.region,
        ready,
        available: agent.serving().is_some(),
        created_at: Stamp(agent.created_at),
        updated_at: Stamp(agent.updated_at),
        desired_deployment_id: desired.map(|d| d.id),
        active_deployment_id: desired.map(|d| d.id),
        reconciled_deployment_id: agent.reconciled,
        active_deployment_ready: ready,
        auto_scaling: Replicas {
            min_replicas: config.map_or(0, |c| c.min_agents),
            max_replicas: config.map_or(MAX_AGENTS_LIMIT, |c| c.max_agents),
        },
        active_session_count: agent.active_sessions(),
        deployment: desired.map(|d| deployment(agent, d, organization)),
        agent_profile: config.map(|c| c.agent_profile.as_str()),
        krisp_viva: Krisp { audio_filter: config.and_then(|c| c.krisp_filter.as_deref()) },
        current_revision: desired.map(|d| revision(agent, d)),
        previous_revision: previous.map(|d| revision(agent, d)),
    }
}
