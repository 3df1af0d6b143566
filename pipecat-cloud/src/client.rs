//! The one entry point: [`Client`], with a method for every operation of the API.

use std::fmt;
use std::sync::Arc;

use url::Url;

use std::time::Duration;

use crate::auth::KeyRing;
use crate::config::ClientBuilder;
use crate::error::ConfigError;
use crate::retry::{CallOptions, RetryConfig};

/// A client of the Pipecat Cloud REST API. Cheap to clone; clones share connections.
///
/// Every operation of the spec is a method, named after its `operationId` in snake case
/// (`deleteSecretFromSet` is [`Client::delete_secret_from_set`]). Path parameters are checked before
/// anything is sent; private operations carry the private key, public ones the public key.
#[derive(Clone)]
pub struct Client {
    generated: pipecat_cloud_generated::Client,
    base_url: Url,
    /// The same keys the generated client's hooks inject, shared.
    keys: Arc<KeyRing>,
    options: CallOptions,
}

impl Client {
    /// A builder, to set keys, host and timeouts.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from the environment; see [`ClientBuilder::from_env`].
    pub fn from_env() -> Result<Client, ConfigError> {
        ClientBuilder::from_env().build()
    }

    pub(crate) fn from_parts(
        generated: pipecat_cloud_generated::Client,
        base_url: Url,
        keys: Arc<KeyRing>,
        options: CallOptions,
    ) -> Self {
        Client { generated, base_url, keys, options }
    }

    /// A client for calls with a different timeout per attempt; it shares connections and keys with
    /// this one.
    ///
    /// ```
    /// # let client = pipecat_cloud::Client::builder().private_key("k").build().unwrap();
    /// let patient = client.with_timeout(std::time::Duration::from_secs(120));
    /// ```
    pub fn with_timeout(&self, timeout: Duration) -> Client {
        let mut client = self.clone();
        client.options.timeout = Some(timeout);
        client
    }

    /// A client for calls with a different retry policy; it shares connections and keys with this one.
    ///
    /// ```
    /// # let client = pipecat_cloud::Client::builder().private_key("k").build().unwrap();
    /// use pipecat_cloud::RetryConfig;
    /// let once = client.with_retry(RetryConfig::disabled());
    /// ```
    pub fn with_retry(&self, retry: RetryConfig) -> Client {
        let mut client = self.clone();
        client.options.retry = retry;
        client
    }

    /// The options calls of this client run with.
    pub fn options(&self) -> &CallOptions {
        &self.options
    }

    /// The base URL every operation's path is joined to, e.g. `https://api.pipecat.daily.co/v1`.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// True when the client holds the private key.
    pub fn has_private_key(&self) -> bool {
        self.keys.private.is_some()
    }

    /// True when the client holds the public key.
    pub fn has_public_key(&self) -> bool {
        self.keys.public.is_some()
    }

    /// The generated client underneath, with the same keys and base URL. Its methods skip the wrapper's
    /// path checks and return progenitor's errors; prefer the methods of [`Client`].
    pub fn generated(&self) -> &pipecat_cloud_generated::Client {
        &self.generated
    }

    pub(crate) fn keys(&self) -> &KeyRing {
        &self.keys
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url.as_str())
            .field("private_key", &self.keys.private.as_ref().map(|_| "<redacted>"))
            .field("public_key", &self.keys.public.as_ref().map(|_| "<redacted>"))
            .field("options", &self.options)
            .finish()
    }
}

// One method per operation, generated from the spec by build.rs (see build-helpers' facade generator).
include!(concat!(env!("OUT_DIR"), "/operations.rs"));
