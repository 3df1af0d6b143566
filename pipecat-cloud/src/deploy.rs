//! Deploying an agent in one call: create it or update it, then wait until it runs what was deployed.
//!
//! [`Client::deploy`] looks the agent up (a 404 means it is new), refuses before sending anything a
//! setting the API would refuse (a profile or filter it does not list, a name it does not take), waits
//! for the secret set and image pull secret it binds to be `ready` (a deploy against a set still being
//! provisioned is refused with 409), creates or updates the agent, then waits until its
//! `reconciledDeploymentId` is the `desiredDeploymentId` the create or update answered and it reports
//! `ready`. A revision that fails ends the wait at once with the API's reason; 5xx answers and dropped
//! connections while polling are ridden out; other errors stop it
//! ([`crate::wait`]).
//!
//! ```no_run
//! # async fn example(client: &pipecat_cloud::Client) -> Result<(), pipecat_cloud::deploy::DeployError> {
//! use pipecat_cloud::deploy::{Deploy, DeployOptions};
//!
//! let deploy = Deploy::image("voice-bot", "registry.example.com/voice-bot:1.4")
//!     .secret_set("voice-bot-secrets")
//!     .max_agents(5);
//! let deployed = client.deploy(&deploy, &DeployOptions::default()).await?;
//! println!("{} {} deployment {:?}", deployed.agent_name, if deployed.created { "created" } else { "updated" }, deployed.deployment_id);
//! # Ok(()) }
//! ```

use serde::de::DeserializeOwned;

use crate::Client;
use crate::error::Error;
use crate::types::{
    AgentProfile, AutoScaling, CreateServiceRequest, CreateServiceRequestServiceName, KrispViva, KrispVivaAudioFilter,
    ServiceDetailsResponse, UpdateServiceRequest,
};
use crate::wait::{WaitError, WaitOptions};

/// What an agent runs: an image, or the image of a finished cloud build.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// A container image, `repository:tag`.
    Image(String),
    /// A successful cloud build's image.
    Build(uuid::Uuid),
}

/// What a deploy sets: the same settings for a new agent and an update. Settings left unset keep the
/// agent's own on an update, and the API's defaults on a create.
#[derive(Debug, Clone)]
#[must_use = "a deploy does nothing until it is passed to Client::deploy"]
pub struct Deploy {
    name: String,
    source: Source,
    region: Option<String>,
    secret_set: Option<String>,
    image_pull_secret_set: Option<String>,
    agent_profile: Option<String>,
    max_session_duration: Option<i64>,
    krisp_viva_audio_filter: Option<String>,
    min_agents: Option<i64>,
    max_agents: Option<i64>,
    node_type: Option<String>,
    force: bool,
}

impl Deploy {
    /// Agent `name` running `image` (`repository:tag`).
    pub fn image(name: impl Into<String>, image: impl Into<String>) -> Self {
        Deploy::of(name.into(), Source::Image(image.into()))
    }

    /// Agent `name` running the image of the finished cloud build `build`.
    pub fn build(name: impl Into<String>, build: uuid::Uuid) -> Self {
        Deploy::of(name.into(), Source::Build(build))
    }

    fn of(name: String, source: Source) -> Self {
        Deploy {
            name,
            source,
            region: None,
            secret_set: None,
            image_pull_secret_set: None,
            agent_profile: None,
            max_session_duration: None,
            krisp_viva_audio_filter: None,
            min_agents: None,
            max_agents: None,
            node_type: None,
            force: false,
        }
    }

    /// The region of a new agent (an existing agent's region cannot change: it is not sent, and
    /// [`Deployed::region_ignored`] says so).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The secret set whose keys become the agent's environment.
    pub fn secret_set(mut self, set: impl Into<String>) -> Self {
        self.secret_set = Some(set.into());
        self
    }

    /// The image pull secret set for a private registry.
    pub fn image_pull_secret_set(mut self, set: impl Into<String>) -> Self {
        self.image_pull_secret_set = Some(set.into());
        self
    }

    /// The agent profile, e.g. `agent-1x`: checked against the values the spec lists before sending.
    pub fn agent_profile(mut self, profile: impl Into<String>) -> Self {
        self.agent_profile = Some(profile.into());
        self
    }

    /// The longest a session may run, in seconds.
    pub fn max_session_duration(mut self, seconds: i64) -> Self {
        self.max_session_duration = Some(seconds);
        self
    }

    /// Krisp VIVA's filter, e.g. `tel` or `pro`: checked against the values the spec lists.
    pub fn krisp_viva_audio_filter(mut self, filter: impl Into<String>) -> Self {
        self.krisp_viva_audio_filter = Some(filter.into());
        self
    }

    /// The node type the agent runs on (`arm`, the one the API offers).
    pub fn node_type(mut self, node_type: impl Into<String>) -> Self {
        self.node_type = Some(node_type.into());
        self
    }

    /// Instances kept warm.
    pub fn min_agents(mut self, agents: i64) -> Self {
        self.min_agents = Some(agents);
        self
    }

    /// The most instances at once, and so the most sessions.
    pub fn max_agents(mut self, agents: i64) -> Self {
        self.max_agents = Some(agents);
        self
    }

    /// Redeploy an existing agent even when nothing changed (`forceRedeploy`; a new agent is deployed
    /// anyway).
    pub fn force(mut self, force: bool) -> Self {
        self.force = force;
        self
    }

    /// The agent's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What it runs.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The body of an update: every setting but the name and the region.
    fn update_body(&self) -> Result<UpdateServiceRequest, DeployError> {
        let mut body = match &self.source {
            Source::Image(image) => UpdateServiceRequest::new().image(image.as_str()),
            Source::Build(id) => UpdateServiceRequest::new().build_id(*id),
        };
        body.secret_set = self.secret_set.clone();
        body.image_pull_secret_set = self.image_pull_secret_set.clone();
        body.max_session_duration = self.max_session_duration;
        body.node_type = self.node_type.clone();
        if let Some(profile) = &self.agent_profile {
            body = body.agent_profile(listed::<AgentProfile>("agent_profile", profile)?);
        }
        if let Some(filter) = &self.krisp_viva_audio_filter {
            let filter = listed::<KrispVivaAudioFilter>("krisp_viva_audio_filter", filter)?;
            body = body.krisp_viva(KrispViva::new(Some(filter)));
        }
        if self.min_agents.is_some() || self.max_agents.is_some() {
            let mut scaling = AutoScaling::new();
            scaling.min_agents = self.min_agents;
            scaling.max_agents = self.max_agents;
            body = body.auto_scaling(scaling);
        }
        if self.force {
            body = body.force_redeploy(true);
        }
        Ok(body)
    }

    /// The body of a create: the update's settings (their types are shared, see the
    /// `shared-request-types` normalization pass), with the name and the region.
    fn create_body(&self) -> Result<CreateServiceRequest, DeployError> {
        let name = CreateServiceRequestServiceName::try_from(self.name.as_str()).map_err(|e| {
            DeployError::InvalidSetting { setting: "name", value: self.name.clone(), reason: e.to_string() }
        })?;
        let update = self.update_body()?;
        let mut body = CreateServiceRequest::new(name);
        body.image = update.image;
        body.build_id = update.build_id;
        body.secret_set = update.secret_set;
        body.image_pull_secret_set = update.image_pull_secret_set;
        body.agent_profile = update.agent_profile;
        body.max_session_duration = update.max_session_duration;
        body.node_type = update.node_type;
        body.krisp_viva = update.krisp_viva;
        body.auto_scaling = update.auto_scaling;
        body.region = self.region.clone();
        Ok(body)
    }
}

/// `text` as a value of the spec's enum `T`, or the refusal naming `setting` and the values the spec
/// lists (serde's message for an unknown variant lists them).
fn listed<T: DeserializeOwned>(setting: &'static str, text: &str) -> Result<T, DeployError> {
    serde_json::from_value(serde_json::Value::from(text)).map_err(|e| DeployError::InvalidSetting {
        setting,
        value: text.to_string(),
        reason: e.to_string(),
    })
}

/// The body a deploy sends.
enum Body {
    Update(UpdateServiceRequest),
    Create(CreateServiceRequest),
}

/// How a deploy waits. Default: it waits for the secret sets and the rollout with
/// [`WaitOptions::default`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DeployOptions {
    /// How each wait polls; its progress callback sees the secret sets' and the rollout's phases.
    pub wait: WaitOptions,
    /// Whether to wait at all: without, the deploy returns once the API took the change.
    pub wait_for_rollout: bool,
}

impl Default for DeployOptions {
    fn default() -> Self {
        DeployOptions { wait: WaitOptions::default(), wait_for_rollout: true }
    }
}

impl DeployOptions {
    /// How each wait polls.
    pub fn wait(mut self, wait: WaitOptions) -> Self {
        self.wait = wait;
        self
    }

    /// Whether to wait for the secret sets and the rollout.
    pub fn wait_for_rollout(mut self, wait: bool) -> Self {
        self.wait_for_rollout = wait;
        self
    }
}

/// A deploy that the API took, and, when it waited, that rolled out.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Deployed {
    /// The agent's name.
    pub agent_name: String,
    /// True for a new agent, false for an update.
    pub created: bool,
    /// The deployment the create or update asked for (`desiredDeploymentId`).
    pub deployment_id: Option<String>,
    /// The agent as last read: ready and running `deployment_id` after a wait; as the create or update
    /// answered without one.
    pub agent: ServiceDetailsResponse,
    /// A region was given for an agent that exists: it was not sent (an agent's region cannot change).
    pub region_ignored: bool,
    /// `force` was given for a new agent, which is deployed anyway.
    pub force_ignored: bool,
}

/// Why a deploy ended without the agent running what was deployed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeployError {
    /// A setting the API would refuse; nothing was sent.
    #[error("{setting} `{value}` is not accepted: {reason}; nothing was sent")]
    #[non_exhaustive]
    InvalidSetting {
        /// The setting, as [`Deploy`]'s method names it.
        setting: &'static str,
        /// The value given.
        value: String,
        /// Why, with the values the API takes where it lists them.
        reason: String,
    },
    /// A call failed: the look-up, or the create or update itself.
    #[error(transparent)]
    Api(#[from] Error),
    /// The agent was created or updated, but its answer could not be read: it exists, so look at it
    /// rather than deploy again.
    #[error("agent {agent} was {} (HTTP {status}), but its answer could not be read", if *.created { "created" } else { "updated" })]
    #[non_exhaustive]
    AnswerUnread {
        /// The agent.
        agent: String,
        /// True when it was created.
        created: bool,
        /// The status of the answer.
        status: u16,
        /// The decoding error.
        #[source]
        source: Box<Error>,
    },
    /// A wait failed: a secret set that failed, a revision that failed, a timeout, an error a retry
    /// cannot fix.
    #[error(transparent)]
    Wait(#[from] WaitError),
}

impl Client {
    /// Creates agent `deploy.name()` or updates it, then (unless `options` say not to) waits until it
    /// runs the new deployment. See [`crate::deploy`].
    ///
    /// # Errors
    /// [`DeployError::InvalidSetting`] before anything is sent; [`DeployError::Api`] when the look-up,
    /// create or update fails; [`DeployError::AnswerUnread`] when the API took the change but its answer
    /// did not decode; [`DeployError::Wait`] when a secret set or the revision fails, or a wait times out.
    pub async fn deploy(&self, deploy: &Deploy, options: &DeployOptions) -> Result<Deployed, DeployError> {
        // Both bodies are built before anything is sent: a setting they share that the API would
        // refuse is refused at once. A name only createService would refuse waits for the look-up, so an
        // existing agent can still be updated.
        let update = deploy.update_body()?;
        let create = deploy.create_body();
        let exists = match self.get_service(&deploy.name).send().await {
            Ok(_) => true,
            Err(Error::Api(api)) if api.status == 404 => false,
            Err(other) => return Err(other.into()),
        };
        let body = if exists { Body::Update(update) } else { Body::Create(create?) };
        if options.wait_for_rollout {
            if let Some(set) = &deploy.secret_set {
                self.wait_until_secret_set_ready(set, &options.wait).await?;
            }
            if let Some(set) = &deploy.image_pull_secret_set {
                self.wait_until_image_pull_secret_ready(set, &options.wait).await?;
            }
        }
        let sent = match body {
            Body::Update(update) => self.update_service(&deploy.name, update).send().await,
            Body::Create(create) => self.create_service(create).send().await,
        };
        let agent = sent.map_err(|error| match error {
            Error::Decode { status, .. } => DeployError::AnswerUnread {
                agent: deploy.name.clone(),
                created: !exists,
                status,
                source: Box::new(error),
            },
            other => DeployError::Api(other),
        })?;
        let deployment_id = agent.desired_deployment_id.clone();
        let agent = if options.wait_for_rollout {
            self.wait_until_agent_ready(&deploy.name, deployment_id.as_deref(), &options.wait).await?
        } else {
            agent
        };
        Ok(Deployed {
            agent_name: deploy.name.clone(),
            created: !exists,
            deployment_id,
            agent,
            region_ignored: exists && deploy.region.is_some(),
            force_ignored: !exists && deploy.force,
        })
    }
}
