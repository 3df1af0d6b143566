//! The HTTP side: connections, and the one path every request takes: route → key → fault → body →
//! spec checks → handler (under the state's lock) → answer check → journal. Connections that send
//! their head or body too slowly are closed, so one dripping client cannot hold the emulator.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinSet;

use crate::clock::{Clock, timestamp};
use crate::faults::{FaultEffect, Faults};
use crate::handlers::{self, Call, Settings};
use crate::journal::{Journal, JournalEntry, Kept, redact};
use crate::reply::{Dialect, Reply, ReplyBody, error, error_in};
use crate::routing::{API_PREFIX, NoRoute, Router};
use crate::spec_check::{SpecChecks, check_path_param, check_query};
use crate::state::State;

/// How long a client may take to send a request's head.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a client may take to send a request's body.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest API request body (the start body's documented cap is 1 MB of JSON).
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;
/// The largest build context the emulator's upload URL takes.
pub const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

/// A response body: bytes, possibly cut short on purpose.
pub type Body = BoxBody<Bytes, std::io::Error>;

/// The organization's keys.
#[derive(Clone)]
pub struct Keys {
    /// The private key (`/v1`).
    pub private: String,
    /// The public key (`/v1/public`).
    pub public: String,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys { private: <redacted>, public: <redacted> }")
    }
}

/// Everything the connections share.
#[derive(Debug)]
pub struct Shared {
    /// The state, behind one lock.
    pub state: Mutex<State>,
    /// The emulator's clock.
    pub clock: Clock,
    /// Progression and addresses.
    pub settings: Settings,
    /// The keys.
    pub keys: Keys,
    /// The spec's checks.
    pub checks: SpecChecks,
    /// The routes.
    pub router: Router,
    /// Faults in force.
    pub faults: Mutex<Faults>,
    /// False while no fault is in force: requests then skip the faults' lock.
    pub faults_in_force: std::sync::atomic::AtomicBool,
    /// The request journal.
    pub journal: Mutex<Journal>,
    /// Whether each answer is checked against the spec.
    pub check_responses: bool,
    /// Answers that did not match the spec (a defect of the emulator).
    pub problems: Mutex<Vec<String>>,
    /// Signalled after each change, when the state is kept in a file.
    pub changed: Option<Arc<Notify>>,
    /// Held while the state file is written.
    pub saving: Mutex<()>,
    /// The journal's numbering: taken under the state's lock when a handler runs, so the numbers
    /// follow the order in which requests changed the state.
    pub order: std::sync::atomic::AtomicU64,
    /// Sends the session proxy's requests to the local bot, when one is configured.
    pub http: Option<reqwest::Client>,
}

impl Shared {
    /// Asks for the state file to be written, when there is one.
    pub fn note_change(&self) {
        if let Some(changed) = &self.changed {
            changed.notify_one();
        }
    }

    /// Puts `fault` in force.
    pub fn add_fault(&self, fault: crate::faults::Fault) {
        let mut faults = lock(&self.faults);
        faults.add(fault);
        self.faults_in_force.store(!faults.is_empty(), std::sync::atomic::Ordering::Relaxed);
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        let mut faults = lock(&self.faults);
        faults.clear();
        self.faults_in_force.store(false, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Locks `mutex`, recovering the value if a thread panicked while holding it.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The connection was dropped on purpose (a `drop` fault).
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by a fault")]
pub struct Dropped;

/// Serves connections from `listener` until the task is dropped; dropping it closes them all.
pub async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of file descriptors or similar: wait instead of spinning.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                connections.spawn(async move {
                    let service = service_fn(move |request| handle(shared.clone(), request));
                    let _ = http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(HEAD_TIMEOUT)
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// The bearer token of a request.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

/// The query parameters of `query`, decoded.
pub fn parse_query(query: Option<&str>) -> Vec<(String, String)> {
    query.map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default()
}

/// Reads a body of at most `limit` bytes within [`BODY_TIMEOUT`]; a larger one is refused with 413
/// without being read whole (at once when its `Content-Length` says so).
pub async fn read_body(body: Incoming, headers: &HeaderMap, limit: usize, dialect: Dialect) -> Result<Bytes, Reply> {
    let too_large = || error_in(dialect, 413, format!("the request body is larger than {limit} bytes"));
    if hyper::body::Body::is_end_stream(&body) {
        return Ok(Bytes::new());
    }
    let declared = headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }
    match tokio::time::timeout(BODY_TIMEOUT, Limited::new(body, limit).collect()).await {
        Err(_) => Err(error_in(dialect, 408, "the request body did not arrive in time")),
        Ok(Err(error)) if error.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Ok(Err(_)) => Err(error_in(dialect, 400, "the request body could not be read")),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
    }
}

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).map_err(|never| match never {}).boxed()
}

/// The content type and bytes of `reply`'s body.
pub fn body_bytes(reply: &Reply) -> (Option<&str>, Bytes) {
    match &reply.body {
        ReplyBody::Json(value) => {
            (Some("application/json"), Bytes::from(serde_json::to_vec(value).unwrap_or_default()))
        }
        ReplyBody::Encoded(bytes) => (Some("application/json"), bytes.clone()),
        ReplyBody::Raw { content_type, bytes } => (Some(content_type.as_str()), bytes.clone()),
        ReplyBody::Empty | ReplyBody::Forward(_) => (None, Bytes::new()),
    }
}

/// Writes `reply` as a response; with `truncate`, half the body its `Content-Length` announces, then
/// an error that closes the connection.
pub fn respond(reply: &Reply, head_only: bool, truncate: bool) -> Response<Body> {
    let (content_type, bytes) = body_bytes(reply);
    respond_with(reply, content_type, bytes, head_only, truncate)
}

fn respond_with(
    reply: &Reply,
    content_type: Option<&str>,
    bytes: Bytes,
    head_only: bool,
    truncate: bool,
) -> Response<Body> {
    let mut builder = Response::builder().status(reply.status);
    if let Some(content_type) = content_type {
        builder = builder.header(CONTENT_TYPE, content_type);
    }
    for (name, value) in &reply.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder = builder.header(CONTENT_LENGTH, bytes.len());
    let body = if head_only {
        full(Bytes::new())
    } else if truncate && bytes.len() > 1 {
        let half = bytes.slice(..bytes.len() / 2);
        let frames: Vec<Result<Frame<Bytes>, std::io::Error>> = vec![
            Ok(Frame::data(half)),
            Err(std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "body cut short by a fault")),
        ];
        BodyExt::boxed(StreamBody::new(futures_util::stream::iter(frames)))
    } else {
        full(bytes)
    };
    // Only a status outside 100 to 599 (refused when a fault is set) could make the builder fail.
    builder.body(body).unwrap_or_else(|_| {
        let mut fallback = Response::new(full(Bytes::new()));
        *fallback.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        fallback
    })
}

/// What the journal keeps of one exchange.
struct Exchange {
    seq: Option<u64>,
    method: String,
    path: String,
    query: Vec<(String, String)>,
    operation_id: Option<String>,
    fault: Option<String>,
    request_body: Option<Value>,
}

impl Exchange {
    /// A copy of what is known before the body is read.
    fn clone_head(&self) -> Exchange {
        Exchange {
            seq: None,
            method: self.method.clone(),
            path: self.path.clone(),
            query: Vec::new(),
            operation_id: self.operation_id.clone(),
            fault: self.fault.clone(),
            request_body: None,
        }
    }

    fn record(self, shared: &Shared, status: Option<u16>, answer: Option<Bytes>) {
        let seq = self.seq.unwrap_or_else(|| shared.order.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
        let entry = JournalEntry {
            seq,
            at: timestamp(shared.clock.now()),
            method: self.method,
            path: self.path,
            query: self.query,
            operation_id: self.operation_id,
            status,
            fault: self.fault,
            request_body: self.request_body.as_ref().map(redact),
            response_body: None,
        };
        lock(&shared.journal).push(Kept { entry, answer });
    }
}

async fn handle(shared: Arc<Shared>, request: Request<Incoming>) -> Result<Response<Body>, Dropped> {
    let (parts, body) = request.into_parts();
    let method = parts.method.as_str().to_string();
    let path = parts.uri.path().to_string();
    let query = parse_query(parts.uri.query());
    if let Some(rest) = path.strip_prefix("/_emulator/") {
        let reply = crate::control::handle(&shared, &method, rest, &parts.headers, body).await;
        return Ok(respond(&reply, false, false));
    }
    let mut exchange = Exchange {
        seq: None,
        method: method.clone(),
        path: path.clone(),
        query,
        operation_id: None,
        fault: None,
        request_body: None,
    };
    let (reply, truncate) = match answer(&shared, &parts.headers, body, &mut exchange).await {
        Outcome::Reply(reply, truncate) => (reply, truncate),
        Outcome::Dropped => {
            exchange.record(&shared, None, None);
            return Err(Dropped);
        }
    };
    let head_only = method == "HEAD";
    // A fault's answer is the fault, not the operation's: it is not checked against the spec.
    let checked_id = exchange.operation_id.as_deref().filter(|_| exchange.fault.is_none());
    let reply = check_answer(&shared, checked_id, reply);
    let (content_type, bytes) = body_bytes(&reply);
    let answer = matches!(reply.body, ReplyBody::Json(_) | ReplyBody::Encoded(_)).then(|| bytes.clone());
    exchange.record(&shared, Some(reply.status), answer);
    Ok(respond_with(&reply, content_type, bytes, head_only, truncate))
}

enum Outcome {
    Reply(Reply, bool),
    Dropped,
}

fn unauthorized(operation_id: &str) -> Reply {
    match operation_id {
        "startService" => error(401, "PCC-1002", "Attempt to start agent without public api key."),
        id if id.starts_with("sessionProxy") => error(401, "401", "Unauthorized / token expired"),
        _ => error(401, "UNAUTHORIZED", "Unauthorized"),
    }
}

async fn answer(shared: &Shared, headers: &HeaderMap, body: Incoming, exchange: &mut Exchange) -> Outcome {
    let key = bearer(headers);
    let known_key = key.is_some_and(|k| k == shared.keys.private || k == shared.keys.public);
    let Some(below) = exchange.path.strip_prefix(API_PREFIX) else {
        return Outcome::Reply(if known_key { error(404, "NOT_FOUND", "Not found") } else { unauthorized("") }, false);
    };
    let matched = match shared.router.find(&exchange.method, below) {
        Ok(matched) => matched,
        Err(_) if !known_key => return Outcome::Reply(unauthorized(""), false),
        Err(NoRoute::UnknownPath) => return Outcome::Reply(error(404, "NOT_FOUND", "Not found"), false),
        Err(NoRoute::BadEncoding(segment)) => {
            return Outcome::Reply(
                error(400, "GENERIC_BAD_REQUEST", format!("a path segment is not UTF-8 once decoded: {segment}")),
                false,
            );
        }
    };
    let op = matched.op;
    exchange.operation_id = Some(op.id.to_string());
    let dialect = Dialect::of(op.id);
    let expected = match op.key {
        pipecat_cloud::ApiKeyKind::Public => Some(&shared.keys.public),
        pipecat_cloud::ApiKeyKind::Private => Some(&shared.keys.private),
        _ => None,
    };
    if expected.is_some_and(|expected| key != Some(expected.as_str())) {
        return Outcome::Reply(unauthorized(op.id), false);
    }
    let fault = if shared.faults_in_force.load(std::sync::atomic::Ordering::Relaxed) {
        let mut faults = lock(&shared.faults);
        let picked = faults.pick(op.id);
        shared.faults_in_force.store(!faults.is_empty(), std::sync::atomic::Ordering::Relaxed);
        drop(faults);
        picked
    } else {
        None
    };
    let mut truncate = false;
    if let Some(fault) = &fault {
        exchange.fault = Some(fault.label());
        match &fault.effect {
            FaultEffect::Status { status, code, message, retry_after } => {
                let code = code.clone().unwrap_or_else(|| dialect.code(*status));
                let message =
                    message.clone().unwrap_or_else(|| format!("fault injected by the emulator (HTTP {status})"));
                let mut reply = error(*status, code, message);
                if let Some(seconds) = retry_after {
                    reply = reply.with_header("retry-after", seconds.to_string());
                }
                return Outcome::Reply(reply, false);
            }
            FaultEffect::Latency { millis } => tokio::time::sleep(Duration::from_millis(*millis)).await,
            FaultEffect::Drop => return Outcome::Dropped,
            FaultEffect::Hang => {
                // Journaled now: the answer never comes.
                let hung = Exchange { request_body: None, query: exchange.query.clone(), ..exchange.clone_head() };
                hung.record(shared, None, None);
                std::future::pending::<()>().await;
            }
            FaultEffect::Truncate => truncate = true,
        }
    }
    let raw = match read_body(body, headers, BODY_LIMIT, dialect).await {
        Ok(raw) => raw,
        Err(reply) => return Outcome::Reply(reply, false),
    };
    let json_body = if raw.is_empty() {
        None
    } else {
        match serde_json::from_slice::<Value>(&raw) {
            Ok(value) => Some(value),
            Err(_) if op.id.starts_with("sessionProxy") => None,
            Err(e) => {
                return Outcome::Reply(
                    error_in(dialect, 400, format!("Invalid request format: the body is not JSON ({e})")),
                    false,
                );
            }
        }
    };
    exchange.request_body = json_body.clone();
    if let Some(refusal) = checks(shared, op, &matched.params, &exchange.query, json_body.as_ref()) {
        return Outcome::Reply(error_in(dialect, 400, refusal.text()), false);
    }
    let now = shared.clock.now();
    let call = Call {
        op,
        params: &matched.params,
        query: &exchange.query,
        body: json_body.as_ref(),
        raw_body: &raw,
        now,
        settings: &shared.settings,
    };
    let handler = handlers::handler(op.id);
    let reply = {
        let mut state = lock(&shared.state);
        exchange.seq = Some(shared.order.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
        handlers::settle_for(&mut state, op, &matched.params, &shared.settings, now);
        match handler {
            Some(handler) => handler(&mut state, &call),
            None => error(501, "NOT_IMPLEMENTED", format!("the emulator does not serve {} yet", op.id)),
        }
    };
    if exchange.method != "GET" {
        shared.note_change();
    }
    let reply = match &reply.body {
        ReplyBody::Forward(url) => forward(shared, &exchange.method, url, headers, raw).await,
        _ => reply,
    };
    Outcome::Reply(reply, truncate)
}

fn checks(
    shared: &Shared,
    op: &pipecat_cloud::operation::Operation,
    params: &[(&'static str, String)],
    query: &[(String, String)],
    body: Option<&Value>,
) -> Option<crate::spec_check::Refusal> {
    for (name, value) in params {
        if let Some(param) = op.path_params.iter().find(|p| p.name == *name)
            && let Err(refusal) = check_path_param(param, value)
        {
            return Some(refusal);
        }
    }
    if let Err(refusal) = check_query(op, query) {
        return Some(refusal);
    }
    match (body, &op.body) {
        (None, Some(spec)) if spec.required => {
            Some(crate::spec_check::Refusal { pointer: "/body".into(), message: "a JSON body is required".into() })
        }
        (Some(body), _) if !op.id.starts_with("sessionProxy") => shared.checks.check_body(op, body).err(),
        _ => None,
    }
}

/// Checks an answer against the spec when asked to; a mismatch is the emulator's defect, answered as
/// a 500 that says so and kept for [`crate::Emulator::response_problems`].
fn check_answer(shared: &Shared, operation_id: Option<&str>, reply: Reply) -> Reply {
    let Some(id) = operation_id.filter(|_| shared.check_responses) else { return reply };
    if matches!(reply.body, ReplyBody::Raw { .. }) {
        return reply;
    }
    match shared.checks.check_response(id, reply.status, reply.json_body().as_deref()) {
        Ok(()) => reply,
        Err(problem) => {
            lock(&shared.problems).push(problem.clone());
            error(500, "EMULATOR_SPEC_MISMATCH", format!("the emulator's answer does not match the spec: {problem}"))
        }
    }
}

/// Sends a session proxy request on to the local bot and answers with what it said.
async fn forward(shared: &Shared, method: &str, url: &str, headers: &HeaderMap, body: Bytes) -> Reply {
    let Ok(method) = reqwest::Method::from_bytes(method.as_bytes()) else {
        return error_in(Dialect::Numeric, 400, "unsupported method");
    };
    let Some(http) = &shared.http else {
        return error_in(Dialect::Numeric, 500, "no bot is configured to forward to");
    };
    let mut request = http.request(method, url).body(body);
    for (name, value) in headers {
        // The documented three, and the hop-by-hop headers no proxy forwards.
        let skipped = matches!(
            name.as_str(),
            "host"
                | "content-length"
                | "authorization"
                | "connection"
                | "keep-alive"
                | "transfer-encoding"
                | "te"
                | "trailer"
                | "upgrade"
                | "proxy-authorization"
                | "proxy-connection"
        );
        if !skipped {
            request = request.header(name.as_str(), value.as_bytes());
        }
    }
    match request.send().await {
        Ok(answer) => {
            let status = answer.status().as_u16();
            let content_type = answer
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("application/octet-stream")
                .to_string();
            match answer.bytes().await {
                Ok(bytes) => Reply { status, body: ReplyBody::Raw { content_type, bytes }, headers: Vec::new() },
                Err(e) => error_in(Dialect::Numeric, 502, format!("the bot's answer was cut short: {e}")),
            }
        }
        Err(e) => error_in(Dialect::Numeric, 502, format!("the bot did not answer: {e}")),
    }
}

/// The address `listener` serves, as a base URL.
pub fn base_url(address: SocketAddr) -> String {
    format!("http://{address}")
}
