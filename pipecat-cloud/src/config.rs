//! Building a [`Client`]: keys, host, timeouts, user agent. Everything is checked here, once, so that a
//! bad setting is an error at start-up and never a failed request later.

use std::fmt;
use std::time::Duration;

use crate::Client;
use crate::api_key::ApiKey;
use crate::auth::KeyRing;
use crate::base_url::{DEFAULT_HOST, api_base};
use crate::client::Shared;
use crate::error::ConfigError;
use crate::retry::RetryConfig;

/// Environment variable holding the private API key (as in Pipecat's docs examples).
pub const ENV_PRIVATE_KEY: &str = "PIPECAT_API_KEY";
/// Environment variable holding the public API key (as the official CLI reads it).
pub const ENV_PUBLIC_KEY: &str = "PIPECAT_DEFAULT_PUBLIC_KEY";
/// Environment variable holding the API host, e.g. `https://api.pipecat.daily.co` (as the official CLI reads it).
pub const ENV_HOST: &str = "PIPECAT_API_HOST";

/// Default time allowed to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for one attempt, from sending to the last byte of the answer.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default time allowed between two reads of an answer.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Redirects followed at most. The key is never sent to another host, scheme or port; a redirect from
/// https to http is refused.
pub const MAX_REDIRECTS: usize = 10;

/// The `User-Agent` the client sends.
pub const USER_AGENT: &str = concat!("pipecat-cloud-rust/", env!("CARGO_PKG_VERSION"));

/// Configures and builds a [`Client`].
///
/// ```
/// use std::time::Duration;
///
/// let client = pipecat_cloud::Client::builder()
///     .private_key("pk_private_example")
///     .public_key("pk_public_example")
///     .host("https://api.pipecat.daily.co")
///     .timeout(Duration::from_secs(30))
///     .build()?;
/// assert_eq!(client.base_url().as_str(), "https://api.pipecat.daily.co/v1");
/// # Ok::<(), pipecat_cloud::ConfigError>(())
/// ```
#[derive(Clone, Default)]
pub struct ClientBuilder {
    private_key: Option<String>,
    public_key: Option<String>,
    host: Option<String>,
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    timeout: Option<Duration>,
    retry: RetryConfig,
    http_client: Option<reqwest::Client>,
}

impl ClientBuilder {
    /// A builder with no keys, the production host and default timeouts.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder with what the environment holds: [`ENV_PRIVATE_KEY`], [`ENV_PUBLIC_KEY`], [`ENV_HOST`].
    /// Unset or empty variables are skipped.
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        ClientBuilder {
            private_key: var(ENV_PRIVATE_KEY),
            public_key: var(ENV_PUBLIC_KEY),
            host: var(ENV_HOST),
            ..Self::default()
        }
    }

    /// The private key: authenticates agent, session, secret, build, region and property operations.
    /// Keep it on servers.
    pub fn private_key(mut self, key: impl Into<String>) -> Self {
        self.private_key = Some(key.into());
        self
    }

    /// The public key: authenticates `startService` and the session proxy. May ship in client apps.
    pub fn public_key(mut self, key: impl Into<String>) -> Self {
        self.public_key = Some(key.into());
        self
    }

    /// The API host, default [`DEFAULT_HOST`]: scheme, host, optional port and path prefix, without
    /// `/v1`. `http://` is accepted for loopback hosts only.
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    /// Time allowed to open a connection; default [`DEFAULT_CONNECT_TIMEOUT`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Time allowed between two reads of an answer; default [`DEFAULT_READ_TIMEOUT`].
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// Time allowed for one attempt, from sending to the last byte; default [`DEFAULT_TIMEOUT`].
    /// [`Client::with_timeout`] changes it for some calls.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The retry policy; default [`RetryConfig::default`]. [`Client::with_retry`] changes it for some calls.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// Sends through `client` instead of an HTTP client this builder makes: for a proxy, custom root
    /// certificates, client certificates (mTLS), or a TLS stack of your choice.
    ///
    /// Then `client`'s own settings apply: its connect and read timeouts, its redirect policy (ours
    /// follows at most [`MAX_REDIRECTS`] and never from https to http; set yours as you need), its user
    /// agent. [`connect_timeout`](Self::connect_timeout) and [`read_timeout`](Self::read_timeout) are
    /// ignored; [`timeout`](Self::timeout), the retry policy and the keys still apply per request.
    ///
    /// ```
    /// pipecat_cloud::tls::install_provider(); // see the `tls` module
    /// let http = reqwest::Client::builder().build()?;
    /// let client = pipecat_cloud::Client::builder().private_key("pk_example").http_client(http).build()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Checks everything and builds the client.
    ///
    /// # Errors
    /// When no key is given, a key or the host is not usable, or the HTTP client cannot be built.
    pub fn build(self) -> Result<Client, ConfigError> {
        let keys = KeyRing {
            private: self.private_key.map(ApiKey::new).transpose()?,
            public: self.public_key.map(ApiKey::new).transpose()?,
        };
        if keys.private.is_none() && keys.public.is_none() {
            return Err(ConfigError::NoKey);
        }
        let base_url = api_base(self.host.as_deref().unwrap_or(DEFAULT_HOST))?;
        let (http, timeout) = match self.http_client {
            Some(http) => (http, self.timeout),
            None => {
                crate::tls::install_provider();
                let builder = reqwest::Client::builder();
                // Asked for by name: the platform's TLS even when a rustls feature is on too.
                #[cfg(feature = "native-tls")]
                let builder = builder.tls_backend_native();
                let http = builder
                    .user_agent(USER_AGENT)
                    .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                    .read_timeout(self.read_timeout.unwrap_or(DEFAULT_READ_TIMEOUT))
                    .timeout(self.timeout.unwrap_or(DEFAULT_TIMEOUT))
                    .redirect(redirect_policy())
                    .build()
                    .map_err(ConfigError::Http)?;
                (http, Some(self.timeout.unwrap_or(DEFAULT_TIMEOUT)))
            }
        };
        // Operation paths are appended to the base path: no trailing slash.
        let base_path = base_url.path().trim_end_matches('/').to_string();
        Ok(Client::from_parts(Shared { http, base_url, base_path, keys }, timeout, self.retry))
    }
}

/// Why the client's redirect policy stopped following: kept in the error's sources, so that the
/// wrapper's error can report the status of the last redirect.
#[derive(Debug)]
pub(crate) struct RedirectRefused {
    pub(crate) status: u16,
    reason: String,
}

impl fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for RedirectRefused {}

/// Follows up to [`MAX_REDIRECTS`] redirects, never from https to http. reqwest itself drops the
/// `Authorization` header when a redirect leaves the host, port or scheme.
fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let status = attempt.status().as_u16();
        let downgrade = attempt.url().scheme() == "http"
            && attempt.previous().last().is_some_and(|previous| previous.scheme() == "https");
        if downgrade {
            attempt.error(RedirectRefused { status, reason: "refused a redirect from https to http".into() })
        } else if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error(RedirectRefused { status, reason: format!("more than {MAX_REDIRECTS} redirects") })
        } else {
            attempt.follow()
        }
    })
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |k: &Option<String>| k.as_ref().map(|_| "<redacted>");
        f.debug_struct("ClientBuilder")
            .field("private_key", &redacted(&self.private_key))
            .field("public_key", &redacted(&self.public_key))
            .field("host", &self.host.as_deref().map(crate::base_url::shown))
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("http_client", &self.http_client.as_ref().map(|_| "<caller's reqwest::Client>"))
            .finish()
    }
}
