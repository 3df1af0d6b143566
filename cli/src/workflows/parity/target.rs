//! One side of a parity run: a host, its keys, and the requests sent to it as they are, without the
//! SDK's checks (a parity step sends a bad name on purpose) and without retries (an answer is what is
//! measured).

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use crate::credentials::Secret;

/// Which key a request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    /// The private key.
    Private,
    /// The public key.
    Public,
    /// A private key the host cannot know.
    Wrong,
}

/// A private key no account has: the "wrong key" step sends it.
const WRONG_KEY: &str = "sk_parity_check_not_a_key_0000000000";

/// A host and its keys.
pub(crate) struct Target {
    /// What reports call it.
    pub(crate) label: &'static str,
    /// Its base URL, without a trailing `/`.
    pub(crate) host: String,
    private: Secret,
    public: Secret,
    http: reqwest::Client,
    /// How long to wait between the polls of a step that waits.
    pub(crate) interval: Duration,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target").field("label", &self.label).field("host", &self.host).finish_non_exhaustive()
    }
}

/// One request and its answer, as sent and received.
#[derive(Debug, Clone)]
pub(crate) struct Exchange {
    /// The method.
    pub(crate) method: &'static str,
    /// The path with `/v1`, escaped as sent.
    pub(crate) path: String,
    /// The query.
    pub(crate) query: BTreeMap<String, String>,
    /// The JSON body sent.
    pub(crate) request_body: Option<Value>,
    /// The answer's status.
    pub(crate) status: u16,
    /// The answer's headers.
    pub(crate) headers: Vec<(String, String)>,
    /// The answer's bytes.
    pub(crate) body: Vec<u8>,
    /// The answer as JSON, when it is.
    pub(crate) json: Option<Value>,
}

impl Target {
    /// `host` with its keys; `interval` between polls.
    pub(crate) fn new(
        label: &'static str,
        host: &str,
        private: Secret,
        public: Secret,
        interval: Duration,
    ) -> anyhow::Result<Self> {
        pipecat_cloud::tls::install_provider();
        let http = reqwest::Client::builder()
            .user_agent(pipecat_cloud::USER_AGENT)
            .timeout(Duration::from_secs(60))
            .build()?;
        Ok(Target { label, host: host.trim_end_matches('/').to_string(), private, public, http, interval })
    }

    /// The keys a recording must not hold.
    pub(crate) fn keys(&self) -> [&str; 2] {
        [self.private.expose(), self.public.expose()]
    }

    /// Sends `method path?query` with `key` and `body`; a transport failure is an error (the host
    /// could not be reached), any answer is an [`Exchange`].
    pub(crate) async fn send(
        &self,
        method: &'static str,
        path: &str,
        query: &[(&str, String)],
        key: Key,
        body: Option<Value>,
    ) -> anyhow::Result<Exchange> {
        let method_value = reqwest::Method::from_bytes(method.as_bytes())?;
        let mut request = self.http.request(method_value, format!("{}{path}", self.host)).query(query);
        let token = match key {
            Key::Private => self.private.expose(),
            Key::Public => self.public.expose(),
            Key::Wrong => WRONG_KEY,
        };
        request = request.bearer_auth(token);
        if let Some(body) = &body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("{} could not be reached: {}", self.label, e.without_url()))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(name, value)| Some((name.as_str().to_string(), value.to_str().ok()?.to_string())))
            .collect();
        let bytes = response.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        let json = serde_json::from_slice(&bytes).ok();
        Ok(Exchange {
            method,
            path: path.to_string(),
            query: query.iter().map(|(n, v)| (n.to_string(), v.clone())).collect(),
            request_body: body,
            status,
            headers,
            body: bytes,
            json,
        })
    }
}
