//! The emulator's internals ([`crate::state`]) to the snapshot format and back: the one place that
//! knows both, so either can change while the other holds still.

use super::{
    Agent, AgentConfig, Build, BuildStatus, DeployFailure, Deployment, FORMAT_VERSION, IdleInstance, LogLine,
    OrphanedSession, Phase, Progress, SecretSet, Session, SetKind, SetStatus, Snapshot, Upload,
};
use crate::progression::Stage;
use crate::state;

impl From<Stage> for Progress {
    fn from(stage: Stage) -> Self {
        Progress { since: stage.since, polls: stage.polls }
    }
}

impl From<Progress> for Stage {
    fn from(progress: Progress) -> Self {
        Stage { since: progress.since, polls: progress.polls }
    }
}

/// Maps one enum to another variant by variant, both ways.
macro_rules! same_variants {
    ($inner:ty, $format:ty, [$($variant:ident),+]) => {
        impl From<$inner> for $format {
            fn from(value: $inner) -> Self {
                match value { $(<$inner>::$variant => <$format>::$variant),+ }
            }
        }
        impl From<$format> for $inner {
            fn from(value: $format) -> Self {
                match value { $(<$format>::$variant => <$inner>::$variant),+ }
            }
        }
    };
}

same_variants!(state::SetKind, SetKind, [Secret, ImagePullSecret]);
same_variants!(state::SetStatus, SetStatus, [Pending, Ready, Failed]);
same_variants!(state::Phase, Phase, [Creating, Validating, Active, Draining, Failed]);
same_variants!(state::BuildStatus, BuildStatus, [Pending, Building, Success, Failed, Timeout]);

/// The snapshot of `state`.
pub(crate) fn snapshot(state: &state::State) -> Snapshot {
    Snapshot {
        format_version: FORMAT_VERSION,
        organization_id: state.organization_id.clone(),
        default_region: state.default_region.clone(),
        secret_sets: state.secret_sets.iter().map(|(name, set)| (name.clone(), secret_set(set))).collect(),
        agents: state.agents.iter().map(|(name, agent)| (name.clone(), self::agent(agent))).collect(),
        builds: state.builds.iter().map(build).collect(),
        uploads: state.uploads.iter().map(|(id, upload)| (*id, self::upload(upload))).collect(),
        orphans: state
            .orphans
            .iter()
            .map(|o| OrphanedSession {
                agent_name: o.agent_name.clone(),
                service_id: o.service_id,
                session: session(&o.session),
            })
            .collect(),
        rules: state.rules.clone(),
    }
}

/// The state a snapshot describes.
pub(crate) fn restore(snapshot: Snapshot) -> state::State {
    state::State {
        organization_id: snapshot.organization_id,
        default_region: snapshot.default_region,
        secret_sets: snapshot.secret_sets.into_iter().map(|(name, set)| (name, restore_secret_set(set))).collect(),
        agents: snapshot.agents.into_iter().map(|(name, agent)| (name, restore_agent(agent))).collect(),
        builds: snapshot.builds.into_iter().map(restore_build).collect(),
        uploads: snapshot.uploads.into_iter().map(|(id, upload)| (id, restore_upload(upload))).collect(),
        orphans: snapshot
            .orphans
            .into_iter()
            .map(|o| state::Orphan {
                agent_name: o.agent_name,
                service_id: o.service_id,
                session: restore_session(o.session),
            })
            .collect(),
        rules: snapshot.rules,
    }
}

fn secret_set(set: &state::SecretSet) -> SecretSet {
    SecretSet {
        kind: set.kind.into(),
        region: set.region.clone(),
        status: set.status.into(),
        stage: set.stage.into(),
        values: set.values.clone(),
        host: set.host.clone(),
    }
}

fn restore_secret_set(set: SecretSet) -> state::SecretSet {
    state::SecretSet {
        kind: set.kind.into(),
        region: set.region,
        status: set.status.into(),
        stage: set.stage.into(),
        values: set.values,
        host: set.host,
    }
}

fn agent(agent: &state::Agent) -> Agent {
    Agent {
        id: agent.id,
        name: agent.name.clone(),
        region: agent.region.clone(),
        created_at: agent.created_at,
        updated_at: agent.updated_at,
        deployments: agent.deployments.iter().map(deployment).collect(),
        reconciled: agent.reconciled,
        draining: agent.draining,
        stage: agent.stage.into(),
        sessions: agent.sessions.iter().map(session).collect(),
        logs: agent.logs.iter().map(log_line).collect(),
        idle_instances: agent
            .idle_instances
            .iter()
            .map(|i| IdleInstance { deployment_id: i.deployment_id, ready_at: i.ready_at, expires_at: i.expires_at })
            .collect(),
    }
}

fn restore_agent(agent: Agent) -> state::Agent {
    state::Agent {
        id: agent.id,
        name: agent.name,
        region: agent.region,
        created_at: agent.created_at,
        updated_at: agent.updated_at,
        deployments: agent.deployments.into_iter().map(restore_deployment).collect(),
        reconciled: agent.reconciled,
        draining: agent.draining,
        stage: agent.stage.into(),
        sessions: agent.sessions.into_iter().map(restore_session).collect(),
        logs: agent.logs.into_iter().map(restore_log_line).collect(),
        idle_instances: agent
            .idle_instances
            .into_iter()
            .map(|i| state::IdleInstance {
                deployment_id: i.deployment_id,
                ready_at: i.ready_at,
                expires_at: i.expires_at,
            })
            .collect(),
    }
}

fn config(config: &state::AgentConfig) -> AgentConfig {
    AgentConfig {
        image: config.image.clone(),
        build_id: config.build_id,
        secret_set: config.secret_set.clone(),
        image_pull_secret_set: config.image_pull_secret_set.clone(),
        min_agents: config.min_agents,
        max_agents: config.max_agents,
        agent_profile: config.agent_profile.clone(),
        krisp_filter: config.krisp_filter.clone(),
        max_session_duration: config.max_session_duration,
        node_type: config.node_type.clone(),
    }
}

fn restore_config(config: AgentConfig) -> state::AgentConfig {
    state::AgentConfig {
        image: config.image,
        build_id: config.build_id,
        secret_set: config.secret_set,
        image_pull_secret_set: config.image_pull_secret_set,
        min_agents: config.min_agents,
        max_agents: config.max_agents,
        agent_profile: config.agent_profile,
        krisp_filter: config.krisp_filter,
        max_session_duration: config.max_session_duration,
        node_type: config.node_type,
    }
}

fn deployment(deployment: &state::Deployment) -> Deployment {
    Deployment {
        id: deployment.id,
        created_at: deployment.created_at,
        config: config(&deployment.config),
        phase: deployment.phase.into(),
        phase_started_at: deployment.phase_started_at,
        failure: deployment
            .failure
            .as_ref()
            .map(|failure| DeployFailure { code: failure.code.clone(), message: failure.message.clone() }),
    }
}

fn restore_deployment(deployment: Deployment) -> state::Deployment {
    state::Deployment {
        id: deployment.id,
        created_at: deployment.created_at,
        config: restore_config(deployment.config),
        phase: deployment.phase.into(),
        phase_started_at: deployment.phase_started_at,
        failure: deployment
            .failure
            .map(|failure| state::DeployFailure { code: failure.code, message: failure.message }),
    }
}

fn session(session: &state::Session) -> Session {
    Session {
        id: session.id,
        deployment_id: session.deployment_id,
        created_at: session.created_at,
        ended_at: session.ended_at,
        cold_start: session.cold_start,
        bot_start_seconds: session.bot_start_seconds,
        completion_status: session.completion_status.clone(),
        max_duration_seconds: session.max_duration_seconds,
        transport: session.transport.clone(),
    }
}

fn restore_session(session: Session) -> state::Session {
    state::Session {
        id: session.id,
        deployment_id: session.deployment_id,
        created_at: session.created_at,
        ended_at: session.ended_at,
        cold_start: session.cold_start,
        bot_start_seconds: session.bot_start_seconds,
        completion_status: session.completion_status,
        max_duration_seconds: session.max_duration_seconds,
        transport: session.transport,
    }
}

fn log_line(line: &state::LogLine) -> LogLine {
    LogLine { at: line.at, deployment_id: line.deployment_id, session_id: line.session_id, text: line.text.clone() }
}

fn restore_log_line(line: LogLine) -> state::LogLine {
    state::LogLine { at: line.at, deployment_id: line.deployment_id, session_id: line.session_id, text: line.text }
}

fn build(build: &state::Build) -> Build {
    Build {
        id: build.id,
        status: build.status.into(),
        stage: build.stage.into(),
        region: build.region.clone(),
        context_hash: build.context_hash.clone(),
        dockerfile_path: build.dockerfile_path.clone(),
        context_size_bytes: build.context_size_bytes,
        created_at: build.created_at,
        started_at: build.started_at,
        completed_at: build.completed_at,
        updated_at: build.updated_at,
        failure: build.failure.clone(),
        log: build.log.clone(),
    }
}

fn restore_build(build: Build) -> state::Build {
    state::Build {
        id: build.id,
        status: build.status.into(),
        stage: build.stage.into(),
        region: build.region,
        context_hash: build.context_hash,
        dockerfile_path: build.dockerfile_path,
        context_size_bytes: build.context_size_bytes,
        created_at: build.created_at,
        started_at: build.started_at,
        completed_at: build.completed_at,
        updated_at: build.updated_at,
        failure: build.failure,
        log: build.log,
    }
}

fn upload(upload: &state::Upload) -> Upload {
    Upload {
        region: upload.region.clone(),
        signature: upload.signature.clone(),
        key: upload.key.clone(),
        expires_at: upload.expires_at,
        archive: upload.archive.clone(),
        fields: upload.fields.clone(),
    }
}

fn restore_upload(upload: Upload) -> state::Upload {
    state::Upload {
        region: upload.region,
        signature: upload.signature,
        key: upload.key,
        expires_at: upload.expires_at,
        archive: upload.archive,
        fields: upload.fields,
    }
}
