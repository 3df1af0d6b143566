//! The control API, under `/_emulator/`, a prefix no spec path can take: move the clock, reset, take
//! and restore a snapshot, read the journal, set faults and rules. It takes the private key, like the
//! API; the build upload form (`POST /_emulator/uploads/{id}`) is authorized by its signed fields
//! instead, as a pre-signed URL is.
//!
//! | method and path | body | answer |
//! |---|---|---|
//! | `POST advance` | `{"seconds": 90}` | `{"now": "..."}` |
//! | `POST reset` | | `{}`: empty state, clock, journal and faults |
//! | `POST shutdown` | | `{"stopping": true}`: the process running it (`emulator serve`) stops it |
//! | `GET snapshot`, `PUT snapshot` | the state | the state; `{}` |
//! | `GET journal`, `DELETE journal` | | `{"entries": [...]}` |
//! | `GET faults`, `POST faults`, `DELETE faults` | a fault | `{"faults": [...]}` |
//! | `GET rules`, `PUT rules` | `{"failingImages": [...], "failingBuilds": [...]}` | the rules |

use std::time::Duration;

use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderMap};
use serde_json::{Value, json};

use crate::clock::timestamp;
use crate::faults::Fault;
use crate::handlers::receive_upload;
use crate::reply::{Dialect, Reply, error};
use crate::request_path::bearer;
use crate::rules::{ImageRule, Rules};
use crate::server::{BODY_TIMEOUT, SNAPSHOT_LIMIT, Shared, lock, read_body_within};
use crate::snapshot::Snapshot;
use crate::state::State;
use crate::upload_form::{FormError, FormReader, MAX_CONTEXT_BYTES};

fn bad(message: impl Into<String>) -> Reply {
    error(400, "BAD_CONTROL_REQUEST", message)
}

fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Reply> {
    serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_slice(bytes))
        .map_err(|e| bad(format!("at {}: {}", e.path(), e.inner())))
}

/// Answers a control request: `rest` is the path below `/_emulator/`.
pub(crate) async fn handle(shared: &Shared, method: &str, rest: &str, headers: &HeaderMap, body: Incoming) -> Reply {
    if let Some(id) = rest.strip_prefix("uploads/") {
        if method != "POST" {
            return error(405, "METHOD_NOT_ALLOWED", "uploads are POSTed as a multipart form");
        }
        // An unknown or expired upload is refused before its body is read.
        let known = id.parse::<uuid::Uuid>().ok().is_some_and(|id| {
            lock(&shared.state).uploads.get(&id).is_some_and(|upload| shared.clock.now() <= upload.expires_at)
        });
        if !known {
            return error(403, "ACCESS_DENIED", "no such upload, or its URL has expired; request a new one");
        }
        let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
        let form = match read_upload_form(body, headers, content_type).await {
            Ok(form) => form,
            Err(reply) => return reply,
        };
        let now = shared.clock.now();
        let reply = receive_upload(&mut lock(&shared.state), id, &form, now);
        shared.note_change();
        return reply;
    }
    if bearer(headers) != Some(shared.keys.private.as_str()) {
        return error(401, "UNAUTHORIZED", "Unauthorized: the control API takes the private key");
    }
    // A snapshot holds every build context's hash, not the context: larger than a request, far smaller
    // than an upload.
    let limit = if rest == "snapshot" { SNAPSHOT_LIMIT } else { crate::server::BODY_LIMIT };
    let bytes = match read_body_within(body, headers, limit, Dialect::Named).await {
        Ok(bytes) => bytes,
        Err(reply) => return reply,
    };
    let reply = match (method, rest) {
        ("POST", "advance") => {
            let seconds = parse::<Value>(&bytes).ok().and_then(|v| v.get("seconds").and_then(Value::as_f64));
            match seconds.and_then(|s| Duration::try_from_secs_f64(s).ok()) {
                Some(by) => match shared.clock.advance(by) {
                    Ok(()) => Reply::json(200, json!({"now": timestamp(shared.clock.now())})),
                    Err(too_far) => bad(too_far.to_string()),
                },
                None => bad("give {\"seconds\": N}, N 0 or more"),
            }
        }
        ("POST", "shutdown") => {
            // Whoever runs the emulator (`emulator serve`) stops it; a permit is kept if no one waits yet.
            shared.stop_asked.notify_one();
            Reply::json(200, json!({"stopping": true}))
        }
        ("POST", "reset") => {
            let rules = lock(&shared.state).rules.clone();
            *lock(&shared.state) = State { rules, ..State::default() };
            shared.clock.reset();
            lock(&shared.journal).clear();
            shared.clear_faults();
            Reply::json(200, json!({}))
        }
        ("GET", "snapshot") => {
            let snapshot = crate::snapshot::snapshot(&lock(&shared.state));
            Reply::json(200, serde_json::to_value(&snapshot).unwrap_or(Value::Null))
        }
        ("PUT", "snapshot") => match Snapshot::from_json(&bytes) {
            Ok(snapshot) => {
                *lock(&shared.state) = crate::snapshot::restore(snapshot);
                Reply::json(200, json!({}))
            }
            Err(problem) => bad(problem.to_string()),
        },
        ("GET", "journal") => Reply::json(200, json!({"entries": lock(&shared.journal).entries()})),
        ("DELETE", "journal") => {
            lock(&shared.journal).clear();
            Reply::json(200, json!({"entries": []}))
        }
        ("GET", "faults") => Reply::json(200, json!({"faults": lock(&shared.faults).list()})),
        ("POST", "faults") => match parse::<Fault>(&bytes) {
            Ok(fault) if fault.problem().is_some() => bad(fault.problem().unwrap_or_default()),
            Ok(fault) if fault.times == Some(0) => {
                bad("`times: 0` applies to no request; leave it out to apply until cleared")
            }
            Ok(fault) => {
                shared.add_fault(fault);
                Reply::json(200, json!({"faults": lock(&shared.faults).list()}))
            }
            Err(reply) => reply,
        },
        ("DELETE", "faults") => {
            shared.clear_faults();
            Reply::json(200, json!({"faults": []}))
        }
        ("GET", "rules") => Reply::json(200, serde_json::to_value(&lock(&shared.state).rules).unwrap_or(Value::Null)),
        ("PUT", "rules") => match parse::<Rules>(&bytes) {
            Ok(rules) => {
                if let Some(bad_rule) =
                    rules.failing_images.iter().find_map(|r| ImageRule::new(&r.image_contains, &r.code).err())
                {
                    return bad(bad_rule.to_string());
                }
                lock(&shared.state).rules = rules.clone();
                Reply::json(200, serde_json::to_value(&rules).unwrap_or(Value::Null))
            }
            Err(reply) => reply,
        },
        _ => return error(404, "NOT_FOUND", format!("no control operation {method} /_emulator/{rest}")),
    };
    if method != "GET" {
        shared.note_change();
    }
    reply
}

/// The upload form, read as it arrives (nothing but its fields and the archive's hash is kept): 413 for
/// an archive over [`MAX_CONTEXT_BYTES`] (refused before reading when `Content-Length` says so), 400 for
/// a body that is not a form, 408 when the client stops sending for [`BODY_TIMEOUT`].
async fn read_upload_form(
    mut body: Incoming,
    headers: &HeaderMap,
    content_type: Option<&str>,
) -> Result<crate::upload_form::Form, Reply> {
    use http_body_util::BodyExt;
    let malformed = |message: String| error(400, "MALFORMED_POST_REQUEST", message);
    let too_large = || error(413, "EntityTooLarge", FormError::TooLarge.to_string());
    let boundary = content_type
        .and_then(|t| t.split("boundary=").nth(1))
        .map(|b| b.split(';').next().unwrap_or(b).trim().trim_matches('"'))
        .filter(|b| !b.is_empty())
        .ok_or_else(|| malformed("the body must be multipart/form-data with a boundary".into()))?;
    // The form's own fields and boundaries add far less than a megabyte to the archive.
    let declared = headers.get(hyper::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_CONTEXT_BYTES + (1 << 20)) {
        return Err(too_large());
    }
    let mut reader = FormReader::new(boundary);
    loop {
        let frame = match tokio::time::timeout(BODY_TIMEOUT, body.frame()).await {
            Err(_) => return Err(error(408, "RequestTimeout", "the upload stopped arriving")),
            Ok(None) => break,
            Ok(Some(Err(_))) => return Err(malformed("the upload could not be read".into())),
            Ok(Some(Ok(frame))) => frame,
        };
        if let Ok(data) = frame.into_data() {
            reader.feed(&data).map_err(|e| match e {
                FormError::TooLarge => too_large(),
                other => malformed(other.to_string()),
            })?;
        }
    }
    reader.finish().map_err(|e| malformed(e.to_string()))
}
