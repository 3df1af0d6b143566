//! The emulator's state as a value and as a file: what [`Emulator::snapshot`](crate::Emulator::snapshot)
//! returns and [`Emulator::restore`](crate::Emulator::restore) takes, what `--state FILE` keeps across
//! restarts, and what `GET`/`PUT /_emulator/snapshot` carry. It is a format of its own, apart from the
//! emulator's internals, so they can change without breaking a saved file or code that seeds a test.
//!
//! # The format
//!
//! One JSON object, camelCase, with `formatVersion` (today [`FORMAT_VERSION`]). A file without
//! `formatVersion` was written before files carried one; its shape is version 1's, and it is read as
//! version 1. A file of a later version is refused, naming both versions: a newer emulator wrote it.
//! The structs below are the format: each field is documented where it is declared, and a new field
//! comes with a new version (and a reader of the old one).
//!
//! - **Version 2** gives each idle instance its deployment and times (`idleInstances` of
//!   [`IdleInstance`]; version 1 kept only when each became idle, read as instances of the deployment
//!   that serves, kept five minutes from then), and adds `orphans`, the sessions of deleted agents.
//!
//! A snapshot holds secret values (they are what `--state` must keep); its `Debug` never shows them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::rules::Rules;

mod mapping;

pub(crate) use self::mapping::{restore, snapshot};

/// The format version this emulator writes, and the newest it reads.
pub const FORMAT_VERSION: u32 = 2;

/// Everything the emulator remembers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Snapshot {
    /// The format's version, [`FORMAT_VERSION`] when written by this emulator.
    pub format_version: u32,
    /// The one organization every key belongs to.
    pub organization_id: String,
    /// The organization's `defaultRegion`.
    pub default_region: String,
    /// Secret sets and image pull secrets, by name.
    pub secret_sets: BTreeMap<String, SecretSet>,
    /// Agents, by name.
    pub agents: BTreeMap<String, Agent>,
    /// Builds, oldest first.
    pub builds: Vec<Build>,
    /// Upload URLs handed out, by upload id.
    pub uploads: BTreeMap<Uuid, Upload>,
    /// Sessions that were running when their agent was deleted (version 2).
    #[serde(default)]
    pub orphans: Vec<OrphanedSession>,
    /// What fails on purpose.
    pub rules: Rules,
}

/// A session whose agent was deleted while it ran: it is still read and stopped by the agent's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OrphanedSession {
    /// The name the agent had.
    pub agent_name: String,
    /// The deleted agent's service id.
    pub service_id: Uuid,
    /// The session.
    pub session: Session,
}

/// An instance that runs no session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct IdleInstance {
    /// The deployment it runs.
    pub deployment_id: Uuid,
    /// When it can take a session.
    pub ready_at: DateTime<Utc>,
    /// When it is terminated unless a session takes it.
    pub expires_at: DateTime<Utc>,
}

/// Where a resource is in its current state: since when, and how often it was read there (the
/// progression `polls:N` counts reads).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Progress {
    /// When the current state began.
    pub since: DateTime<Utc>,
    /// Reads in the current state.
    pub polls: u32,
}

impl Progress {
    /// A state that began at `since`, not read yet.
    pub fn new(since: DateTime<Utc>) -> Self {
        Progress { since, polls: 0 }
    }
}

/// Whether a set holds secrets or registry credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum SetKind {
    /// `secret`: key-value secrets, the agent's environment.
    Secret,
    /// `imagePullSecret`: registry credentials.
    ImagePullSecret,
}

/// A set's provisioning status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum SetStatus {
    /// `pending`.
    Pending,
    /// `ready`.
    Ready,
    /// `failed`.
    Failed,
}

/// A secret set or image pull secret. Its `Debug` shows key names, never values.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SecretSet {
    /// Secrets or registry credentials.
    pub kind: SetKind,
    /// Its region.
    pub region: String,
    /// Its status.
    pub status: SetStatus,
    /// Since when it has that status.
    pub stage: Progress,
    /// Values by key; an image pull secret keeps its one value under `secretValue`.
    pub values: BTreeMap<String, String>,
    /// An image pull secret's registry, with a trailing `/`.
    pub host: Option<String>,
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

/// An agent: its deployments, sessions and log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Agent {
    /// The service id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// Its region.
    pub region: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Its deployments, oldest first; the last is the desired one.
    pub deployments: Vec<Deployment>,
    /// `reconciledDeploymentId`.
    pub reconciled: Option<Uuid>,
    /// The deployment being replaced, while it drains.
    pub draining: Option<Uuid>,
    /// Progress of the current rollout step.
    pub stage: Progress,
    /// Its sessions, oldest first.
    pub sessions: Vec<Session>,
    /// Its log, oldest first.
    pub logs: Vec<LogLine>,
    /// Its instances that run no session.
    #[serde(default)]
    pub idle_instances: Vec<IdleInstance>,
}

/// An agent's settings, as one deployment runs them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AgentConfig {
    /// The image, when deployed from one.
    pub image: Option<String>,
    /// The build, when deployed from one.
    pub build_id: Option<Uuid>,
    /// The secret set bound as environment.
    pub secret_set: Option<String>,
    /// The image pull secret bound for the registry.
    pub image_pull_secret_set: Option<String>,
    /// `minAgents`.
    pub min_agents: i64,
    /// `maxAgents`.
    pub max_agents: i64,
    /// `agentProfile`.
    pub agent_profile: String,
    /// Krisp VIVA's filter, `None` when off.
    pub krisp_filter: Option<String>,
    /// `maxSessionDuration` in seconds, `None` for the platform's default.
    pub max_session_duration: Option<i64>,
    /// `nodeType`.
    pub node_type: String,
}

/// A revision's phase, as the API spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Phase {
    /// `Creating`.
    Creating,
    /// `Validating`.
    Validating,
    /// `Active`.
    Active,
    /// `Draining`.
    Draining,
    /// `Failed`.
    Failed,
}

/// Why a deployment fails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeployFailure {
    /// The documented code, e.g. `PCC_IMAGE_NOT_FOUND`.
    pub code: String,
    /// What happened.
    pub message: String,
}

/// One deployment of an agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Deployment {
    /// Its id.
    pub id: Uuid,
    /// When it was asked for.
    pub created_at: DateTime<Utc>,
    /// What it runs.
    pub config: AgentConfig,
    /// Its revision's phase.
    pub phase: Phase,
    /// When the phase began.
    pub phase_started_at: DateTime<Utc>,
    /// Set when it is going to fail.
    pub failure: Option<DeployFailure>,
}

/// A session of an agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Session {
    /// Its id.
    pub id: Uuid,
    /// The deployment that serves it.
    pub deployment_id: Uuid,
    /// When it started.
    pub created_at: DateTime<Utc>,
    /// When it ended, `None` while active.
    pub ended_at: Option<DateTime<Utc>>,
    /// Whether a new instance was made for it.
    pub cold_start: bool,
    /// Seconds from the start request to the bot's start.
    pub bot_start_seconds: i64,
    /// How it ended.
    pub completion_status: Option<String>,
    /// Its cap in seconds.
    pub max_duration_seconds: i64,
    /// The transport asked for.
    pub transport: Option<String>,
}

impl Session {
    /// An active session of `deployment_id` with a new id, started at `created_at` on a warm instance,
    /// with the platform's default cap: for seeding a test's state.
    pub fn new(deployment_id: Uuid, created_at: DateTime<Utc>) -> Self {
        Session {
            id: crate::state::new_id(),
            deployment_id,
            created_at,
            ended_at: None,
            cold_start: false,
            bot_start_seconds: 1,
            completion_status: None,
            max_duration_seconds: 7200,
            transport: None,
        }
    }
}

/// One line of an agent's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LogLine {
    /// When it was logged.
    pub at: DateTime<Utc>,
    /// The deployment it comes from.
    pub deployment_id: Option<Uuid>,
    /// The session it belongs to.
    pub session_id: Option<Uuid>,
    /// The text.
    pub text: String,
}

impl LogLine {
    /// A line of `text` at `at`: for seeding a test's state.
    pub fn new(
        at: DateTime<Utc>,
        deployment_id: Option<Uuid>,
        session_id: Option<Uuid>,
        text: impl Into<String>,
    ) -> Self {
        LogLine { at, deployment_id, session_id, text: text.into() }
    }
}

/// A build's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum BuildStatus {
    /// `pending`.
    Pending,
    /// `building`.
    Building,
    /// `success`.
    Success,
    /// `failed`.
    Failed,
    /// `timeout`.
    Timeout,
}

/// A cloud build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Build {
    /// Its id.
    pub id: Uuid,
    /// Its status.
    pub status: BuildStatus,
    /// Progress of its current step.
    pub stage: Progress,
    /// Its region.
    pub region: String,
    /// The hash of its context.
    pub context_hash: String,
    /// The Dockerfile's path in the context.
    pub dockerfile_path: String,
    /// The context's size.
    pub context_size_bytes: u64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it started building.
    pub started_at: Option<DateTime<Utc>>,
    /// When it finished.
    pub completed_at: Option<DateTime<Utc>>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Set when it is going to fail.
    pub failure: Option<String>,
    /// Its log lines, oldest first.
    pub log: Vec<String>,
}

/// An upload URL handed out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Upload {
    /// The region the build must use.
    pub region: String,
    /// The form's signature field.
    pub signature: String,
    /// The object key the form names.
    pub key: String,
    /// When the URL stops working.
    pub expires_at: DateTime<Utc>,
    /// The archive, once uploaded: its hash and size.
    pub archive: Option<(String, u64)>,
    /// Every field the form must carry, by its exact name.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

/// A snapshot could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// Not JSON, or not the format's shape.
    #[error("not an emulator state: {0}")]
    Malformed(#[source] serde_json::Error),
    /// Written by a newer emulator.
    #[error(
        "written in state format {found}, by a newer emulator; this one reads format {FORMAT_VERSION} and older: \
         use the newer emulator, or start without this state"
    )]
    Newer {
        /// The file's version.
        found: u32,
    },
}

impl Snapshot {
    /// Reads a snapshot from JSON, of this format version or an older one.
    ///
    /// # Errors
    /// [`SnapshotError`] when `bytes` is not a snapshot, or one of a newer format.
    pub fn from_json(bytes: &[u8]) -> Result<Snapshot, SnapshotError> {
        let mut value: serde_json::Value = serde_json::from_slice(bytes).map_err(SnapshotError::Malformed)?;
        // Files written before versions carry none, and have version 1's shape.
        let found = match value.get("formatVersion") {
            None => 1,
            Some(version) => version
                .as_u64()
                .and_then(|v| u32::try_from(v).ok())
                .ok_or_else(|| SnapshotError::Malformed(serde::de::Error::custom("formatVersion is not a number")))?,
        };
        if found > FORMAT_VERSION {
            return Err(SnapshotError::Newer { found });
        }
        if found < 2 {
            upgrade_idle_instances_from_v1(&mut value);
        }
        if let Some(object) = value.as_object_mut() {
            object.insert("formatVersion".into(), serde_json::Value::from(FORMAT_VERSION));
        }
        serde_json::from_value(value).map_err(SnapshotError::Malformed)
    }

    /// The snapshot as JSON.
    pub fn to_json(&self) -> Vec<u8> {
        // Every field is a string, number, map with string keys or list: encoding cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// Version 1 kept, per agent, only when each idle instance became idle: version 2's instances of the
/// deployment that serves (the newest `Active` one), ready then and kept five minutes from then. An agent
/// with no serving deployment had no instance a start could take, and keeps none.
fn upgrade_idle_instances_from_v1(value: &mut serde_json::Value) {
    let keep = chrono::Duration::seconds(crate::handlers::IDLE_KEEP_SECONDS);
    let Some(agents) = value.get_mut("agents").and_then(serde_json::Value::as_object_mut) else { return };
    for agent in agents.values_mut() {
        let serving = agent
            .get("deployments")
            .and_then(serde_json::Value::as_array)
            .and_then(|deployments| {
                deployments.iter().rev().find(|d| d.get("phase").and_then(|p| p.as_str()) == Some("Active"))
            })
            .and_then(|d| d.get("id").cloned());
        let Some(times) = agent.get("idleInstances").and_then(serde_json::Value::as_array) else { continue };
        let upgraded: Vec<serde_json::Value> = match &serving {
            None => Vec::new(),
            Some(deployment) => times
                .iter()
                .filter_map(|time| serde_json::from_value::<DateTime<Utc>>(time.clone()).ok())
                .map(|at| serde_json::json!({"deploymentId": deployment, "readyAt": at, "expiresAt": at + keep}))
                .collect(),
        };
        agent["idleInstances"] = serde_json::Value::Array(upgraded);
    }
}
