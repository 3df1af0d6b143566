//! One handler per operation of the spec, and what the request path does for each operation besides
//! calling it, in one exhaustive table: [`behaviour`]. A new operation in the spec is a compile error
//! there, naming it. A handler sees the request already checked against the spec (path, query, body),
//! reads it as typed structs of its own ([`Call::query_as`], [`Call::body_as`]), and changes the state
//! under its lock.

mod agent_views;
mod agents;
mod builds;
mod logs;
mod organization;
mod proxy;
mod secrets;
mod sessions;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use pipecat_cloud::operation::{Operation, OperationId};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub(crate) use self::agents::MAX_AGENTS_LIMIT;
/// The build upload (`POST` of the form to the URL `getBuildUploadUrl` gave), which no spec path
/// describes: it stands in for the storage service's pre-signed form.
pub(crate) use self::builds::receive_upload;
pub(crate) use self::proxy::send_to_bot;
pub(crate) use self::sessions::IDLE_KEEP_SECONDS;
#[cfg(test)]
pub(crate) use self::sessions::{
    BODY_CAP_BYTES, BUFFER_WARMUP_SECONDS, COLD_START_SECONDS, WARM_START_SECONDS, WEBSOCKET_BODY_CAP_BYTES,
};
use crate::progression::Progression;
use crate::reply::{Dialect, Reply, error_in};
use crate::state::State;

/// What every handler needs beyond the request: how fast things move and where the emulator is.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// When resources take their next step.
    pub(crate) progression: Progression,
    /// The emulator's own address, `http://127.0.0.1:PORT`, for upload URLs.
    pub(crate) base_url: String,
    /// Where the session proxy forwards, when a local bot runs.
    pub(crate) bot_url: Option<String>,
    /// How long a session runs before it ends by itself, when the emulator was given one.
    pub(crate) session_lifetime: Option<std::time::Duration>,
}

/// A handler's answer: `Err` is an error reply, so a handler can refuse with `?`.
pub(crate) type Answer = Result<Reply, Reply>;

/// A handler: the state, the request, the answer.
pub(crate) type Handler = fn(&mut State, &Call<'_>) -> Answer;

/// What the request path does for one operation.
#[derive(Clone, Copy)]
pub(crate) struct Behaviour {
    /// Its handler.
    pub(crate) handler: Handler,
    /// How its errors are spelled.
    pub(crate) dialect: Dialect,
    /// The 401 it answers to a missing or wrong key.
    pub(crate) unauthorized: Unauthorized,
    /// What its body is.
    pub(crate) body: BodyKind,
    /// What it reads, so that only that is brought up to date with the clock first.
    pub(crate) reads: Reads,
}

/// The 401 bodies the API answers, as the vendor's spec gives them per operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unauthorized {
    /// `{"error": "Unauthorized", "code": "UNAUTHORIZED"}`: the private endpoints'.
    Named,
    /// `{"error": "Unauthorized / token expired", "code": "401"}`: the spec's shared `Unauthorized`
    /// response, which `getSession`, `stopSession` and the session proxy reference.
    TokenExpired,
    /// The start: without a key `PCC-1002`, "Attempt to start agent without public api key."
    /// (fundamentals/error-codes.mdx); with a wrong one the shared response, as [`Self::TokenExpired`].
    Start,
}

/// What an operation's request body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyKind {
    /// JSON, checked against the spec's schema before the handler runs.
    Json,
    /// JSON checked alike, except that the handler refuses an unknown top-level property itself, by
    /// name, with the API's documented message (`updateProperties`: "Property 'x' is not a valid
    /// property").
    JsonNamingUnknownProperties,
    /// Bytes for the agent's bot, passed on unchanged (to the local bot, when one is configured).
    PassThrough,
}

/// What an operation reads, and so brings up to date first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reads {
    /// Nothing that moves by itself.
    Nothing,
    /// Secret sets.
    SecretSets,
    /// Builds.
    Builds,
    /// Every agent.
    EveryAgent,
    /// One agent, named by this path parameter, and the sets and builds a deploy of it binds.
    OneAgent(&'static str),
    /// The sets and builds a new agent binds.
    NewAgent,
}

const fn row(handler: Handler, dialect: Dialect, reads: Reads) -> Behaviour {
    Behaviour { handler, dialect, unauthorized: Unauthorized::Named, body: BodyKind::Json, reads }
}

const fn session_row(handler: Handler, unauthorized: Unauthorized) -> Behaviour {
    Behaviour {
        handler,
        dialect: Dialect::Numeric,
        unauthorized,
        body: BodyKind::Json,
        reads: Reads::OneAgent("agentName"),
    }
}

const PROXY: Behaviour = Behaviour {
    handler: proxy::forward,
    dialect: Dialect::Numeric,
    unauthorized: Unauthorized::TokenExpired,
    body: BodyKind::PassThrough,
    reads: Reads::OneAgent("serviceName"),
};

/// Every operation's behaviour. The dialects follow the spec's examples: agent, secret, build, region
/// and property operations answer named codes (`NOT_FOUND`), sessions, start and the proxy the status
/// as a string (`"404"`).
pub(crate) fn behaviour(operation: OperationId) -> Behaviour {
    use Dialect::Named;
    use OperationId as Op;
    const AGENT: Reads = Reads::OneAgent("agentName");
    match operation {
        Op::ListServices => row(agents::list, Named, Reads::EveryAgent),
        Op::CreateService => row(agents::create, Named, Reads::NewAgent),
        Op::GetService => row(agents::get, Named, AGENT),
        Op::UpdateService => row(agents::update, Named, AGENT),
        Op::DeleteService => row(agents::delete, Named, AGENT),
        Op::GetLogs => row(logs::get, Named, AGENT),
        Op::GetSessions => session_row(sessions::list, Unauthorized::Named),
        Op::GetSession => session_row(sessions::get, Unauthorized::TokenExpired),
        Op::StopSession => session_row(sessions::stop, Unauthorized::TokenExpired),
        Op::StartService => session_row(sessions::start, Unauthorized::Start),
        Op::ListBuilds => row(builds::list, Named, Reads::Builds),
        Op::CreateBuild => row(builds::create, Named, Reads::Builds),
        Op::GetBuildUploadUrl => row(builds::upload_url, Named, Reads::Builds),
        Op::GetBuild => row(builds::get, Named, Reads::Builds),
        Op::GetBuildLogs => row(builds::logs, Named, Reads::Builds),
        Op::GetProperties => row(organization::properties, Named, Reads::Nothing),
        Op::UpdateProperties => Behaviour {
            body: BodyKind::JsonNamingUnknownProperties,
            ..row(organization::update_properties, Named, Reads::Nothing)
        },
        Op::GetPropertiesSchema => row(organization::properties_schema, Named, Reads::Nothing),
        Op::ListRegions => row(organization::regions, Named, Reads::Nothing),
        Op::ListSecretSets => row(secrets::list, Named, Reads::SecretSets),
        Op::GetSecretSet => row(secrets::get, Named, Reads::SecretSets),
        Op::UpsertSecretSet => row(secrets::upsert, Named, Reads::SecretSets),
        Op::DeleteSecretSet => row(secrets::delete, Named, Reads::SecretSets),
        Op::DeleteSecretFromSet => row(secrets::delete_key, Named, Reads::SecretSets),
        Op::SessionProxyGet
        | Op::SessionProxyPut
        | Op::SessionProxyPost
        | Op::SessionProxyDelete
        | Op::SessionProxyOptions
        | Op::SessionProxyHead
        | Op::SessionProxyPatch => PROXY,
    }
}

/// A request, checked against the spec.
#[derive(Debug)]
pub(crate) struct Call<'a> {
    /// Its operation.
    pub(crate) op: &'static Operation,
    /// How its errors are spelled.
    pub(crate) dialect: Dialect,
    /// Path parameters, decoded, by the spec's names.
    pub(crate) params: &'a [(&'static str, String)],
    /// Query parameters, decoded, in order.
    pub(crate) query: &'a [(String, String)],
    /// The JSON body, when there is one.
    pub(crate) body: Option<&'a Value>,
    /// The body's bytes, for the proxy.
    pub(crate) raw_body: &'a Bytes,
    /// The emulator's time now.
    pub(crate) now: DateTime<Utc>,
    /// The emulator's settings.
    pub(crate) settings: &'a Settings,
}

impl Call<'_> {
    /// The path parameter `name` (empty when the route has none: the router fills every one).
    pub(crate) fn param(&self, name: &str) -> &str {
        self.params.iter().find(|(n, _)| *n == name).map_or("", |(_, v)| v.as_str())
    }

    /// The query as `T`. The spec check has refused values of the wrong type, so a failure here is a
    /// shape the emulator does not read (400, naming it).
    pub(crate) fn query_as<T: DeserializeOwned>(&self) -> Result<T, Reply> {
        // The first value of a repeated parameter counts, as in the spec check.
        let mut seen = std::collections::BTreeSet::new();
        let first: Vec<(&str, &str)> =
            self.query.iter().filter(|(n, _)| seen.insert(n.as_str())).map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let encoded = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(first).finish();
        serde_urlencoded::from_str(&encoded)
            .map_err(|e| error_in(self.dialect, 400, format!("Invalid parameters: {e}")))
    }

    /// The JSON body as `T` (an absent body reads as `{}`). The spec check has refused bodies off the
    /// schema, so a failure here is a shape the emulator does not read (400, naming where).
    pub(crate) fn body_as<T: DeserializeOwned>(&self) -> Result<T, Reply> {
        let empty = Value::Object(serde_json::Map::new());
        serde_path_to_error::deserialize(self.body.unwrap_or(&empty))
            .map_err(|e| error_in(self.dialect, 400, format!("Invalid request format: at {}: {}", e.path(), e.inner())))
    }
}

/// A page of `items` by `limit` and `offset` (already checked as integers by the spec check).
pub(crate) fn page<T>(items: impl Iterator<Item = T>, limit: i64, offset: i64) -> Vec<T> {
    items.skip(usize::try_from(offset).unwrap_or(0)).take(usize::try_from(limit).unwrap_or(0)).collect()
}

/// A field that may be absent, `null` or a value: `None`, `Some(None)`, `Some(Some(value))` (serde
/// reads both absent and `null` as `None` otherwise). Used with `#[serde(default)]`.
pub(crate) fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Brings what a request reads up to date with the clock: what is due happens now. Only what the
/// operation reads is settled, so a request costs the same however much state there is; the result is
/// the same as settling everything, because each step is dated when it was due, not when it was
/// computed. Reads of one resource count their polls before their own handler settles.
pub(crate) fn settle(
    state: &mut State,
    reads: Reads,
    params: &[(&'static str, String)],
    settings: &Settings,
    now: DateTime<Utc>,
) {
    let progression = settings.progression;
    match reads {
        Reads::Nothing => {}
        Reads::SecretSets => secrets::settle(state, progression, now),
        Reads::Builds => builds::settle(state, progression, now),
        Reads::EveryAgent => {
            let names: Vec<String> = state.agents.keys().cloned().collect();
            for name in names {
                settle_agent(state, &name, settings, now);
            }
        }
        Reads::NewAgent => {
            secrets::settle(state, progression, now);
            builds::settle(state, progression, now);
        }
        Reads::OneAgent(param) => {
            let name = params.iter().find(|(name, _)| *name == param).map(|(_, value)| value.clone());
            secrets::settle(state, progression, now);
            builds::settle(state, progression, now);
            if let Some(name) = name {
                settle_agent(state, &name, settings, now);
            }
        }
    }
}

fn settle_agent(state: &mut State, name: &str, settings: &Settings, now: DateTime<Utc>) {
    agents::settle(state, name, settings.progression, now);
    if let Some(agent) = state.agents.get_mut(name) {
        sessions::end_due(agent, now, settings.session_lifetime);
    }
    sessions::end_due_orphans(&mut state.orphans, now, settings.session_lifetime);
}
