//! Sessions (pipecat-cloud/fundamentals/active-sessions.mdx, scaling.mdx; the spec's startService,
//! getSessions, getSession, stopSession). A start takes an instance: a warm one while fewer sessions
//! run than `minAgents`, else an instance a session that ended in the last five minutes left idle,
//! else a cold one; at `maxAgents` active sessions the start is refused with 429. A session runs until
//! it is stopped (which kills its instance) or reaches its deployment's `maxSessionDuration` (which
//! returns its instance to the pool).

use base64::Engine;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Call, page};
use crate::clock::timestamp;
use crate::reply::{Dialect, Reply, error, error_in};
use crate::state::{Agent, DEFAULT_MAX_SESSION_SECONDS, Session, State, new_id};

/// How long an ended session's instance stays warm.
pub const IDLE_KEEP_SECONDS: i64 = 300;
/// The largest `body` a start takes for `daily` and `webrtc`.
pub const BODY_CAP_BYTES: usize = 1024 * 1024;
/// The largest `body` a start takes for `websocket`.
pub const WEBSOCKET_BODY_CAP_BYTES: usize = 4 * 1024;
/// `botStartSeconds` of a cold start and of a warm one.
pub const COLD_START_SECONDS: i64 = 10;
/// See [`COLD_START_SECONDS`].
pub const WARM_START_SECONDS: i64 = 1;

fn agent_not_found() -> Reply {
    error_in(Dialect::Numeric, 404, "API endpoint not found / agent deployment not found / Organization not found")
}

/// Ends the sessions of `agent` that reached their cap.
pub fn end_overdue(agent: &mut Agent, now: DateTime<Utc>) {
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

pub fn start(state: &mut State, call: &Call<'_>) -> Reply {
    let name = call.param("agentName");
    let Some(agent) = state.agents.get_mut(name) else { return agent_not_found() };
    let Some(deployment) = agent.serving() else {
        return error(
            400,
            "PCC-1001",
            "Attempt to start agent when deployment is not in ready state. Is your image pull secret valid?",
        );
    };
    let transport = call.text("transport").map(str::to_string);
    let body = call.field("body");
    let body_size = body.map_or(0, |b| b.to_string().len());
    let cap = if transport.as_deref() == Some("websocket") { WEBSOCKET_BODY_CAP_BYTES } else { BODY_CAP_BYTES };
    if body_size > cap {
        return error_in(Dialect::Numeric, 413, format!("body is {body_size} bytes; at most {cap} are accepted"));
    }
    let (deployment_id, config) = (deployment.id, deployment.config.clone());
    let active = agent.active_sessions();
    if i64::try_from(active).unwrap_or(i64::MAX) >= config.max_agents {
        return error(429, "PCC-AGENT-AT-CAPACITY", "Service maximum agent instances reached");
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
        transport: transport.clone(),
    });
    let start_type = if cold_start { "cold" } else { "warm" };
    agent.log(call.now, Some(deployment_id), Some(id), format!("session {id} started ({start_type} start)"));
    // The bot's own first line follows its start: a moment later, so the two never share a timestamp.
    let bot_line_at = call.now + chrono::Duration::milliseconds(1);
    agent.log(bot_line_at, Some(deployment_id), Some(id), format!("bot started for session {id}"));
    let mut answer = json!({"sessionId": id.to_string()});
    if call.field("createDailyRoom").and_then(Value::as_bool) == Some(true) {
        let room = id.simple().to_string();
        answer["dailyRoom"] = json!(format!("https://emulator.daily.co/{}", &room[..12]));
        answer["dailyToken"] = json!(format!("emulator-meeting-token-{room}"));
    }
    if call.field("enableDefaultIceServers").and_then(Value::as_bool) == Some(true) {
        answer["iceConfig"] = json!({"iceServers": [{"urls": ["stun:stun.emulator.invalid:3478"]}]});
    }
    if transport.as_deref() == Some("websocket") {
        let host = call.settings.base_url.replacen("http", "ws", 1);
        answer["wsUrl"] = json!(format!("{host}/ws/generic/{name}.{}", state.organization_id));
        answer["token"] = json!(format!("emulator-ws-token-{}", id.simple()));
        if let Some(body) = body {
            answer["body"] = json!(base64::engine::general_purpose::STANDARD.encode(body.to_string()));
        }
    }
    Reply::json(200, answer)
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

pub fn list(state: &mut State, call: &Call<'_>) -> Reply {
    let Some(agent) = state.agents.get(call.param("agentName")) else { return agent_not_found() };
    let status = call.query("status").unwrap_or("all");
    let start_type = call.query("startType").unwrap_or("all");
    let after = call.query_int("startTime");
    let before = call.query_int("endTime");
    let bot_min = call.query_int("startTimeMin").filter(|v| *v > 0);
    let bot_max = call.query_int("startTimeMax").filter(|v| *v > 0);
    let matching = || {
        agent.sessions.iter().rev().filter(move |s| {
            call.query("deploymentId").is_none_or(|d| s.deployment_id.to_string() == d)
                && after.is_none_or(|t| s.created_at.timestamp() >= t)
                && before.is_none_or(|t| s.created_at.timestamp() <= t)
                && match status {
                    "active" => s.ended_at.is_none(),
                    "ended" => s.ended_at.is_some(),
                    _ => true,
                }
                && match start_type {
                    "cold" => s.cold_start,
                    "warm" => !s.cold_start,
                    _ => true,
                }
                && bot_min.is_none_or(|m| s.bot_start_seconds >= m)
                && bot_max.is_none_or(|m| s.bot_start_seconds <= m)
        })
    };
    let total = matching().count();
    let sessions: Vec<Value> =
        page(matching(), call.query_int("limit").unwrap_or(10), call.query_int("offset").unwrap_or(0))
            .into_iter()
            .map(|s| view(s, agent, &state.organization_id))
            .collect();
    Reply::json(200, json!({"total_count": total, "sessions": sessions}))
}

fn session_id(call: &Call<'_>) -> Option<Uuid> {
    call.param("sessionId").parse().ok()
}

pub fn get(state: &mut State, call: &Call<'_>) -> Reply {
    let Some(agent) = state.agents.get(call.param("agentName")) else { return agent_not_found() };
    let id = session_id(call);
    match agent.sessions.iter().find(|s| Some(s.id) == id) {
        Some(session) => Reply::json(200, view(session, agent, &state.organization_id)),
        None => error_in(Dialect::Numeric, 404, "Session not found"),
    }
}

pub fn stop(state: &mut State, call: &Call<'_>) -> Reply {
    let Some(agent) = state.agents.get_mut(call.param("agentName")) else { return agent_not_found() };
    let Some(id) = session_id(call) else { return error_in(Dialect::Numeric, 400, "Invalid session id") };
    let Some(session) = agent.sessions.iter_mut().find(|s| s.id == id) else {
        return error_in(Dialect::Numeric, 404, "Session not found");
    };
    if session.ended_at.is_none() {
        session.ended_at = Some(call.now);
        session.completion_status = Some("STOPPED".into());
        let deployment = session.deployment_id;
        agent.log(call.now, Some(deployment), Some(id), format!("session {id} was stopped"));
    }
    Reply::json(200, json!({"status": "terminated", "session_id": id.to_string()}))
}
