//! The one path every API request takes, as named steps: [`route`] → [`authenticate`] → [`fault`] →
//! [`read_body`] → [`check`] → [`handle`] → [`persist`] → [`forward`]. Each step either gives the next
//! one what it needs or stops the request with its answer ([`Stop`]); what differs per operation (its
//! error dialect, its 401, whether its body is JSON or passed through, what it reads) is its row in
//! [`crate::handlers::behaviour`], not a test of its name.

use std::time::Duration;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{AUTHORIZATION, HeaderMap};
use pipecat_cloud::ApiKeyKind;
use pipecat_cloud::operation::Operation;
use serde_json::Value;

use crate::faults::{Fault, FaultEffect};
use crate::handlers::{self, Behaviour, BodyKind, Call, Unauthorized};
use crate::reply::{Reply, ReplyBody, error, error_in};
use crate::routing::{API_PREFIX, Matched, NoRoute};
use crate::server::{BODY_LIMIT, Exchange, Shared, lock, read_body_within};
use crate::spec_check::{Refusal, check_headers, check_path_param, check_query};

/// Why a request stops before its handler's answer: an answer of its own, or a connection dropped on
/// purpose (a `drop` fault).
pub(crate) enum Stop {
    /// Answer this.
    Reply(Reply),
    /// Close the connection without answering.
    Dropped,
}

impl From<Reply> for Stop {
    fn from(reply: Reply) -> Self {
        Stop::Reply(reply)
    }
}

/// What a request ends with: the answer, and whether a fault cuts its body short.
pub(crate) struct Answered {
    /// The answer.
    pub(crate) reply: Reply,
    /// A `truncate` fault applies: half the body is sent.
    pub(crate) truncate: bool,
}

/// Runs the request path for one API request; `exchange` collects what the journal keeps.
pub(crate) async fn answer(
    shared: &Shared,
    headers: &HeaderMap,
    body: Incoming,
    exchange: &mut Exchange,
) -> Result<Answered, Stop> {
    let key = bearer(headers);
    let matched = route(shared, &exchange.method, &exchange.path, key)?;
    let (op, behaviour) = (matched.op, handlers::behaviour(matched.op.id));
    exchange.operation_id = Some(op.id.as_str().to_string());
    authenticate(shared, op, &behaviour, key)?;
    let truncate = fault(shared, op, &behaviour, exchange).await?;
    let raw = read_body_within(body, headers, BODY_LIMIT, behaviour.dialect).await?;
    let json = decode_json(&behaviour, &raw)?;
    exchange.request_body = json.clone();
    check(shared, op, &behaviour, &matched, &exchange.query, headers, json.as_ref())?;
    let reply = handle(shared, op, &behaviour, &matched, exchange, json.as_ref(), &raw);
    persist(shared, &exchange.method);
    let reply = forward(shared, &exchange.method, headers, raw, reply).await;
    Ok(Answered { reply, truncate })
}

/// The bearer token of a request.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

/// The operation of the request. An unknown path is a 404 for a known key and a 401 otherwise, so the
/// emulator tells a caller without a key nothing about its routes.
fn route(shared: &Shared, method: &str, path: &str, key: Option<&str>) -> Result<Matched, Stop> {
    let known_key = key.is_some_and(|k| k == shared.keys.private || k == shared.keys.public);
    let refused = || unauthorized(Unauthorized::Named, key).into();
    let below = path
        .strip_prefix(API_PREFIX)
        .ok_or_else(|| if known_key { Stop::from(error(404, "NOT_FOUND", "Not found")) } else { refused() })?;
    shared.router.find(method, below).map_err(|no_route| match no_route {
        _ if !known_key => refused(),
        NoRoute::UnknownPath => error(404, "NOT_FOUND", "Not found").into(),
        NoRoute::MethodNotAllowed(allowed) => {
            let allow = allowed.join(", ");
            error(405, "METHOD_NOT_ALLOWED", format!("{method} is not allowed here; this path takes {allow}"))
                .with_header("allow", allow)
                .into()
        }
        NoRoute::BadEncoding(segment) => {
            error(400, "GENERIC_BAD_REQUEST", format!("a path segment is not UTF-8 once decoded: {segment}")).into()
        }
    })
}

/// The 401 of `kind`, to a request that carried `key` (`None`: no key at all).
fn unauthorized(kind: Unauthorized, key: Option<&str>) -> Reply {
    match (kind, key) {
        (Unauthorized::Named, _) => error(401, "UNAUTHORIZED", "Unauthorized"),
        (Unauthorized::Start, None) => error(401, "PCC-1002", "Attempt to start agent without public api key."),
        (Unauthorized::TokenExpired | Unauthorized::Start, _) => error(401, "401", "Unauthorized / token expired"),
    }
}

/// The request carries the key its operation takes.
fn authenticate(shared: &Shared, op: &Operation, behaviour: &Behaviour, key: Option<&str>) -> Result<(), Stop> {
    let expected = match op.key {
        ApiKeyKind::Public => Some(shared.keys.public.as_str()),
        ApiKeyKind::Private => Some(shared.keys.private.as_str()),
        _ => None,
    };
    match expected {
        Some(expected) if key != Some(expected) => Err(unauthorized(behaviour.unauthorized, key).into()),
        _ => Ok(()),
    }
}

/// The fault that applies to this request, if one is in force: an answer of its own, a dropped
/// connection, a hang, or latency before the rest of the path. `Ok(true)` when the answer's body is
/// to be cut short.
async fn fault(shared: &Shared, op: &Operation, behaviour: &Behaviour, exchange: &mut Exchange) -> Result<bool, Stop> {
    let Some(fault) = shared.pick_fault(op.id) else { return Ok(false) };
    exchange.fault = Some(fault.label());
    match fault.effect {
        FaultEffect::Status { status, code, message, retry_after } => {
            let code = code.unwrap_or_else(|| behaviour.dialect.code(status));
            let message = message.unwrap_or_else(|| format!("fault injected by the emulator (HTTP {status})"));
            let mut reply = error(status, code, message);
            if let Some(seconds) = retry_after {
                reply = reply.with_header("retry-after", seconds.to_string());
            }
            Err(reply.into())
        }
        FaultEffect::Latency { millis } => {
            tokio::time::sleep(Duration::from_millis(millis)).await;
            Ok(false)
        }
        FaultEffect::Drop => Err(Stop::Dropped),
        FaultEffect::Hang => {
            // Journaled now: the answer never comes.
            exchange.record_hung(shared);
            std::future::pending::<()>().await;
            Ok(false)
        }
        FaultEffect::Truncate => Ok(true),
    }
}

/// The JSON body, `None` when there is none; a body the operation passes through stays bytes.
fn decode_json(behaviour: &Behaviour, raw: &Bytes) -> Result<Option<Value>, Stop> {
    if raw.is_empty() {
        return Ok(None);
    }
    match (serde_json::from_slice::<Value>(raw), behaviour.body) {
        (Ok(value), _) => Ok(Some(value)),
        (Err(_), BodyKind::PassThrough) => Ok(None),
        (Err(e), BodyKind::Json | BodyKind::JsonNamingUnknownProperties) => {
            Err(error_in(behaviour.dialect, 400, format!("Invalid request format: the body is not JSON ({e})")).into())
        }
    }
}

/// The request against the spec: path values, query, header parameters, and a JSON body by its schema.
fn check(
    shared: &Shared,
    op: &Operation,
    behaviour: &Behaviour,
    matched: &Matched,
    query: &[(String, String)],
    headers: &HeaderMap,
    body: Option<&Value>,
) -> Result<(), Stop> {
    let refuse = |refusal: Refusal| Stop::from(error_in(behaviour.dialect, 400, refusal.text()));
    for (name, value) in &matched.params {
        if let Some(param) = op.path_params.iter().find(|p| p.name == *name) {
            check_path_param(param, value).map_err(refuse)?;
        }
    }
    check_query(op, query).map_err(refuse)?;
    check_headers(op, headers).map_err(refuse)?;
    match (body, &op.body, behaviour.body) {
        (None, Some(spec), _) if spec.required => {
            Err(refuse(Refusal { pointer: "/body".into(), message: "a JSON body is required".into() }))
        }
        (Some(body), _, BodyKind::Json) => shared.checks.check_body(op, body, false).map_err(refuse),
        (Some(body), _, BodyKind::JsonNamingUnknownProperties) => {
            shared.checks.check_body(op, body, true).map_err(refuse)
        }
        _ => Ok(()),
    }
}

/// The operation's handler, under the state's lock, after what it reads is brought up to date.
fn handle(
    shared: &Shared,
    op: &'static Operation,
    behaviour: &Behaviour,
    matched: &Matched,
    exchange: &mut Exchange,
    body: Option<&Value>,
    raw: &Bytes,
) -> Reply {
    let now = shared.clock.now();
    let call = Call {
        op,
        dialect: behaviour.dialect,
        params: &matched.params,
        query: &exchange.query,
        body,
        raw_body: raw,
        now,
        settings: &shared.settings,
    };
    let mut state = lock(&shared.state);
    // Numbered under the lock: the journal's order is the order requests changed the state in.
    exchange.seq = Some(shared.next_seq());
    handlers::settle(&mut state, behaviour.reads, &matched.params, &shared.settings, now);
    (behaviour.handler)(&mut state, &call).unwrap_or_else(|refusal| refusal)
}

/// Asks for the state file to be written after a request that may have changed the state.
fn persist(shared: &Shared, method: &str) {
    if method != "GET" {
        shared.note_change();
    }
}

/// A session proxy answer the handler left to the local bot: the request goes there, outside the
/// state's lock, and the bot's answer comes back.
async fn forward(shared: &Shared, method: &str, headers: &HeaderMap, raw: Bytes, reply: Reply) -> Reply {
    match &reply.body {
        ReplyBody::Forward(url) => handlers::send_to_bot(shared.http.as_ref(), method, url, headers, raw).await,
        _ => reply,
    }
}

impl Shared {
    /// The fault that applies to a request of `operation`, if any is in force; counts it.
    fn pick_fault(&self, operation: pipecat_cloud::operation::OperationId) -> Option<Fault> {
        if !self.faults_in_force.load(std::sync::atomic::Ordering::Relaxed) {
            return None;
        }
        let mut faults = lock(&self.faults);
        let picked = faults.pick(operation.as_str());
        self.faults_in_force.store(!faults.is_empty(), std::sync::atomic::Ordering::Relaxed);
        picked
    }
}
