//! What the emulator remembers: secret sets, agents with their deployments, sessions and logs, builds
//! and uploads, and the organization's properties. One value, behind one lock, so a request sees and
//! changes it whole (concurrent writers lose no update). Its internals are the emulator's own: what is
//! snapshotted, restored and kept in a file is [`crate::snapshot`]'s format, mapped in
//! `snapshot/mapping.rs`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::progression::Stage;
use crate::rules::Rules;

/// The regions the emulator offers, with their display names, as the API lists them.
pub(crate) const REGIONS: [(&str, &str); 4] = [
    ("us-west", "US West (Oregon)"),
    ("us-east", "US East (Virginia)"),
    ("eu-central", "Europe (Frankfurt)"),
    ("ap-south", "Asia Pacific (Mumbai)"),
];

/// True when `code` is a region the emulator offers.
pub(crate) fn is_region(code: &str) -> bool {
    REGIONS.iter().any(|(known, _)| *known == code)
}

/// Everything the emulator remembers.
#[derive(Debug, Clone)]
pub(crate) struct State {
    /// The one organization every key belongs to.
    pub(crate) organization_id: String,
    /// `defaultRegion`, the only organization property.
    pub(crate) default_region: String,
    /// Secret sets and image pull secrets, by name.
    pub(crate) secret_sets: BTreeMap<String, SecretSet>,
    /// Agents, by name.
    pub(crate) agents: BTreeMap<String, Agent>,
    /// Builds, oldest first.
    pub(crate) builds: Vec<Build>,
    /// Upload URLs handed out, by id.
    pub(crate) uploads: BTreeMap<Uuid, Upload>,
    /// Sessions that were running when their agent was deleted: they run on until stopped or ended
    /// (pipecat-cloud/fundamentals/active-sessions.mdx), oldest first.
    pub(crate) orphans: Vec<Orphan>,
    /// What fails on purpose.
    pub(crate) rules: Rules,
}

/// A session whose agent was deleted while it ran.
#[derive(Debug, Clone)]
pub(crate) struct Orphan {
    /// The name the agent had (its sessions are still addressed by it).
    pub(crate) agent_name: String,
    /// The deleted agent's service id.
    pub(crate) service_id: Uuid,
    /// The session.
    pub(crate) session: Session,
}

impl Default for State {
    fn default() -> Self {
        State {
            organization_id: "org-emulator".into(),
            default_region: "us-west".into(),
            secret_sets: BTreeMap::new(),
            agents: BTreeMap::new(),
            builds: Vec::new(),
            uploads: BTreeMap::new(),
            orphans: Vec::new(),
            rules: Rules::default(),
        }
    }
}

/// A fresh random (version 4) id.
pub(crate) fn new_id() -> Uuid {
    let mut bytes = [0u8; 16];
    bytes.iter_mut().for_each(|b| *b = fastrand::u8(..));
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// Whether a set holds environment secrets or registry credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetKind {
    /// Key-value secrets, exposed to the agent as environment variables.
    Secret,
    /// Registry credentials for pulling a private image.
    ImagePullSecret,
}

impl SetKind {
    /// As the API spells it in the list.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SetKind::Secret => "secret",
            SetKind::ImagePullSecret => "imagePullSecret",
        }
    }
}

/// Where a set is in its provisioning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetStatus {
    /// Stored, not yet in the region.
    Pending,
    /// In the region: can be bound to a deploy.
    Ready,
    /// Provisioning gave up.
    Failed,
}

impl SetStatus {
    /// As the API spells it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SetStatus::Pending => "pending",
            SetStatus::Ready => "ready",
            SetStatus::Failed => "failed",
        }
    }
}

/// A secret set or image pull secret. Its `Debug` shows key names, never values.
#[derive(Clone)]
pub(crate) struct SecretSet {
    /// Secrets or registry credentials.
    pub(crate) kind: SetKind,
    /// The region it lives in, fixed at creation.
    pub(crate) region: String,
    /// Its provisioning status.
    pub(crate) status: SetStatus,
    /// Since when it has this status.
    pub(crate) stage: Stage,
    /// The values by key (an image pull secret keeps its one value under `secretValue`). Never
    /// returned by the API, never journaled.
    pub(crate) values: BTreeMap<String, String>,
    /// An image pull secret's registry, with a trailing `/`.
    pub(crate) host: Option<String>,
}

impl std::fmt::Debug for SecretSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretSet")
            .field("kind", &self.kind)
            .field("region", &self.region)
            .field("status", &self.status)
            .field("keys", &self.values.keys().collect::<Vec<_>>())
            .field("host", &self.host)
            .finish_non_exhaustive()
    }
}

/// An agent's settings, as one deployment runs them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AgentConfig {
    /// The image, when deployed from one.
    pub(crate) image: Option<String>,
    /// The build, when deployed from one.
    pub(crate) build_id: Option<Uuid>,
    /// The secret set bound as environment.
    pub(crate) secret_set: Option<String>,
    /// The image pull secret bound for the registry.
    pub(crate) image_pull_secret_set: Option<String>,
    /// Warm instances.
    pub(crate) min_agents: i64,
    /// The cap on instances, and so on active sessions.
    pub(crate) max_agents: i64,
    /// The compute profile.
    pub(crate) agent_profile: String,
    /// Krisp VIVA's filter, `None` when off.
    pub(crate) krisp_filter: Option<String>,
    /// The session cap in seconds, `None` for the platform's default.
    pub(crate) max_session_duration: Option<i64>,
    /// The node type.
    pub(crate) node_type: String,
}

/// The platform's session cap when an agent sets none.
pub(crate) const DEFAULT_MAX_SESSION_SECONDS: i64 = 7200;

/// A revision's phase, as the spec's enum spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Being created.
    Creating,
    /// Its image is being pulled and checked.
    Validating,
    /// Serving.
    Active,
    /// Replaced, finishing its sessions.
    Draining,
    /// Never became ready.
    Failed,
}

impl Phase {
    /// As the API spells it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Phase::Creating => "Creating",
            Phase::Validating => "Validating",
            Phase::Active => "Active",
            Phase::Draining => "Draining",
            Phase::Failed => "Failed",
        }
    }
}

/// Why a deployment fails: one of the documented `PCC_IMAGE_*` codes and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DeployFailure {
    /// The documented code, e.g. `PCC_IMAGE_NOT_FOUND`.
    pub(crate) code: String,
    /// What happened, in the platform's words.
    pub(crate) message: String,
}

/// One deployment of an agent: what a create or update asked for.
#[derive(Debug, Clone)]
pub(crate) struct Deployment {
    /// Its id (`desiredDeploymentId` while it is the newest).
    pub(crate) id: Uuid,
    /// When it was asked for.
    pub(crate) created_at: DateTime<Utc>,
    /// The settings it runs.
    pub(crate) config: AgentConfig,
    /// Its revision's phase.
    pub(crate) phase: Phase,
    /// When the phase began.
    pub(crate) phase_started_at: DateTime<Utc>,
    /// Set when it is going to fail, decided when it was created.
    pub(crate) failure: Option<DeployFailure>,
}

/// An agent: its deployments, sessions and logs.
#[derive(Debug, Clone)]
pub(crate) struct Agent {
    /// The service id.
    pub(crate) id: Uuid,
    /// Its name.
    pub(crate) name: String,
    /// Its region, fixed at creation.
    pub(crate) region: String,
    /// When it was created.
    pub(crate) created_at: DateTime<Utc>,
    /// When it last changed.
    pub(crate) updated_at: DateTime<Utc>,
    /// Its deployments, oldest first; the last is the desired one.
    pub(crate) deployments: Vec<Deployment>,
    /// The deployment the operator has processed.
    pub(crate) reconciled: Option<Uuid>,
    /// The deployment being replaced, while it drains.
    pub(crate) draining: Option<Uuid>,
    /// Progress of the current rollout step.
    pub(crate) stage: Stage,
    /// Its sessions, oldest first.
    pub(crate) sessions: Vec<Session>,
    /// Its log, oldest first.
    pub(crate) logs: Vec<LogLine>,
    /// Instances that run no session: the free buffer each start brings up, and those sessions that
    /// ended by themselves gave back (a stopped session's instance is killed).
    pub(crate) idle_instances: Vec<IdleInstance>,
}

/// An instance of an agent that runs no session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IdleInstance {
    /// The deployment it runs.
    pub(crate) deployment_id: Uuid,
    /// When it can take a session (a buffer instance warms up first).
    pub(crate) ready_at: DateTime<Utc>,
    /// When it is terminated if no session takes it.
    pub(crate) expires_at: DateTime<Utc>,
}

impl Agent {
    /// The desired (newest) deployment.
    pub(crate) fn desired(&self) -> Option<&Deployment> {
        self.deployments.last()
    }

    /// The newest deployment that is serving.
    pub(crate) fn serving(&self) -> Option<&Deployment> {
        self.deployments.iter().rev().find(|d| d.phase == Phase::Active)
    }

    /// The deployment with id `id`.
    pub(crate) fn deployment(&self, id: Uuid) -> Option<&Deployment> {
        self.deployments.iter().find(|d| d.id == id)
    }

    /// Sessions still running.
    pub(crate) fn active_sessions(&self) -> usize {
        self.sessions.iter().filter(|s| s.ended_at.is_none()).count()
    }

    /// Adds a log line in time order (a step computed late is logged at the time it was due).
    pub(crate) fn log(
        &mut self,
        at: DateTime<Utc>,
        deployment_id: Option<Uuid>,
        session_id: Option<Uuid>,
        text: String,
    ) {
        let position = self.logs.partition_point(|line| line.at <= at);
        self.logs.insert(position, LogLine { at, deployment_id, session_id, text });
    }
}

/// A session of an agent.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    /// Its id.
    pub(crate) id: Uuid,
    /// The deployment that serves it.
    pub(crate) deployment_id: Uuid,
    /// When it was started.
    pub(crate) created_at: DateTime<Utc>,
    /// When it ended, `None` while active.
    pub(crate) ended_at: Option<DateTime<Utc>>,
    /// Whether a new instance had to be made for it.
    pub(crate) cold_start: bool,
    /// Seconds from the start request to the bot's start.
    pub(crate) bot_start_seconds: i64,
    /// How it ended.
    pub(crate) completion_status: Option<String>,
    /// Its cap in seconds, fixed when it started.
    pub(crate) max_duration_seconds: i64,
    /// The transport asked for.
    pub(crate) transport: Option<String>,
}

/// One line of an agent's log.
#[derive(Debug, Clone)]
pub(crate) struct LogLine {
    /// When it was logged.
    pub(crate) at: DateTime<Utc>,
    /// The deployment it comes from.
    pub(crate) deployment_id: Option<Uuid>,
    /// The session it belongs to, for bot lines.
    pub(crate) session_id: Option<Uuid>,
    /// The text.
    pub(crate) text: String,
}

/// Where a build is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BuildStatus {
    /// Created, not started.
    Pending,
    /// Running.
    Building,
    /// Done, with an image.
    Success,
    /// Done, with an error.
    Failed,
    /// Ran past the time limit.
    Timeout,
}

impl BuildStatus {
    /// As the API spells it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            BuildStatus::Pending => "pending",
            BuildStatus::Building => "building",
            BuildStatus::Success => "success",
            BuildStatus::Failed => "failed",
            BuildStatus::Timeout => "timeout",
        }
    }

    /// True for `success`, `failed` and `timeout`.
    pub(crate) fn is_final(self) -> bool {
        matches!(self, BuildStatus::Success | BuildStatus::Failed | BuildStatus::Timeout)
    }
}

/// A cloud build.
#[derive(Debug, Clone)]
pub(crate) struct Build {
    /// Its id.
    pub(crate) id: Uuid,
    /// Its status.
    pub(crate) status: BuildStatus,
    /// Progress of the current step.
    pub(crate) stage: Stage,
    /// Its region.
    pub(crate) region: String,
    /// The hash of the uploaded context.
    pub(crate) context_hash: String,
    /// The Dockerfile's path in the context.
    pub(crate) dockerfile_path: String,
    /// The context's size.
    pub(crate) context_size_bytes: u64,
    /// When it was created.
    pub(crate) created_at: DateTime<Utc>,
    /// When it started building.
    pub(crate) started_at: Option<DateTime<Utc>>,
    /// When it finished.
    pub(crate) completed_at: Option<DateTime<Utc>>,
    /// When it last changed.
    pub(crate) updated_at: DateTime<Utc>,
    /// Set when the build is going to fail, decided when it was created.
    pub(crate) failure: Option<String>,
    /// Its log lines, oldest first.
    pub(crate) log: Vec<String>,
}

/// An upload URL handed out by `getBuildUploadUrl`.
#[derive(Debug, Clone)]
pub(crate) struct Upload {
    /// The region the build must use.
    pub(crate) region: String,
    /// The form's signature field; the upload is refused without it.
    pub(crate) signature: String,
    /// The object key the form names.
    pub(crate) key: String,
    /// When the URL stops working.
    pub(crate) expires_at: DateTime<Utc>,
    /// The archive, once uploaded: its hash and size.
    pub(crate) archive: Option<(String, u64)>,
    /// Every field the form must carry, by its exact name.
    pub(crate) fields: BTreeMap<String, String>,
}
