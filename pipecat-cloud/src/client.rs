//! The one entry point: [`Client`], with a method for every operation of the API (the methods and their
//! request builders are in [`crate::operations`], generated from the spec).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use pipecat_cloud_generated::operation::Operation;
use url::Url;

use crate::auth::KeyRing;
use crate::config::ClientBuilder;
use crate::error::{ConfigError, Error};
use crate::request::{CallSettings, OutgoingRequest};
use crate::retry::RetryConfig;

/// A client of the Pipecat Cloud REST API. Cheap to clone; clones share connections and keys.
///
/// Every operation of the spec is a method, named after its `operationId` in snake case
/// (`deleteSecretFromSet` is [`Client::delete_secret_from_set`]). It takes the required values and
/// returns a request builder for the optional ones; `.send().await` (or `.await`) sends it. Path values
/// are checked before anything is sent; private operations carry the private key, public ones the public
/// key.
///
/// ```no_run
/// # async fn example(client: &pipecat_cloud::Client) -> Result<(), pipecat_cloud::Error> {
/// let sessions = client.get_sessions("my-agent").limit(20).send().await?;
/// let sets = client.list_secret_sets().await?;
/// # let _ = (sessions, sets); Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    shared: Arc<Shared>,
    /// Time allowed per attempt; `None` keeps the HTTP client's own.
    timeout: Option<Duration>,
    retry: RetryConfig,
}

/// What every clone of a client shares.
pub(crate) struct Shared {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: Url,
    /// The path of `base_url` without a trailing slash (`/v1`): operation paths are appended to it.
    pub(crate) base_path: String,
    pub(crate) keys: KeyRing,
}

impl Client {
    /// A builder, to set keys, host, timeouts, retries and the HTTP client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from the environment; see [`ClientBuilder::from_env`].
    ///
    /// # Errors
    /// When no key is set, or a key or the host is not usable.
    pub fn from_env() -> Result<Client, ConfigError> {
        ClientBuilder::from_env().build()
    }

    pub(crate) fn from_parts(shared: Shared, timeout: Option<Duration>, retry: RetryConfig) -> Self {
        Client { shared: Arc::new(shared), timeout, retry }
    }

    /// A client for calls with a different timeout per attempt; it shares connections and keys with
    /// this one. A single call can also set it: `.timeout(..)` on its request builder.
    ///
    /// ```
    /// # let client = pipecat_cloud::Client::builder().private_key("k").build().unwrap();
    /// let patient = client.with_timeout(std::time::Duration::from_secs(120));
    /// ```
    pub fn with_timeout(&self, timeout: Duration) -> Client {
        Client { timeout: Some(timeout), ..self.clone() }
    }

    /// A client for calls with a different retry policy; it shares connections and keys with this one.
    ///
    /// ```
    /// # let client = pipecat_cloud::Client::builder().private_key("k").build().unwrap();
    /// use pipecat_cloud::RetryConfig;
    /// let once = client.with_retry(RetryConfig::disabled());
    /// ```
    pub fn with_retry(&self, retry: RetryConfig) -> Client {
        Client { retry, ..self.clone() }
    }

    /// The retry policy calls of this client run with.
    pub fn retry_config(&self) -> &RetryConfig {
        &self.retry
    }

    /// The time allowed per attempt set with [`Client::with_timeout`] or
    /// [`ClientBuilder::timeout`](crate::ClientBuilder::timeout), if any.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The base URL every operation's path is joined to, e.g. `https://api.pipecat.daily.co/v1`.
    pub fn base_url(&self) -> &Url {
        &self.shared.base_url
    }

    /// True when the client holds the private key.
    pub fn has_private_key(&self) -> bool {
        self.shared.keys.private.is_some()
    }

    /// True when the client holds the public key.
    pub fn has_public_key(&self) -> bool {
        self.shared.keys.public.is_some()
    }

    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }

    /// Starts a request for `operation`: refused at once when this client lacks the key it needs.
    pub(crate) fn request(
        &self,
        operation: &'static Operation,
        settings: CallSettings,
    ) -> Result<OutgoingRequest, Error> {
        let authorization = self.shared.keys.authorization(operation)?;
        Ok(OutgoingRequest::new(operation, &self.shared.base_path, authorization, settings))
    }

    /// The retry policy and timeout of one call: its own settings, else this client's.
    pub(crate) fn effective(&self, settings: &CallSettings) -> (RetryConfig, Option<Duration>) {
        (settings.retry.clone().unwrap_or_else(|| self.retry.clone()), settings.timeout.or(self.timeout))
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.shared.base_url.as_str())
            .field("private_key", &self.shared.keys.private.as_ref().map(|_| "<redacted>"))
            .field("public_key", &self.shared.keys.public.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish()
    }
}
