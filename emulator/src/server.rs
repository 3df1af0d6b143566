//! The HTTP side: connections, the journal's record of each exchange, and writing answers. Every API
//! request goes through [`crate::request_path`]; the control API (`/_emulator/`) through
//! [`crate::control`]. Connections that send their head or body too slowly are closed, so one
//! dripping client cannot hold the emulator.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderMap};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinSet;

use crate::clock::{Clock, timestamp};
use crate::faults::Faults;
use crate::handlers::Settings;
use crate::journal::{Journal, JournalEntry, Kept, redact};
use crate::reply::{Dialect, Reply, ReplyBody, error, error_in};
use crate::request_path::{Answered, Stop};
use crate::routing::Router;
use crate::spec_check::SpecChecks;
use crate::state::State;

/// How long a client may take to send a request's head.
pub(crate) const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a client may take to send a request's body.
pub(crate) const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest API request body (the start body's documented cap is 1 MB of JSON).
pub(crate) const BODY_LIMIT: usize = 2 * 1024 * 1024;
/// The largest snapshot `PUT /_emulator/snapshot` takes.
pub(crate) const SNAPSHOT_LIMIT: usize = 64 * 1024 * 1024;

/// A response body: bytes, possibly cut short on purpose.
type Body = BoxBody<Bytes, std::io::Error>;

/// The organization's keys.
#[derive(Clone)]
pub(crate) struct Keys {
    /// The private key (`/v1`).
    pub(crate) private: String,
    /// The public key (`/v1/public`).
    pub(crate) public: String,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys { private: <redacted>, public: <redacted> }")
    }
}

/// Everything the connections share.
#[derive(Debug)]
pub(crate) struct Shared {
    /// The state, behind one lock.
    pub(crate) state: Mutex<State>,
    /// The emulator's clock.
    pub(crate) clock: Clock,
    /// Progression and addresses.
    pub(crate) settings: Settings,
    /// The keys.
    pub(crate) keys: Keys,
    /// The spec's checks.
    pub(crate) checks: SpecChecks,
    /// The routes.
    pub(crate) router: Router,
    /// Faults in force.
    pub(crate) faults: Mutex<Faults>,
    /// False while no fault is in force: requests then skip the faults' lock.
    pub(crate) faults_in_force: AtomicBool,
    /// The request journal.
    pub(crate) journal: Mutex<Journal>,
    /// Whether each answer is checked against the spec.
    pub(crate) check_responses: bool,
    /// Answers that did not match the spec (a defect of the emulator).
    pub(crate) problems: Mutex<Vec<String>>,
    /// Signalled after each change, when the state is kept in a file.
    pub(crate) changed: Option<Arc<Notify>>,
    /// Held while the state file is written.
    pub(crate) saving: Mutex<()>,
    /// Signalled when the control API is asked to stop the emulator (`POST /_emulator/shutdown`).
    pub(crate) stop_asked: Notify,
    /// The journal's numbering: taken under the state's lock when a handler runs, so the numbers
    /// follow the order in which requests changed the state.
    order: AtomicU64,
    /// Sends the session proxy's requests to the local bot, when one is configured.
    pub(crate) http: Option<reqwest::Client>,
}

/// What [`Shared`] is made of; the rest starts empty.
pub(crate) struct SharedParts {
    pub(crate) state: State,
    pub(crate) settings: Settings,
    pub(crate) keys: Keys,
    pub(crate) checks: SpecChecks,
    pub(crate) faults: Faults,
    pub(crate) check_responses: bool,
    pub(crate) changed: Option<Arc<Notify>>,
    pub(crate) http: Option<reqwest::Client>,
}

impl Shared {
    /// The shared state of a new emulator.
    pub(crate) fn new(parts: SharedParts) -> Self {
        Shared {
            state: Mutex::new(parts.state),
            clock: Clock::default(),
            settings: parts.settings,
            keys: parts.keys,
            checks: parts.checks,
            router: Router::new(),
            faults_in_force: AtomicBool::new(!parts.faults.is_empty()),
            faults: Mutex::new(parts.faults),
            journal: Mutex::new(Journal::default()),
            check_responses: parts.check_responses,
            problems: Mutex::new(Vec::new()),
            changed: parts.changed,
            saving: Mutex::new(()),
            stop_asked: Notify::new(),
            order: AtomicU64::new(0),
            http: parts.http,
        }
    }

    /// Asks for the state file to be written, when there is one.
    pub(crate) fn note_change(&self) {
        if let Some(changed) = &self.changed {
            changed.notify_one();
        }
    }

    /// Puts `fault` in force.
    pub(crate) fn add_fault(&self, fault: crate::faults::Fault) {
        let mut faults = lock(&self.faults);
        faults.add(fault);
        self.faults_in_force.store(!faults.is_empty(), Ordering::Relaxed);
    }

    /// Removes every fault.
    pub(crate) fn clear_faults(&self) {
        let mut faults = lock(&self.faults);
        faults.clear();
        self.faults_in_force.store(false, Ordering::Relaxed);
    }

    /// The next number of the journal's order.
    pub(crate) fn next_seq(&self) -> u64 {
        self.order.fetch_add(1, Ordering::Relaxed) + 1
    }
}

/// Locks `mutex`, recovering the value if a thread panicked while holding it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The connection was dropped on purpose (a `drop` fault).
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by a fault")]
struct Dropped;

/// Serves connections from `listener` until the task is dropped; dropping it closes them all.
pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
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

/// The query parameters of `query`, decoded.
fn parse_query(query: Option<&str>) -> Vec<(String, String)> {
    query.map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default()
}

/// Reads a body of at most `limit` bytes within [`BODY_TIMEOUT`]; a larger one is refused with 413
/// without being read whole (at once when its `Content-Length` says so).
pub(crate) async fn read_body_within(
    body: Incoming,
    headers: &HeaderMap,
    limit: usize,
    dialect: Dialect,
) -> Result<Bytes, Reply> {
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
fn body_bytes(reply: &Reply) -> (Option<&str>, Bytes) {
    match &reply.body {
        ReplyBody::Json(value) => {
            (Some("application/json"), Bytes::from(serde_json::to_vec(value).unwrap_or_default()))
        }
        ReplyBody::Encoded(bytes) => (Some("application/json"), bytes.clone()),
        ReplyBody::Raw { content_type, bytes } => (Some(content_type.as_str()), bytes.clone()),
        ReplyBody::Empty | ReplyBody::Forward(_) => (None, Bytes::new()),
    }
}

/// Writes `reply` as a response; without a body for `HEAD`; with `truncate`, half the body its
/// `Content-Length` announces, then an error that closes the connection.
fn respond(reply: &Reply, content_type: Option<&str>, bytes: Bytes, head_only: bool, truncate: bool) -> Response<Body> {
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

/// What the journal keeps of one exchange, filled in as the request goes along its path.
pub(crate) struct Exchange {
    /// Its number in the order requests changed the state, once its handler ran.
    pub(crate) seq: Option<u64>,
    /// The method.
    pub(crate) method: String,
    /// The path, without the query.
    pub(crate) path: String,
    /// The query, decoded.
    pub(crate) query: Vec<(String, String)>,
    /// The operation it matched.
    pub(crate) operation_id: Option<String>,
    /// The fault applied.
    pub(crate) fault: Option<String>,
    /// The JSON body.
    pub(crate) request_body: Option<Value>,
}

impl Exchange {
    fn record(self, shared: &Shared, status: Option<u16>, answer: Option<Bytes>) {
        let seq = self.seq.unwrap_or_else(|| shared.next_seq());
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

    /// Journals a request that will never be answered (a `hang` fault), as it stands.
    pub(crate) fn record_hung(&self, shared: &Shared) {
        let hung = Exchange {
            seq: None,
            method: self.method.clone(),
            path: self.path.clone(),
            query: self.query.clone(),
            operation_id: self.operation_id.clone(),
            fault: self.fault.clone(),
            request_body: None,
        };
        hung.record(shared, None, None);
    }
}

async fn handle(shared: Arc<Shared>, request: Request<Incoming>) -> Result<Response<Body>, Dropped> {
    let (parts, body) = request.into_parts();
    let method = parts.method.as_str().to_string();
    let path = parts.uri.path().to_string();
    if let Some(rest) = path.strip_prefix("/_emulator/") {
        let reply = crate::control::handle(&shared, &method, rest, &parts.headers, body).await;
        let (content_type, bytes) = body_bytes(&reply);
        return Ok(respond(&reply, content_type, bytes, false, false));
    }
    let query = parse_query(parts.uri.query());
    let mut exchange = Exchange { seq: None, method, path, query, operation_id: None, fault: None, request_body: None };
    let (reply, truncate) = match crate::request_path::answer(&shared, &parts.headers, body, &mut exchange).await {
        Ok(Answered { reply, truncate }) => (reply, truncate),
        Err(Stop::Reply(reply)) => (reply, false),
        Err(Stop::Dropped) => {
            exchange.record(&shared, None, None);
            return Err(Dropped);
        }
    };
    let head_only = exchange.method == "HEAD";
    // A fault's answer is the fault, not the operation's: it is not checked against the spec.
    let checked_id = exchange.operation_id.as_deref().filter(|_| exchange.fault.is_none());
    let reply = check_answer(&shared, checked_id, reply);
    let (content_type, bytes) = body_bytes(&reply);
    let answer = matches!(reply.body, ReplyBody::Json(_) | ReplyBody::Encoded(_)).then(|| bytes.clone());
    exchange.record(&shared, Some(reply.status), answer);
    Ok(respond(&reply, content_type, bytes, head_only, truncate))
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

/// The address `listener` serves, as a base URL.
pub(crate) fn base_url(address: SocketAddr) -> String {
    format!("http://{address}")
}
