//! What a handler answers, and the API's error bodies in the two dialects the API speaks.

use bytes::Bytes;
use serde_json::{Value, json};

/// An answer, before it is written to the connection.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: ReplyBody,
    /// Extra headers (`Retry-After`, a proxied bot's content type).
    pub headers: Vec<(String, String)>,
}

/// The body of a [`Reply`].
#[derive(Debug, Clone)]
pub(crate) enum ReplyBody {
    /// No body.
    Empty,
    /// JSON.
    Json(Value),
    /// JSON already encoded (a typed view serialized straight to bytes).
    Encoded(Bytes),
    /// Bytes as a bot answered them.
    Raw {
        /// Their content type.
        content_type: String,
        /// The bytes.
        bytes: Bytes,
    },
    /// Forward the request to a local bot at this URL (the session proxy); the server does it, outside
    /// the state's lock.
    Forward(String),
}

impl Reply {
    /// A JSON answer.
    pub(crate) fn json(status: u16, body: Value) -> Self {
        Reply { status, body: ReplyBody::Json(body), headers: Vec::new() }
    }

    /// A JSON answer from a typed view, encoded at once.
    pub(crate) fn encoded(status: u16, body: &impl serde::Serialize) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => Reply { status, body: ReplyBody::Encoded(Bytes::from(bytes)), headers: Vec::new() },
            Err(e) => error(500, "INTERNAL_SERVER_ERROR", format!("the emulator could not encode its answer: {e}")),
        }
    }

    /// An answer with no body.
    pub(crate) fn empty(status: u16) -> Self {
        Reply { status, body: ReplyBody::Empty, headers: Vec::new() }
    }

    /// `{"status": "OK"}`, as deletes answer.
    pub(crate) fn ok() -> Self {
        Reply::json(200, json!({"status": "OK"}))
    }

    /// This answer with one more header.
    pub(crate) fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// The JSON body, if it is one, decoded when it was encoded already.
    pub(crate) fn json_body(&self) -> Option<std::borrow::Cow<'_, Value>> {
        match &self.body {
            ReplyBody::Json(value) => Some(std::borrow::Cow::Borrowed(value)),
            ReplyBody::Encoded(bytes) => serde_json::from_slice(bytes).ok().map(std::borrow::Cow::Owned),
            _ => None,
        }
    }
}

/// How an operation's errors are spelled. Agent, secret, build, region and property operations use
/// named codes (`NOT_FOUND`); sessions, start and the proxy use the status as a string (`"404"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// `{"error": "...", "code": "NOT_FOUND"}`.
    Named,
    /// `{"error": "...", "code": "404"}`.
    Numeric,
}

impl Dialect {
    /// The code this dialect gives `status`.
    pub(crate) fn code(self, status: u16) -> String {
        match self {
            Dialect::Numeric => status.to_string(),
            Dialect::Named => match status {
                400 | 413 => "GENERIC_BAD_REQUEST",
                401 => "UNAUTHORIZED",
                404 => "NOT_FOUND",
                405 => "METHOD_NOT_ALLOWED",
                409 => "CONFLICT",
                429 => "RATE_LIMITED",
                _ => "INTERNAL_SERVER_ERROR",
            }
            .to_string(),
        }
    }
}

/// The API's error body `{"error": message, "code": code}` with `status`.
pub(crate) fn error(status: u16, code: impl Into<String>, message: impl Into<String>) -> Reply {
    Reply::json(status, json!({"error": message.into(), "code": code.into()}))
}

/// An error in `dialect`'s code for `status`.
pub(crate) fn error_in(dialect: Dialect, status: u16, message: impl Into<String>) -> Reply {
    error(status, dialect.code(status), message)
}

/// 400 with a named code.
pub(crate) fn bad_request(message: impl Into<String>) -> Reply {
    error_in(Dialect::Named, 400, message)
}

/// 404 with a named code.
pub(crate) fn not_found(message: impl Into<String>) -> Reply {
    error_in(Dialect::Named, 404, message)
}
