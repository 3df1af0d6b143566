//! Sessions (pipecat-cloud/fundamentals/active-sessions.mdx, scaling.mdx; the spec's startService,
//! getSessions, getSession, stopSession). A start takes an instance: a warm one while fewer sessions
//! run than `minAgents`, else an instance a session that ended in the last five minutes left idle,
//! else a cold one; at `maxAgents` active sessions the start is refused with 429. A session runs until
//! it is stopped (which kills its instance) or reaches its deployment's `maxSessionDuration` (which
//! returns its instance to the pool).

use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Answer, Call, page};
use crate::clock::timestamp;
use crate::reply::{Dialect, Reply, error, error_in};
use crate::state::{Agent, DEFAULT_MAX_SESSION_SECONDS, Session, State, new_id};

/// How long an ended session's instance stays warm.
pub(crate) const IDLE_KEEP_SECONDS: i64 = 300;
/// The largest `body` a start takes for `daily` and `webrtc`.
pub(crate) const BODY_CAP_BYTES: usize = 1024 * 1024;
/// The largest `body` a start takes for `websocket`.
pub(crate) const WEBSOCKET_BODY_CAP_BYTES: usize = 4 * 1024;
/// `botStartSeconds` of a cold start and of a warm one.
pub(crate) const COLD_START_SECONDS: i64 = 10;
/// See [`COLD_START_SECONDS`].
pub(crate) const WARM_START_SECONDS: i64 = 1;

fn agent_not_found() -> Reply {
    error_in(Dialect::Numeric, 404, "API endpoint not found / agent deployment not found / Organization not found")
}

/// Ends the sessions of `agent` that reached their cap.
pub(super) fn end_overdue(agent: &mut Agent, now: DateTime<Utc>) {
    let mut ended = Vec::new();
    for session in agent.sessions.iter_mut().filter(|s| s.ended_at.is_none()) {
        // A cap no date can hold (a restored state may say anything) is never reached.
        let Some(cap) = chrono::Duration::try_seconds(session.max_duration_seconds)
            .and_then(|cap| session.created_at.checked_add_signed(cap))
        else {
            continue;
        };
        if now >= cap {
            session.ended_at = Some(cap);
            session.completion_status = Some("MAX_DURATION_REACHED".into());
            ended.push((cap, session.deployment_id, session.id));
        }
    }
    for (at, deployment, id) in ended {
        // The instance goes back to the pool (a stopped session's is killed instead).
        agent.idle_instances.push(at);
        agent.log(at, Some(deployment), Some(id), format!("session {id} reached its maximum duration and was ended"));
    }
}

/// `startService`'s body.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StartRequest {
    create_daily_room: Option<bool>,
    enable_default_ice_servers: Option<bool>,
    transport: Option<String>,
    body: Option<Value>,
}

pub(super) fn start(state: &mut State, call: &Call<'_>) -> Answer {
    let request: StartRequest = call.body_as()?;
    let name = call.param("agentName");
    let agent = state.agents.get_mut(name).ok_or_else(agent_not_found)?;
    let deployment = agent.serving().ok_or_else(|| {
        error(
            400,
            "PCC-1001",
            "Attempt to start agent when deployment is not in ready state. Is your image pull secret valid?",
        )
    })?;
    let websocket = request.transport.as_deref() == Some("websocket");
    let body_size = request.body.as_ref().map_or(0, |b| b.to_string().len());
    let cap = if websocket { WEBSOCKET_BODY_CAP_BYTES } else { BODY_CAP_BYTES };
    if body_size > cap {
        return Err(error_in(Dialect::Numeric, 413, format!("body is {body_size} bytes; at most {cap} are accepted")));
    }
    let (deployment_id, config) = (deployment.id, deployment.config.clone());
    let active = agent.active_sessions();
    if i64::try_from(active).unwrap_or(i64::MAX) >= config.max_agents {
        return Err(error(429, "PCC-AGENT-AT-CAPACITY", "Service maximum agent instances reached"));
    }
    // A warm instance: one of the `minAgents` kept warm, else one an ended session left idle in the
    // last five minutes (taken, so it serves one session); else a cold start.
    agent.idle_instances.retain(|idle| (call.now - *idle).num_seconds() < IDLE_KEEP_SECONDS);
    let reserved_free = i64::try_from(active).unwrap_or(i64::MAX) < config.min_agents;
    let cold_start = !reserved_free && agent.idle_instances.pop().is_none();
    let id = new_id();
    agent.sessions.push(Session {
        id,
        deployment_id,
        created_at: call.now,
        ended_at: None,
        cold_start,
        bot_start_seconds: if cold_start { COLD_START_SECONDS } else { WARM_START_SECONDS },
        completion_status: None,
        max_duration_seconds: config.max_session_duration.unwrap_or(DEFAULT_MAX_SESSION_SECONDS),
        transport: request.transport.clone(),
    });
    let start_type = if cold_start { "cold" } else { "warm" };
    agent.log(call.now, Some(deployment_id), Some(id), format!("session {id} started ({start_type} start)"));
    // The bot's own first line follows its start: a moment later, so the two never share a timestamp.
    let bot_line_at = call.now + chrono::Duration::milliseconds(1);
    agent.log(bot_line_at, Some(deployment_id), Some(id), format!("bot started for session {id}"));
    let mut answer = json!({"sessionId": id.to_string()});
    if request.create_daily_room == Some(true) {
        let room = id.simple().to_string();
        answer["dailyRoom"] = json!(format!("https://emulator.daily.co/{}", &room[..12]));
        answer["dailyToken"] = json!(format!("emulator-meeting-token-{room}"));
    }
    if request.enable_default_ice_servers == Some(true) {
        answer["iceConfig"] = json!({"iceServers": [{"urls": ["stun:stun.emulator.invalid:3478"]}]});
    }
    if websocket {
        let host = call.settings.base_url.replacen("http", "ws", 1);
        answer["wsUrl"] = json!(format!("{host}/ws/generic/{name}.{}", state.organization_id));
        answer["token"] = json!(format!("emulator-ws-token-{}", id.simple()));
        if let Some(body) = &request.body {
            answer["body"] = json!(base64::engine::general_purpose::STANDARD.encode(body.to_string()));
        }
    }
    Ok(Reply::json(200, answer))
}

/// A session as the API shows it; what it does not know yet (an end, a completion status) is left out.
fn view(session: &Session, agent: &Agent, organization: &str) -> Value {
    let mut view = json!({
        "sessionId": session.id.to_string(),
        "serviceId": agent.id.to_string(),
        "organizationId": organization,
        "deploymentId": session.deployment_id.to_string(),
        "endedAt": session.ended_at.map(timestamp),
        "botStartSeconds": session.bot_start_seconds,
        "coldStart": session.cold_start,
        "completionStatus": session.completion_status,
        "createdAt": timestamp(session.created_at),
        "updatedAt": timestamp(session.ended_at.unwrap_or(session.created_at)),
        "meetingIds": [],
    });
    if let Value::Object(fields) = &mut view {
        fields.retain(|_, value| !value.is_null());
    }
    view
}

/// `getSessions`' query.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListQuery {
    limit: Option<i64>,
    offset: Option<i64>,
    deployment_id: Option<String>,
    start_time: Option<i64>,
    end_time: Option<i64>,
    status: Option<String>,
    start_type: Option<String>,
    start_time_min: Option<i64>,
    start_time_max: Option<i64>,
}

pub(super) fn list(state: &mut State, call: &Call<'_>) -> Answer {
    let query: ListQuery = call.query_as()?;
    let agent = state.agents.get(call.param("agentName")).ok_or_else(agent_not_found)?;
    let (bot_min, bot_max) = (query.start_time_min.filter(|v| *v > 0), query.start_time_max.filter(|v| *v > 0));
    let matching = || {
        agent.sessions.iter().rev().filter(|s| {
            query.deployment_id.as_ref().is_none_or(|d| &s.deployment_id.to_string() == d)
                && query.start_time.is_none_or(|t| s.created_at.timestamp() >= t)
                && query.end_time.is_none_or(|t| s.created_at.timestamp() <= t)
                && match query.status.as_deref() {
                    Some("active") => s.ended_at.is_none(),
                    Some("ended") => s.ended_at.is_some(),
                    _ => true,
                }
                && match query.start_type.as_deref() {
                    Some("cold") => s.cold_start,
                    Some("warm") => !s.cold_start,
                    _ => true,
                }
                && bot_min.is_none_or(|m| s.bot_start_seconds >= m)
                && bot_max.is_none_or(|m| s.bot_start_seconds <= m)
        })
    };
    let total = matching().count();
    let sessions: Vec<Value> = page(matching(), query.limit.unwrap_or(10), query.offset.unwrap_or(0))
        .into_iter()
        .map(|s| view(s, agent, &state.organization_id))
        .collect();
    Ok(Reply::json(200, json!({"total_count": total, "sessions": sessions})))
}

fn session_id(call: &Call<'_>) -> Option<Uuid> {
    call.param("sessionId").parse().ok()
}

pub(super) fn get(state: &mut State, call: &Call<'_>) -> Answer {
    let agent = state.agents.get(call.param("agentName")).ok_or_else(agent_not_found)?;
    let id = session_id(call);
    let session = agent
        .sessions
        .iter()
        .find(|s| Some(s.id) == id)
        .ok_or_else(|| error_in(Dialect::Numeric, 404, "Session not found"))?;
    Ok(Reply::json(200, view(session, agent, &state.organization_id)))
}

pub(super) fn stop(state: &mut State, call: &Call<'_>) -> Answer {
    let agent = state.agents.get_mut(call.param("agentName")).ok_or_else(agent_not_found)?;
    let id = session_id(call).ok_or_else(|| error_in(Dialect::Numeric, 400, "Invalid session id"))?;
    let session = agent
        .sessions
        .iter_mut()
        .find(|s| s.id == id)
        .ok_or_else(|| error_in(Dialect::Numeric, 404, "Session not found"))?;
    if session.ended_at.is_none() {
        session.ended_at = Some(call.now);
        session.completion_status = Some("STOPPED".into());
        let deployment = session.deployment_id;
        agent.log(call.now, Some(deployment), Some(id), format!("session {id} was stopped"));
    }
    Ok(Reply::json(200, json!({"status": "terminated", "session_id": id.to_string()})))
}
