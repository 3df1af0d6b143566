//! One handler per operation of the spec, by operationId, in [`handler`]: the one table the server
//! dispatches through and the test of served operations reads. A handler sees the request already
//! checked against the spec (path, query, body) and the state under its lock.

mod agent_views;
mod agents;
mod builds;
mod logs;
mod organization;
mod proxy;
mod secrets;
mod sessions;

// The figures the README states, for its test.
pub(crate) use agents::MAX_AGENTS_LIMIT;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use pipecat_cloud::operation::Operation;
use serde_json::Value;

use crate::progression::Progression;
use crate::reply::Reply;
use crate::state::State;

/// What every handler needs beyond the request: how fast things move and where the emulator is.
#[derive(Debug, Clone)]
pub struct Settings {
    /// When resources take their next step.
    pub progression: Progression,
    /// The emulator's own address, `http://127.0.0.1:PORT`, for upload URLs.
    pub base_url: String,
    /// Where the session proxy forwards, when a local bot runs.
    pub bot_url: Option<String>,
}

/// A request, checked against the spec.
#[derive(Debug)]
pub struct Call<'a> {
    /// Its operation.
    pub op: &'static Operation,
    /// Path parameters, decoded, by the spec's names.
    pub params: &'a [(&'static str, String)],
    /// Query parameters, decoded, in order.
    pub query: &'a [(String, String)],
    /// The JSON body, when there is one.
    pub body: Option<&'a Value>,
    /// The body's bytes, for the proxy.
    pub raw_body: &'a Bytes,
    /// The emulator's time now.
    pub now: DateTime<Utc>,
    /// The emulator's settings.
    pub settings: &'a Settings,
}

impl Call<'_> {
    /// The path parameter `name` (empty when the route has none: the router fills every one).
    pub fn param(&self, name: &str) -> &str {
        self.params.iter().find(|(n, _)| *n == name).map_or("", |(_, v)| v.as_str())
    }

    /// The first value of query parameter `name`.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// Query parameter `name` as an integer (the spec check has refused one that is not).
    pub fn query_int(&self, name: &str) -> Option<i64> {
        self.query(name).and_then(|v| v.parse().ok())
    }

    /// The body's field `name`.
    pub fn field(&self, name: &str) -> Option<&Value> {
        self.body.and_then(|b| b.get(name)).filter(|v| !v.is_null())
    }

    /// The body's string field `name`.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.field(name).and_then(Value::as_str)
    }
}

#[cfg(test)]
pub(crate) use sessions::{
    BODY_CAP_BYTES, COLD_START_SECONDS, IDLE_KEEP_SECONDS, WARM_START_SECONDS, WEBSOCKET_BODY_CAP_BYTES,
};

/// A handler: the state, the request, the answer.
pub type Handler = fn(&mut State, &Call<'_>) -> Reply;

/// The handler of `operation_id`, `None` for an operation the emulator does not serve.
pub fn handler(operation_id: &str) -> Option<Handler> {
    Some(match operation_id {
        "listServices" => agents::list,
        "createService" => agents::create,
        "getService" => agents::get,
        "updateService" => agents::update,
        "deleteService" => agents::delete,
        "getLogs" => logs::get,
        "getSessions" => sessions::list,
        "getSession" => sessions::get,
        "stopSession" => sessions::stop,
        "startService" => sessions::start,
        "listSecretSets" => secrets::list,
        "getSecretSet" => secrets::get,
        "upsertSecretSet" => secrets::upsert,
        "deleteSecretSet" => secrets::delete,
        "deleteSecretFromSet" => secrets::delete_key,
        "listBuilds" => builds::list,
        "getBuild" => builds::get,
        "getBuildLogs" => builds::logs,
        "createBuild" => builds::create,
        "getBuildUploadUrl" => builds::upload_url,
        "listRegions" => organization::regions,
        "getProperties" => organization::properties,
        "updateProperties" => organization::update_properties,
        "getPropertiesSchema" => organization::properties_schema,
        "sessionProxyGet"
        | "sessionProxyPost"
        | "sessionProxyPut"
        | "sessionProxyPatch"
        | "sessionProxyDelete"
        | "sessionProxyOptions"
        | "sessionProxyHead" => proxy::forward,
        _ => return None,
    })
}

/// The build upload (`POST` of the form to the URL `getBuildUploadUrl` gave), which no spec path
/// describes: it stands in for the storage service's pre-signed form.
pub use builds::receive_upload;

/// Brings what a request of `op` reads up to date with the clock: what is due happens now. Only the
/// resources the operation touches are settled, so a request costs the same however much state there
/// is; the result is the same as settling everything, because each step is dated when it was due, not
/// when it was computed. Reads of one resource count their polls before their own handler settles.
pub fn settle_for(
    state: &mut State,
    op: &Operation,
    params: &[(&'static str, String)],
    settings: &Settings,
    now: DateTime<Utc>,
) {
    let progression = settings.progression;
    let agent = params.iter().find(|(name, _)| matches!(*name, "agentName" | "serviceName")).map(|(_, v)| v.clone());
    match op.id {
        "listServices" => {
            let names: Vec<String> = state.agents.keys().cloned().collect();
            for name in names {
                settle_agent(state, &name, progression, now);
            }
        }
        id if id.contains("Build") => builds::settle(state, progression, now),
        id if id.contains("SecretSet") || id == "deleteSecretFromSet" => secrets::settle(state, progression, now),
        _ => {}
    }
    if let Some(name) = agent {
        // A deploy reads the sets and builds it binds.
        secrets::settle(state, progression, now);
        builds::settle(state, progression, now);
        settle_agent(state, &name, progression, now);
    } else if op.id == "createService" {
        secrets::settle(state, progression, now);
        builds::settle(state, progression, now);
    }
}

fn settle_agent(state: &mut State, name: &str, progression: Progression, now: DateTime<Utc>) {
    agents::settle(state, name, progression, now);
    if let Some(agent) = state.agents.get_mut(name) {
        sessions::end_overdue(agent, now);
    }
}

/// A page of `items` by `limit` and `offset`, both already checked as integers.
pub fn page<T>(items: impl Iterator<Item = T>, limit: i64, offset: i64) -> Vec<T> {
    items.skip(usize::try_from(offset).unwrap_or(0)).take(usize::try_from(limit).unwrap_or(0)).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_operation_of_the_spec_has_a_handler() {
        let missing: Vec<&str> = pipecat_cloud::catalog::OPERATIONS
            .iter()
            .map(|op| op.id)
            .filter(|id| super::handler(id).is_none())
            .collect();
        assert!(
            missing.is_empty(),
            "the spec has operations the emulator does not serve: {missing:?}; add a handler for each in emulator/src/handlers/mod.rs"
        );
    }
}
