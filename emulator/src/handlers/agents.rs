//! Agents, their deployments and revisions (pipecat-cloud/fundamentals/deploy.mdx, scaling.mdx).
//!
//! A create, or an update that changes what runs, makes a new deployment: `desiredDeploymentId`. Its
//! revision goes `Creating` → `Validating` → `Active`, one step at a time (see `progression.rs`); when
//! it is `Active`, `reconciledDeploymentId` catches up, the agent is `ready`, and the deployment it
//! replaced shows as `previousRevision` in `Draining` for one more step. An image a rule fails (or an
//! image pull secret that is not base64) ends `Failed` at validation, with the documented `PCC_IMAGE_*`
//! code in its health message; it is reconciled all the same, `ready` stays false, and the previous
//! deployment keeps serving (`available` while one does). A change to scaling alone, or the image
//! already deployed, is no new deployment, unless `forceRedeploy`. Deleting an agent leaves its running
//! sessions running.

use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::agent_views::{deployment as deployment_view, details};
use super::{Answer, Call};
use crate::clock::timestamp;
use crate::progression::{Progression, Stage};
use crate::reply::{Reply, bad_request, error, not_found};
use crate::rules::failure;
use crate::state::{
    Agent, AgentConfig, DeployFailure, Deployment, Phase, SetKind, SetStatus, State, is_region, new_id,
};

/// The most instances a deployment may have.
pub(crate) const MAX_AGENTS_LIMIT: i64 = 50;

/// Takes every rollout step of agent `name` that is due.
pub(super) fn settle(state: &mut State, name: &str, progression: Progression, now: DateTime<Utc>) {
    let Some(agent) = state.agents.get_mut(name) else { return };
    loop {
        let Some(desired) = agent.deployments.last() else { return };
        let (id, phase, failure) = (desired.id, desired.phase, desired.failure.clone());
        let next = match phase {
            Phase::Creating => Phase::Validating,
            Phase::Validating if failure.is_some() => Phase::Failed,
            Phase::Validating => Phase::Active,
            Phase::Active if agent.draining.is_some() => Phase::Active,
            Phase::Active | Phase::Failed | Phase::Draining => return,
        };
        if !agent.stage.step(progression, now) {
            return;
        }
        let at = agent.stage.since;
        if phase == Phase::Active {
            // The replaced deployment has drained.
            if let Some(old) = agent.draining.take() {
                agent.deployments.retain(|d| d.id != old || d.phase != Phase::Draining);
                agent.log(at, Some(old), None, format!("deployment {old} drained and stopped"));
            }
            continue;
        }
        if let Some(desired) = agent.deployments.last_mut() {
            desired.phase = next;
            desired.phase_started_at = at;
        }
        match (next, failure) {
            (Phase::Failed, Some(DeployFailure { message, .. })) => {
                // The operator has processed it: a failed deployment is reconciled too, which is what
                // the official client's deploy wait waits for before it reads `ready` (pipecatcloud
                // 1.4.0, `_utils/deploy_utils.py`). The deployment before it keeps serving.
                agent.reconciled = Some(id);
                agent.updated_at = at;
                agent.log(at, Some(id), None, format!("deployment {id} failed: {message}"));
            }
            (Phase::Active, _) => {
                let replaced = agent.deployments.iter_mut().rev().skip(1).find(|d| d.phase == Phase::Active).map(|d| {
                    d.phase = Phase::Draining;
                    d.phase_started_at = at;
                    d.id
                });
                // Only the desired deployment and the one draining are kept: older ones are gone.
                agent.deployments.retain(|d| d.id == id || Some(d.id) == replaced);
                agent.draining = replaced;
                agent.reconciled = Some(id);
                super::sessions::replace_idle_instances(agent, id, at);
                agent.updated_at = at;
                agent.log(at, Some(id), None, format!("deployment {id} is active and ready"));
            }
            (phase, _) => agent.log(at, Some(id), None, format!("deployment {id}: {}", phase.as_str())),
        }
    }
}

/// `listServices`' query.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListQuery {
    include_active_deployment: Option<bool>,
    region: Option<String>,
}

/// What a create or update asks for (the two bodies share their fields; only a create names the agent
/// and its region, only an update forces a new deployment).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeployRequest {
    service_name: Option<String>,
    region: Option<String>,
    image: Option<String>,
    build_id: Option<String>,
    secret_set: Option<String>,
    image_pull_secret_set: Option<String>,
    auto_scaling: Option<Scaling>,
    agent_profile: Option<String>,
    krisp_viva: Option<KrispRequest>,
    max_session_duration: Option<i64>,
    node_type: Option<String>,
    force_redeploy: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Scaling {
    min_agents: Option<i64>,
    max_agents: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KrispRequest {
    /// `null` turns the filter off; absent leaves it as it is.
    #[serde(default, deserialize_with = "super::present")]
    audio_filter: Option<Option<String>>,
}

pub(super) fn list(state: &mut State, call: &Call<'_>) -> Answer {
    let query: ListQuery = call.query_as()?;
    let with_deployment = query.include_active_deployment == Some(true);
    let services: Vec<Value> = state
        .agents
        .values()
        .filter(|agent| query.region.as_ref().is_none_or(|region| &agent.region == region))
        .map(|agent| {
            let desired = agent.desired().map(|d| d.id.to_string());
            let mut item = json!({
                "id": agent.id.to_string(),
                "name": agent.name,
                "region": agent.region,
                "desiredDeploymentId": desired,
                "activeDeploymentId": desired,
                "organizationId": state.organization_id,
                "createdAt": timestamp(agent.created_at),
                "updatedAt": timestamp(agent.updated_at),
                "deletedAt": null,
            });
            if let Some(reconciled) = agent.reconciled {
                item["reconciledDeploymentId"] = json!(reconciled.to_string());
            }
            if with_deployment && let Some(deployment) = agent.desired() {
                item["deployment"] = serde_json::to_value(deployment_view(agent, deployment, &state.organization_id))
                    .unwrap_or(Value::Null);
            }
            item
        })
        .collect();
    Ok(Reply::json(200, json!({"services": services})))
}

pub(super) fn get(state: &mut State, call: &Call<'_>) -> Answer {
    let name = call.param("agentName");
    let agent = state.agents.get_mut(name).ok_or_else(|| not_found("Not found"))?;
    agent.stage.poll();
    settle(state, name, call.settings.progression, call.now);
    let agent = state.agents.get(name).ok_or_else(|| not_found("Not found"))?;
    Ok(Reply::encoded(200, &details(agent, &state.organization_id)))
}

pub(super) fn delete(state: &mut State, call: &Call<'_>) -> Answer {
    let agent = state.agents.remove(call.param("agentName")).ok_or_else(|| not_found("Not found"))?;
    // Deleting an agent "will not stop any active sessions" (fundamentals/active-sessions.mdx).
    super::sessions::keep_running_sessions(&mut state.orphans, &agent);
    Ok(Reply::ok())
}

pub(super) fn create(state: &mut State, call: &Call<'_>) -> Answer {
    let request: DeployRequest = call.body_as()?;
    let name = request.service_name.clone().ok_or_else(|| bad_request("serviceName is required"))?;
    if state.agents.contains_key(&name) {
        return Err(bad_request("Service already exists"));
    }
    let region = request.region.clone().unwrap_or_else(|| state.default_region.clone());
    if !is_region(&region) {
        return Err(bad_request("Invalid region or organization does not have access"));
    }
    let config = configure(state, &request, None, &region)?;
    if config.image.is_none() && config.build_id.is_none() {
        return Err(bad_request("Either image or buildId is required for service creation"));
    }
    let now = call.now;
    let mut agent = Agent {
        id: new_id(),
        name: name.clone(),
        region,
        created_at: now,
        updated_at: now,
        deployments: Vec::new(),
        reconciled: None,
        draining: None,
        stage: Stage::new(now),
        sessions: Vec::new(),
        logs: Vec::new(),
        idle_instances: Vec::new(),
    };
    deploy(state, &mut agent, config, now);
    state.agents.insert(name.clone(), agent);
    settle(state, &name, call.settings.progression, now);
    let agent = state.agents.get(&name).ok_or_else(|| not_found("Service not found"))?;
    Ok(Reply::encoded(200, &details(agent, &state.organization_id)))
}

pub(super) fn update(state: &mut State, call: &Call<'_>) -> Answer {
    let request: DeployRequest = call.body_as()?;
    let name = call.param("agentName").to_string();
    let agent = state.agents.get(&name).ok_or_else(|| not_found("Service not found"))?;
    let (region, current) = (agent.region.clone(), agent.desired().map(|d| d.config.clone()));
    let config = configure(state, &request, current.as_ref(), &region)?;
    let force = request.force_redeploy == Some(true);
    let mut agent = state.agents.remove(&name).ok_or_else(|| not_found("Service not found"))?;
    let changed = current.as_ref().is_none_or(|current| runs_differently(current, &config));
    if changed || force {
        deploy(state, &mut agent, config, call.now);
    } else {
        // Scaling alone is no new version: it applies to every deployment kept, the serving one too
        // (whose cap a start is held to).
        for deployment in &mut agent.deployments {
            deployment.config.min_agents = config.min_agents;
            deployment.config.max_agents = config.max_agents;
        }
        agent.updated_at = call.now;
    }
    state.agents.insert(name.clone(), agent);
    settle(state, &name, call.settings.progression, call.now);
    let agent = state.agents.get(&name).ok_or_else(|| not_found("Service not found"))?;
    Ok(Reply::encoded(200, &details(agent, &state.organization_id)))
}

/// True when `next` runs something other than `current` (a new version), not only other scaling.
fn runs_differently(current: &AgentConfig, next: &AgentConfig) -> bool {
    let scaled = AgentConfig { min_agents: current.min_agents, max_agents: current.max_agents, ..next.clone() };
    &scaled != current
}

/// Adds a new deployment of `config` to `agent`, failing at validation when a rule or the image pull
/// secret says so.
fn deploy(state: &State, agent: &mut Agent, config: AgentConfig, now: DateTime<Utc>) {
    let image =
        config.image.clone().or_else(|| config.build_id.and_then(|id| image_of_build(state, id))).unwrap_or_default();
    let failure = state.rules.image_failure(&image).or_else(|| pull_secret_failure(state, &config, &image));
    // A deployment still draining from the last rollout stops now: the new one replaces what serves.
    if let Some(old) = agent.draining.take() {
        agent.deployments.retain(|d| d.id != old);
        agent.log(now, Some(old), None, format!("deployment {old} drained and stopped"));
    }
    let id = new_id();
    agent.log(now, Some(id), None, format!("deployment {id} created: {image}"));
    agent.deployments.push(Deployment {
        id,
        created_at: now,
        config,
        phase: Phase::Creating,
        phase_started_at: now,
        failure,
    });
    agent.stage = Stage::new(now);
    agent.updated_at = now;
}

fn image_of_build(state: &State, id: uuid::Uuid) -> Option<String> {
    state.builds.iter().find(|b| b.id == id).map(|b| super::builds::image_uri(state, b))
}

/// An image pull secret whose value is not base64 of `user:token` fails the pull, as documented.
fn pull_secret_failure(state: &State, config: &AgentConfig, image: &str) -> Option<DeployFailure> {
    let set = state.secret_sets.get(config.image_pull_secret_set.as_deref()?)?;
    let value = set.values.get("secretValue")?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(value).ok();
    let valid = decoded.as_deref().and_then(|d| std::str::from_utf8(d).ok()).is_some_and(|d| d.contains(':'));
    if valid {
        return None;
    }
    let mut failure = failure("PCC_IMAGE_PULL_UNAUTHORIZED", image);
    failure.message.push_str(": unable to decode auth field: illegal base64 data");
    Some(failure)
}

/// The settings a create or update asks for, on top of `current`, checked against the state: the
/// secret sets and the build must exist, be in the agent's region and be ready.
fn configure(
    state: &State,
    request: &DeployRequest,
    current: Option<&AgentConfig>,
    region: &str,
) -> Result<AgentConfig, Reply> {
    let creating = current.is_none();
    let mut config = current.cloned().unwrap_or(AgentConfig {
        image: None,
        build_id: None,
        secret_set: None,
        image_pull_secret_set: None,
        min_agents: 0,
        max_agents: MAX_AGENTS_LIMIT,
        agent_profile: "agent-1x".into(),
        krisp_filter: None,
        max_session_duration: None,
        node_type: "arm".into(),
    });
    if request.image.is_some() && request.build_id.is_some() {
        return Err(bad_request("Cannot specify both image and buildId. Use one or the other."));
    }
    if let Some(image) = &request.image {
        config.image = Some(image.clone());
        config.build_id = None;
    }
    if let Some(build) = &request.build_id {
        let id = build.parse().map_err(|_| bad_request("Build not found"))?;
        let found = state.builds.iter().find(|b| b.id == id).ok_or_else(|| bad_request("Build not found"))?;
        if found.region != region {
            return Err(bad_request(format!(
                "Build is in region '{}' but service is in region '{region}'. Builds must be in the same region as the service.",
                found.region
            )));
        }
        if found.status != crate::state::BuildStatus::Success {
            return Err(bad_request(format!(
                "Build is not ready (status: {}). Only successful builds can be deployed.",
                found.status.as_str()
            )));
        }
        config.build_id = Some(id);
        config.image = None;
    }
    let verb = if creating { "will be created" } else { "is" };
    if let Some(set) = &request.secret_set {
        check_set(state, set, SetKind::Secret, region, verb)?;
        config.secret_set = Some(set.clone());
    }
    if let Some(set) = &request.image_pull_secret_set {
        check_set(state, set, SetKind::ImagePullSecret, region, verb)?;
        config.image_pull_secret_set = Some(set.clone());
    }
    if let Some(scaling) = &request.auto_scaling {
        config.min_agents = scaling.min_agents.unwrap_or(config.min_agents);
        config.max_agents = scaling.max_agents.unwrap_or(config.max_agents);
    }
    if !(1..=MAX_AGENTS_LIMIT).contains(&config.max_agents) {
        return Err(bad_request(format!("autoScaling.maxAgents must be between 1 and {MAX_AGENTS_LIMIT}")));
    }
    if config.min_agents < 0 || config.min_agents > config.max_agents {
        return Err(bad_request("autoScaling.minAgents must be between 0 and maxAgents"));
    }
    if let Some(profile) = &request.agent_profile {
        config.agent_profile = profile.clone();
    }
    if let Some(filter) = request.krisp_viva.as_ref().and_then(|krisp| krisp.audio_filter.clone()) {
        config.krisp_filter = filter;
    }
    if let Some(seconds) = request.max_session_duration {
        config.max_session_duration = Some(seconds);
    }
    if let Some(node_type) = &request.node_type {
        if node_type != "arm" {
            return Err(bad_request("nodeType must be 'arm', the only node type offered"));
        }
        config.node_type = node_type.clone();
    }
    Ok(config)
}

/// A set bound by a deploy: it exists (404), is in the agent's region (400) and is ready (409).
fn check_set(state: &State, name: &str, kind: SetKind, region: &str, verb: &str) -> Result<(), Reply> {
    let set =
        state.secret_sets.get(name).filter(|s| s.kind == kind).ok_or_else(|| not_found("Secret set not found"))?;
    if set.region != region {
        let (label, plural) = match kind {
            SetKind::Secret => ("Secret set", "Secrets"),
            SetKind::ImagePullSecret => ("Image pull secret set", "Image pull secrets"),
        };
        return Err(bad_request(format!(
            "{label} '{name}' is in region '{}' but service {verb} in region '{region}'. {plural} must be in the same region as the service.",
            set.region
        )));
    }
    if set.status != SetStatus::Ready {
        return Err(error(
            409,
            "CONFLICT",
            format!("Secret set '{name}' is not yet ready. Retry once it has been provisioned."),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaling_alone_is_no_new_version_but_an_image_is() {
        let base = AgentConfig {
            image: Some("a:1".into()),
            build_id: None,
            secret_set: None,
            image_pull_secret_set: None,
            min_agents: 0,
            max_agents: 5,
            agent_profile: "agent-1x".into(),
            krisp_filter: None,
            max_session_duration: None,
            node_type: "arm".into(),
        };
        let scaled = AgentConfig { max_agents: 9, min_agents: 1, ..base.clone() };
        assert!(!runs_differently(&base, &scaled));
        let new_image = AgentConfig { image: Some("a:2".into()), ..base.clone() };
        assert!(runs_differently(&base, &new_image));
    }
}
