//! Keep a Pipecat Cloud secret set equal to a given set of keys: add or replace the desired keys,
//! delete the keys that are no longer wanted, then wait until the set is `ready` to be used by agents.
//!
//! An example of a crate built on `pipecat-cloud` the way a user's would be. Secret values are sent to
//! the API and nowhere else: the report names keys only.
#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use pipecat_cloud::Client;
use pipecat_cloud::types::{GetSecretSetResponseStatus, RegularSecretsRequest, RegularSecretsRequestSecretsItem};

/// How a sync runs.
#[derive(Clone, Debug)]
pub struct SyncOptions {
    /// Region for a set that does not exist yet; `None` uses the organization's default.
    pub region: Option<String>,
    /// Pause between two status checks while the set provisions.
    pub poll_interval: Duration,
    /// How long to wait for the set to become `ready`.
    pub ready_timeout: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions { region: None, poll_interval: Duration::from_secs(2), ready_timeout: Duration::from_secs(120) }
    }
}

/// What a sync did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Keys added or replaced.
    pub upserted: Vec<String>,
    /// Keys deleted because they were not wanted.
    pub deleted: Vec<String>,
    /// Status checks made before the set was ready.
    pub status_checks: u32,
}

/// Why a sync failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Nothing to sync: the API needs at least one key in a set.
    #[error("no keys given; a secret set holds at least one key")]
    NoKeys,
    /// The API refused or failed a call.
    #[error(transparent)]
    Api(#[from] pipecat_cloud::Error),
    /// The set failed to provision.
    #[error("secret set {set} failed to provision: {message}")]
    Failed {
        /// The set.
        set: String,
        /// The API's reason.
        message: String,
    },
    /// The set was not ready in time.
    #[error("secret set {set} was not ready after {waited:?} (last status: {status})")]
    NotReady {
        /// The set.
        set: String,
        /// How long the sync waited.
        waited: Duration,
        /// The last status seen.
        status: String,
    },
}

/// Makes `set` hold exactly the keys of `desired` (with their values), then waits until it is ready.
pub async fn sync_secret_set(
    client: &Client,
    set: &str,
    desired: &BTreeMap<String, String>,
    options: &SyncOptions,
) -> Result<SyncReport, SyncError> {
    if desired.is_empty() {
        return Err(SyncError::NoKeys);
    }
    let secrets: Vec<_> =
        desired.iter().map(|(key, value)| RegularSecretsRequestSecretsItem::new(key, value)).collect();
    let mut body = RegularSecretsRequest::new(secrets);
    if let Some(region) = &options.region {
        body = body.region(region);
    }
    client.upsert_secret_set(set, body).await?;
    let mut report = SyncReport { upserted: desired.keys().cloned().collect(), ..SyncReport::default() };

    let current = client.get_secret_set(set).await?;
    for key in current.secrets.iter().filter_map(|k| k.field_name.as_deref()) {
        if !desired.contains_key(key) {
            client.delete_secret_from_set(set, key).await?;
            report.deleted.push(key.to_string());
        }
    }

    let started = Instant::now();
    loop {
        let state = client.get_secret_set(set).await?;
        report.status_checks += 1;
        match state.status {
            Some(GetSecretSetResponseStatus::Ready) => return Ok(report),
            Some(GetSecretSetResponseStatus::Failed) => {
                return Err(SyncError::Failed {
                    set: set.to_string(),
                    message: state.error_message.unwrap_or_else(|| "no reason given".to_string()),
                });
            }
            // Pending, a status this version does not know yet, or none: keep waiting.
            status => {
                let waited = started.elapsed();
                if waited >= options.ready_timeout {
                    let status = status.map(|s| s.to_string()).unwrap_or_else(|| "none".to_string());
                    return Err(SyncError::NotReady { set: set.to_string(), waited, status });
                }
                tokio::time::sleep(options.poll_interval).await;
            }
        }
    }
}

/// Reads `KEY=VALUE` lines; blank lines and lines starting with `#` are skipped.
pub fn parse_env_file(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut keys = BTreeMap::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(format!("line {}: expected KEY=VALUE", number + 1));
        };
        keys.insert(key.trim().to_string(), value.trim().to_string());
    }
    Ok(keys)
}
