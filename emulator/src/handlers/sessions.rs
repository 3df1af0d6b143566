//! Sessions (pipecat-cloud/fundamentals/active-sessions.mdx, scaling.mdx, guides/capacity-planning.mdx;
//! the spec's startService, getSessions, getSession, stopSession).
//!
//! A start takes an instance: a reserved one while fewer sessions run than `minAgents`, else an idle
//! instance of the serving deployment that is warm, else a cold one; at `maxAgents` running sessions it
//! is refused with 429 (the body the rule [`CapacityAnswer`] picks). Each start also brings up one free
//! idle instance, usable [`BUFFER_WARMUP_SECONDS`] later (capacity-planning.mdx). An idle instance is
//! terminated after [`IDLE_KEEP_SECONDS`] unused.
//!
//! A session ends when it is stopped (its instance is killed), at its deployment's
//! `maxSessionDuration`, or after the lifetime the emulator was started with (`--session-lifetime`),
//! whichever comes first; the last two give its instance back to the pool, unless a newer deployment
//! serves by then (deploy.mdx: instances of the prior image are terminated, not recycled). Deleting the
//! agent ends none of its sessions: they can still be read and stopped by the agent's name.

use std::time::Duration;

use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Answer, Call, page};
use crate::clock::timestamp;
use crate::reply::{Dialect, Reply, error, error_in};
use crate::rules::CapacityAnswer;
use crate::state::{Agent, DEFAULT_MAX_SESSION_SECONDS, IdleInstance, Orphan, Session, State, new_id};

/// How long an idle instance is kept before it is terminated.
pub(crate) const IDLE_KEEP_SECONDS: i64 = 300;
/// How long the idle instance a start brings up takes to become usable.
pub(crate) const BUFFER_WARMUP_SECONDS: i64 = 30;
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

fn session_not_found() -> Reply {
    error_in(Dialect::Numeric, 404, "Session not found")
}

fn seconds(n: i64) -> chrono::Duration {
    chrono::Duration::try_seconds(n).unwrap_or(chrono::Duration::MAX)
}

/// When `session` ends by itself, and how: at its cap, or at the end of the emulator's session lifetime.
/// `None` while it runs on, or when the end is past what a date can hold (a restored state may say
/// anything).
fn due_end(session: &Session, lifetime: Option<Duration>) -> Option<(DateTime<Utc>, &'static str)> {
    let at_cap = chrono::Duration::try_seconds(session.max_duration_seconds)
        .and_then(|cap| session.created_at.checked_add_signed(cap))
        .map(|at| (at, "MAX_DURATION_REACHED"));
    // The session ran its course: the completion statuses the spec lists for each kind of transport.
    let completed =
        if session.transport.as_deref() == Some("websocket") { "WS_CONNECTION_CLOSED" } else { "HTTP_COMPLETED" };
    let at_lifetime = lifetime
        .and_then(|life| chrono::Duration::from_std(life).ok())
        .and_then(|life| session.created_at.checked_add_signed(life))
        .map(|at| (at, completed));
    match (at_cap, at_lifetime) {
        (Some(cap), Some(life)) => Some(if life.0 < cap.0 { life } else { cap }),
        (one, other) => one.or(other),
    }
}

/// Ends `session` if it still runs and its end (see [`due_end`]) has come; when it ended, if it did.
fn end_if_due(session: &mut Session, now: DateTime<Utc>, lifetime: Option<Duration>) -> Option<DateTime<Utc>> {
    if session.ended_at.is_some() {
        return None;
    }
    let (at, status) = due_end(session, lifetime).filter(|(at, _)| now >= *at)?;
    session.ended_at = Some(at);
    session.completion_status = Some(status.into());
    Some(at)
}

/// Ends the sessions of `agent` whose time has come; each gives its instance back to the pool when its
/// deployment still serves.
pub(super) fn end_due(agent: &mut Agent, now: DateTime<Utc>, lifetime: Option<Duration>) {
    let serving = agent.serving().map(|d| d.id);
    let mut ended = Vec::new();
    for session in &mut agent.sessions {
        if let Some(at) = end_if_due(session, now, lifetime) {
            ended.push((at, session.deployment_id, session.id, session.completion_status.clone()));
        }
    }
    for (at, deployment, id, status) in ended {
        let how = match status.as_deref() {
            Some("MAX_DURATION_REACHED") => "reached its maximum duration and was ended",
            _ => "ended",
        };
        agent.log(at, Some(deployment), Some(id), format!("session {id} {how}"));
        if Some(deployment) == serving {
            agent.idle_instances.push(IdleInstance {
                deployment_id: deployment,
                ready_at: at,
                expires_at: at + seconds(IDLE_KEEP_SECONDS),
            });
        }
    }
}

/// Ends the sessions of deleted agents whose time has come (their instances go with their agent).
pub(super) fn end_due_orphans(orphans: &mut [Orphan], now: DateTime<Utc>, lifetime: Option<Duration>) {
    for orphan in orphans {
        end_if_due(&mut orphan.session, now, lifetime);
    }
}

/// After `deployment` became the one that serves, the pool's idle instances of other deployments are
/// replaced by instances of it, each warming up first (scaling.mdx: idle instances move to the new
/// configuration).
pub(super) fn replace_idle_instances(agent: &mut Agent, deployment: Uuid, at: DateTime<Utc>) {
    for idle in agent.idle_instances.iter_mut().filter(|idle| idle.deployment_id != deployment) {
        let ready_at = at + seconds(BUFFER_WARMUP_SECONDS);
        *idle = IdleInstance { deployment_id: deployment, ready_at, expires_at: ready_at + seconds(IDLE_KEEP_SECONDS) };
    }
}

/// The 429 of a start at capacity, as the rule in force spells it.
fn at_capacity(answer: CapacityAnswer) -> Reply {
    match answer {
        CapacityAnswer::RateLimited => Reply::json(
            429,
            json!({"status": 429, "code": "429", "message": "Rate limit exceeded. Please try again later"}),
        ),
        CapacityAnswer::AtCapacityCode => {
            error(429, "PCC-AGENT-AT-CAPACITY", "Service maximum agent instances reached")
        }
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
    let active = i64::try_from(agent.active_sessions()).unwrap_or(i64::MAX);
    if active >= config.max_agents {
        return Err(at_capacity(state.rules.capacity_answer));
    }
    let now = call.now;
    agent.idle_instances.retain(|idle| idle.expires_at > now);
    // A reserved instance while fewer sessions run than `minAgents`; else the warm idle instance of the
    // serving deployment that has waited longest; else a cold start.
    let reserved_free = active < config.min_agents;
    let warm = agent
        .idle_instances
        .iter()
        .enumerate()
        .filter(|(_, idle)| idle.deployment_id == deployment_id && idle.ready_at <= now)
        .min_by_key(|(_, idle)| idle.ready_at)
        .map(|(index, _)| index);
    let cold_start = match (reserved_free, warm) {
        (true, _) => false,
        (false, Some(index)) => {
            agent.idle_instances.remove(index);
            false
        }
        (false, None) => true,
    };
    // The free buffer: one more idle instance per start, warm after a while; never more idle instances
    // than the deployment may have.
    if i64::try_from(agent.idle_instances.len()).unwrap_or(i64::MAX) < config.max_agents {
        let ready_at = now + seconds(BUFFER_WARMUP_SECONDS);
        agent.idle_instances.push(IdleInstance {
            deployment_id,
            ready_at,
            expires_at: ready_at + seconds(IDLE_KEEP_SECONDS),
        });
    }
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

/// A session as the API shows it, of the agent with service id `service`. What is not known yet (an
/// end, a completion status) is `null`, not left out: the official client reads `endedAt` on every item
/// (pipecatcloud 1.4.0, `cli/commands/agent.py`).
fn view(session: &Session, service: Uuid, organization: &str) -> Value {
    json!({
        "sessionId": session.id.to_string(),
        "serviceId": service.to_string(),
        "organizationId": organization,
        "deploymentId": session.deployment_id.to_string(),
        "endedAt": session.ended_at.map(timestamp),
        "botStartSeconds": session.bot_start_seconds,
        "coldStart": session.cold_start,
        "completionStatus": session.completion_status,
        "createdAt": timestamp(session.created_at),
        "updatedAt": timestamp(session.ended_at.unwrap_or(session.created_at)),
        "resourceMetrics": null,
        "meetingIds": [],
    })
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
        .map(|s| view(s, agent.id, &state.organization_id))
        .collect();
    Ok(Reply::json(200, json!({"total_count": total, "sessions": sessions})))
}

fn session_id(call: &Call<'_>) -> Option<Uuid> {
    call.param("sessionId").parse().ok()
}

/// Session `id` of the agent called `name`: one of the live agent's, else one that was running when an
/// agent of that name was deleted; with the service id it belongs to.
fn find_session<'a>(state: &'a mut State, name: &str, id: Option<Uuid>) -> Result<(&'a mut Session, Uuid), Reply> {
    let id = id.ok_or_else(session_not_found)?;
    let State { agents, orphans, .. } = state;
    let live = agents.get_mut(name);
    let known = live.is_some();
    if let Some(agent) = live {
        let service = agent.id;
        if let Some(session) = agent.sessions.iter_mut().find(|s| s.id == id) {
            return Ok((session, service));
        }
    }
    let orphan = orphans.iter_mut().find(|o| o.agent_name == name && o.session.id == id);
    match orphan {
        Some(Orphan { session, service_id, .. }) => Ok((session, *service_id)),
        None if known => Err(session_not_found()),
        None => Err(agent_not_found()),
    }
}

pub(super) fn get(state: &mut State, call: &Call<'_>) -> Answer {
    let organization = state.organization_id.clone();
    let (session, service) = find_session(state, call.param("agentName"), session_id(call))?;
    Ok(Reply::json(200, view(session, service, &organization)))
}

pub(super) fn stop(state: &mut State, call: &Call<'_>) -> Answer {
    let id = session_id(call).ok_or_else(|| error_in(Dialect::Numeric, 400, "Invalid session id"))?;
    let name = call.param("agentName");
    let (session, _) = find_session(state, name, Some(id))?;
    if session.ended_at.is_none() {
        // Stopping kills the instance: nothing goes back to the pool.
        session.ended_at = Some(call.now);
        session.completion_status = Some("STOPPED".into());
        let deployment = session.deployment_id;
        if let Some(agent) = state.agents.get_mut(name).filter(|a| a.sessions.iter().any(|s| s.id == id)) {
            agent.log(call.now, Some(deployment), Some(id), format!("session {id} was stopped"));
        }
    }
    Ok(Reply::json(200, json!({"status": "terminated", "session_id": id.to_string()})))
}

/// Moves the sessions still running of `agent`, which is being deleted, where they can still be read and
/// stopped by its name.
pub(super) fn keep_running_sessions(orphans: &mut Vec<Orphan>, agent: &Agent) {
    orphans.extend(agent.sessions.iter().filter(|s| s.ended_at.is_none()).map(|session| Orphan {
        agent_name: agent.name.clone(),
        service_id: agent.id,
        session: session.clone(),
    }));
}
