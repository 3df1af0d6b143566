//! Waiting for the API to finish what it does in the background: a secret set being provisioned, an
//! agent rolling out a deployment, a build. Each wait polls at an interval until the resource is done,
//! fails fast when the API reports a failure, rides out what a retry may fix (5xx, 408, 429, broken
//! connections) and stops on any other error, and gives up after a timeout. A progress callback sees
//! every poll (for a spinner or a log line).
//!
//! ```no_run
//! # async fn example(client: &pipecat_cloud::Client) -> Result<(), pipecat_cloud::wait::WaitError> {
//! use std::time::Duration;
//! use pipecat_cloud::wait::WaitOptions;
//!
//! let options = WaitOptions::default()
//!     .timeout(Duration::from_secs(300))
//!     .on_progress(|p| eprintln!("{}: {} ({:?} so far)", p.resource, p.phase, p.waited));
//! let agent = client.wait_until_agent_ready("voice-bot", None, &options).await?;
//! # let _ = agent; Ok(()) }
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::Client;
use crate::error::Error;
use crate::types::{
    BuildStatus, GetBuildResponse, GetSecretSetResponse, GetSecretSetResponseStatus, RevisionInfoPhase,
    SecretSetSummary, SecretSetSummaryStatus, ServiceDetailsResponse,
};
use uuid::Uuid;

/// A progress callback.
type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// How a wait polls. Default: every 2 s, for at most 10 minutes, no progress callback.
#[derive(Clone)]
#[non_exhaustive]
pub struct WaitOptions {
    /// Time between two polls (the first, when the interval grows: see [`WaitOptions::growing_to`]).
    pub interval: Duration,
    /// Longest time to wait before [`WaitError::TimedOut`].
    pub timeout: Duration,
    /// The longest the interval grows to; `None` for a steady interval.
    pub growing_to: Option<Duration>,
    progress: Option<ProgressFn>,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            interval: Duration::from_secs(2),
            timeout: Duration::from_secs(600),
            growing_to: None,
            progress: None,
        }
    }
}

/// Polls at the first interval before it starts to grow: a rollout of a few seconds is seen step by
/// step; a long one is polled less often.
const POLLS_BEFORE_GROWING: u32 = 10;

impl fmt::Debug for WaitOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitOptions")
            .field("interval", &self.interval)
            .field("timeout", &self.timeout)
            .field("growing_to", &self.growing_to)
            .field("on_progress", &self.progress.is_some())
            .finish()
    }
}

impl WaitOptions {
    /// Time between two polls.
    #[must_use]
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Longest time to wait.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// After ten polls at [`WaitOptions::interval`], the interval grows by half each poll up to `max`:
    /// short waits are seen at once, long ones cost fewer requests.
    #[must_use]
    pub fn growing_to(mut self, max: Duration) -> Self {
        self.growing_to = Some(max);
        self
    }

    /// The time to sleep after poll `polls` (1 for the first).
    fn interval_after(&self, polls: u32) -> Duration {
        let Some(max) = self.growing_to.filter(|max| *max > self.interval) else { return self.interval };
        let grown = polls.saturating_sub(POLLS_BEFORE_GROWING);
        let mut interval = self.interval;
        for _ in 0..grown {
            interval = interval.mul_f64(1.5);
            if interval >= max {
                return max;
            }
        }
        interval
    }

    /// Called after every poll with what it saw.
    #[must_use]
    pub fn on_progress(mut self, progress: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }
}

/// What one poll saw.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Progress {
    /// What is waited for, e.g. `secret set voice-bot-secrets`.
    pub resource: String,
    /// The phase the API reported, e.g. `pending`, or why the poll failed and is retried.
    pub phase: String,
    /// Polls so far, this one included.
    pub polls: u32,
    /// Time since the wait started.
    pub waited: Duration,
}

/// Why a wait ended without the resource being ready.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WaitError {
    /// The API reported that the work failed.
    #[error("{resource} failed: {reason}")]
    #[non_exhaustive]
    Failed {
        /// What was waited for.
        resource: String,
        /// What the API said.
        reason: String,
    },
    /// The timeout passed first.
    #[error("{resource} was not ready after {waited:?} (last seen: {last_phase})")]
    #[non_exhaustive]
    TimedOut {
        /// What was waited for.
        resource: String,
        /// How long the wait lasted.
        waited: Duration,
        /// The last phase the API reported.
        last_phase: String,
    },
    /// A poll failed in a way a retry cannot fix (a 404, a refused key...).
    #[error(transparent)]
    Api(#[from] Error),
}

/// What a secret set's status means for a wait, read by [`getSecretSet`] or from the list of sets:
/// `ready` ends it, `failed` fails it with the API's reason, anything else (or nothing yet) waits on.
///
/// [`getSecretSet`]: Client::get_secret_set
fn secret_set_poll<T>(status: Option<String>, reason: Option<String>, set: T) -> Poll<T> {
    match status.as_deref() {
        Some("ready") => Poll::Done(set),
        Some("failed") => Poll::Failed(reason.unwrap_or_else(|| "no reason given".into())),
        Some(other) => Poll::Pending(other.to_string()),
        None => Poll::Pending("no status yet".into()),
    }
}

/// What one poll decided.
enum Poll<T> {
    Done(T),
    Pending(String),
    Failed(String),
}

impl Client {
    /// Waits until secret set `name` is `ready` (a deploy against a pending set is refused with 409).
    ///
    /// # Errors
    /// [`WaitError::Failed`] when the set's status is `failed`, [`WaitError::TimedOut`], or
    /// [`WaitError::Api`] for an error a retry cannot fix.
    pub async fn wait_until_secret_set_ready(
        &self,
        name: &str,
        options: &WaitOptions,
    ) -> Result<GetSecretSetResponse, WaitError> {
        let resource = format!("secret set {name}");
        poll_until(&resource, options, || async {
            let set = self.get_secret_set(name).send().await?;
            let status = set.status.as_ref().map(GetSecretSetResponseStatus::as_str).map(str::to_string);
            let reason = set.error_message.clone();
            Ok(secret_set_poll(status, reason, set))
        })
        .await
    }

    /// Waits until image pull secret set `name` is `ready`. The API refuses to read an image pull
    /// secret by name (`getSecretSet` answers 400 "Cannot retrieve image pull secrets by name"), so this
    /// wait reads the list of sets (`listSecretSets`), which reports the status of both kinds.
    ///
    /// # Errors
    /// [`WaitError::Failed`] when the set's status is `failed`, [`WaitError::TimedOut`] (also while the
    /// list does not show the set yet), or [`WaitError::Api`] for an error a retry cannot fix.
    pub async fn wait_until_image_pull_secret_ready(
        &self,
        name: &str,
        options: &WaitOptions,
    ) -> Result<SecretSetSummary, WaitError> {
        let resource = format!("image pull secret set {name}");
        poll_until(&resource, options, || async {
            let listed = self.list_secret_sets().send().await?;
            let Some(set) = listed.sets.into_iter().find(|set| set.name.as_deref() == Some(name)) else {
                return Ok(Poll::Pending("not listed yet".into()));
            };
            let status = set.status.as_ref().map(SecretSetSummaryStatus::as_str).map(str::to_string);
            let reason = set.error_message.clone();
            Ok(secret_set_poll(status, reason, set))
        })
        .await
    }

    /// Waits until agent `name` runs `deployment` (the id a create or update answered with, as
    /// `desiredDeploymentId`) and is ready: its `reconciledDeploymentId` equals that id and `ready` is
    /// true. Without a `deployment`, the agent's own `desiredDeploymentId` is the target. A revision of
    /// that deployment in phase `failed` ends the wait at once, with the reason the API gives.
    ///
    /// # Errors
    /// [`WaitError::Failed`], [`WaitError::TimedOut`], or [`WaitError::Api`] for an error a retry
    /// cannot fix.
    pub async fn wait_until_agent_ready(
        &self,
        name: &str,
        deployment: Option<&str>,
        options: &WaitOptions,
    ) -> Result<ServiceDetailsResponse, WaitError> {
        let resource = format!("agent {name}");
        poll_until(&resource, options, || async {
            let agent = self.get_service(name).send().await?;
            let target = deployment.map(str::to_string).or_else(|| agent.desired_deployment_id.clone());
            if let Some(revision) = &agent.current_revision
                // `Failed` as the spec spells it; a server that says `failed` means the same.
                && revision.phase.as_ref().is_some_and(|p| *p == RevisionInfoPhase::Failed || p.as_str().eq_ignore_ascii_case("failed"))
                && (target.is_none() || revision.deployment_id == target)
            {
                let health = revision.health.as_ref();
                let reason = health
                    .and_then(|h| h.message.clone().or_else(|| h.reason.clone()))
                    .or_else(|| health.and_then(|h| h.last_termination_reason.clone()))
                    .unwrap_or_else(|| "the revision failed; see the agent's logs".into());
                return Ok(Poll::Failed(reason));
            }
            let reconciled = target.is_some() && agent.reconciled_deployment_id == target;
            Ok(match (reconciled, agent.ready) {
                (true, Some(true)) => Poll::Done(agent),
                (true, _) => Poll::Pending("deployed, not ready yet".into()),
                (false, _) => Poll::Pending(
                    agent
                        .current_revision
                        .as_ref()
                        .and_then(|r| r.phase.as_ref())
                        .map_or_else(|| "rolling out".to_string(), |p| format!("rolling out ({p})")),
                ),
            })
        })
        .await
    }

    /// Waits until build `id` has finished: `success` returns it; `failed` or `timeout` end the wait with
    /// the build's error message.
    ///
    /// # Errors
    /// [`WaitError::Failed`], [`WaitError::TimedOut`], or [`WaitError::Api`] for an error a retry
    /// cannot fix.
    pub async fn wait_for_build(&self, id: Uuid, options: &WaitOptions) -> Result<GetBuildResponse, WaitError> {
        let resource = format!("build {id}");
        poll_until(&resource, options, || async {
            let answer = self.get_build(id).send().await?;
            let status = answer.build.as_ref().and_then(|b| b.status.clone());
            let message = answer.build.as_ref().and_then(|b| b.error_message.clone());
            Ok(match status {
                Some(BuildStatus::Success) => Poll::Done(answer),
                Some(status @ (BuildStatus::Failed | BuildStatus::Timeout)) => {
                    Poll::Failed(message.unwrap_or_else(|| format!("the build ended with status {status}")))
                }
                Some(other) => Poll::Pending(other.to_string()),
                None => Poll::Pending("no status yet".into()),
            })
        })
        .await
    }
}

/// Polls `poll` until it is done, fails, fails in a way a retry cannot fix, or the timeout passes.
async fn poll_until<T, F, Fut>(resource: &str, options: &WaitOptions, mut poll: F) -> Result<T, WaitError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Poll<T>, Error>>,
{
    let started = Instant::now();
    let mut polls = 0;
    loop {
        polls += 1;
        let phase = match poll().await {
            Ok(Poll::Done(value)) => return Ok(value),
            Ok(Poll::Failed(reason)) => return Err(WaitError::Failed { resource: resource.to_string(), reason }),
            Ok(Poll::Pending(phase)) => phase,
            // A 5xx while a rollout moves the API around, a dropped connection: poll again. Any 5xx, not
            // only the statuses a single call retries: the next poll is a new question, not a repeat.
            Err(error) if error.is_retryable() || matches!(&error, Error::Api(api) if api.status >= 500) => {
                format!("poll failed, retrying: {error}")
            }
            Err(error) => return Err(WaitError::Api(error)),
        };
        let waited = started.elapsed();
        if let Some(progress) = &options.progress {
            progress(&Progress { resource: resource.to_string(), phase: phase.clone(), polls, waited });
        }
        let interval = options.interval_after(polls);
        if waited.saturating_add(interval) > options.timeout {
            return Err(WaitError::TimedOut { resource: resource.to_string(), waited, last_phase: phase });
        }
        tokio::time::sleep(interval).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_growing_interval_starts_steady_then_grows_by_half_up_to_its_cap() {
        let options = WaitOptions::default().interval(Duration::from_secs(1)).growing_to(Duration::from_secs(5));
        let after: Vec<Duration> = [1, 10, 11, 12, 13, 20].iter().map(|n| options.interval_after(*n)).collect();
        assert_eq!(after, [1.0, 1.0, 1.5, 2.25, 3.375, 5.0].map(Duration::from_secs_f64));
        assert_eq!(WaitOptions::default().interval_after(50), Duration::from_secs(2), "steady without growing_to");
    }
}
