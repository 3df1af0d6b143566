//! Errors a person can act on. Every error names the operation; one from a response carries the HTTP
//! status, the API's `code` and message when the body has them, and whether retrying may help. None of
//! them ever carries a key: requests and headers are not kept.

use std::fmt;

use pipecat_cloud_generated::operation::ApiKeyKind;
use reqwest::StatusCode;

use crate::retry::{is_retryable_error, is_retryable_status};

/// Longest body excerpt an error keeps.
const BODY_EXCERPT: usize = 512;

/// A problem with the client's configuration, found when it is built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The API host is not usable.
    #[error("invalid API host `{host}`: {reason}")]
    InvalidHost {
        /// The host as given.
        host: String,
        /// Why it was refused and what to do.
        reason: String,
    },
    /// An API key is not usable (the key itself is never shown).
    #[error("invalid API key: {reason}")]
    InvalidKey {
        /// Why it was refused.
        reason: &'static str,
    },
    /// No key was given at all.
    #[error(
        "no API key: set PIPECAT_API_KEY (private key) or PIPECAT_DEFAULT_PUBLIC_KEY (public key), \
         or pass one to ClientBuilder::private_key / public_key"
    )]
    NoKey,
    /// The HTTP client could not be built; the cause is the [`source`](std::error::Error::source).
    #[error("the HTTP client could not be built")]
    Http(#[source] reqwest::Error),
}

/// An error answered by the API: a response with a status outside 2xx.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The operation's `operationId`.
    pub operation: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// The API's error `code` (e.g. `NOT_FOUND`, `PCC-1001`), when the body has one.
    pub code: Option<String>,
    /// The API's message (`error`, or `message` as some endpoints send it), when the body has one.
    pub message: Option<String>,
    /// The start of the body when it was not the API's JSON error (an HTML page from a proxy, say).
    pub body: Option<String>,
    /// The request id the server sent (`x-request-id` and similar), for support requests.
    pub request_id: Option<String>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed with HTTP {}", self.operation, self.status)?;
        if let Some(code) = &self.code {
            write!(f, " ({code})")?;
        }
        match (&self.message, &self.body) {
            (Some(message), _) => write!(f, ": {message}")?,
            (None, Some(body)) if !body.is_empty() => write!(f, ": {}", one_line(body))?,
            _ => {}
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

/// Everything a call through [`crate::Client`] can fail with.
///
/// `Display` says this layer's part, in one line, naming the operation (`getService: could not reach
/// the API`); the error underneath (reqwest's, and through it the socket's: `Connection refused`; or
/// the JSON decoder's, naming the place) is its [`source`](std::error::Error::source), so a printer of
/// error chains (`{:#}` with anyhow, `tracing`'s error fields) shows each layer once.
///
/// ```
/// # fn show(error: &pipecat_cloud::Error) {
/// let mut line = error.to_string();
/// let mut cause = std::error::Error::source(error);
/// while let Some(inner) = cause {
///     line.push_str(&format!(": {inner}"));
///     cause = inner.source();
/// }
/// eprintln!("{line}");
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A path parameter was refused before anything was sent.
    #[non_exhaustive]
    InvalidParameter {
        /// The operation's `operationId`.
        operation: &'static str,
        /// The parameter's name in the spec.
        parameter: &'static str,
        /// What is wrong with the value (the value itself is not repeated: it may be long or hostile).
        problem: String,
        /// The rule it broke.
        rule: String,
    },
    /// The operation needs a key this client was not given; nothing was sent.
    #[non_exhaustive]
    MissingKey {
        /// The operation's `operationId`.
        operation: &'static str,
        /// The key it needs.
        needed: ApiKeyKind,
    },
    /// The request could not be built; nothing was sent.
    #[non_exhaustive]
    InvalidRequest {
        /// The operation's `operationId`.
        operation: &'static str,
        /// What went wrong.
        message: String,
    },
    /// The API answered with an error status.
    Api(ApiError),
    /// No answer, or not all of it, within the timeout.
    #[non_exhaustive]
    Timeout {
        /// The operation's `operationId`.
        operation: &'static str,
        /// The status, when the answer had started to arrive.
        status: Option<u16>,
        /// The underlying error.
        source: reqwest::Error,
    },
    /// The connection failed or broke, before an answer arrived or while its body was read; the
    /// message names what actually happened (refused, reset, too many redirects, a cut body...).
    #[non_exhaustive]
    Transport {
        /// The operation's `operationId`.
        operation: &'static str,
        /// The status received before the failure (a body cut short, a redirect loop), if any.
        status: Option<u16>,
        /// The underlying error.
        source: reqwest::Error,
    },
    /// A paged walk ran past the time its paginator allowed
    /// ([`Paginator::max_duration`](crate::paging::Paginator::max_duration)); the items before were
    /// returned.
    #[non_exhaustive]
    WalkTimedOut {
        /// The operation's `operationId`.
        operation: &'static str,
        /// The limit.
        after: std::time::Duration,
        /// Items returned before it ended.
        items: u64,
    },
    /// A success response arrived but its body did not decode as the spec says. The body itself is not
    /// kept: a success may carry secrets (`startService`'s tokens); the decoder's error names the place.
    #[non_exhaustive]
    Decode {
        /// The operation's `operationId`.
        operation: &'static str,
        /// The HTTP status.
        status: u16,
        /// The decoding error.
        source: serde_json::Error,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidParameter { operation, parameter, problem, rule } => {
                write!(f, "{operation}: `{parameter}` {problem} ({rule}); nothing was sent")
            }
            Error::MissingKey { operation, needed } => write!(
                f,
                "{operation} needs the {needed} API key, which this client was not given; nothing was sent \
                 (set it with ClientBuilder::{needed}_key)"
            ),
            Error::InvalidRequest { operation, message } => {
                write!(f, "{operation}: the request could not be built: {message}; nothing was sent")
            }
            Error::Api(api) => write!(f, "{api}"),
            Error::Timeout { operation, status, .. } => {
                let what =
                    if status.is_some() { "timed out reading the answer" } else { "timed out waiting for the API" };
                write!(f, "{operation}: {what}{}", with_status(*status))
            }
            Error::Transport { operation, status, source } => {
                write!(f, "{operation}: {}", transport_text(*status, source))
            }
            Error::WalkTimedOut { operation, after, items } => write!(
                f,
                "{operation}: the walk over its pages took longer than {after:?}, after {items} items; ask for \
                 fewer (max_items) or allow longer"
            ),
            Error::Decode { operation, status, .. } => {
                write!(f, "{operation}: the response (HTTP {status}) did not decode as the spec says")
            }
        }
    }
}

/// The error underneath: reqwest's for a timeout or a transport failure, the JSON decoder's for a body
/// that did not decode.
impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Timeout { source, .. } | Error::Transport { source, .. } => Some(source),
            Error::Decode { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl Error {
    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Decode { status, .. } => Some(*status),
            Error::Transport { status, .. } | Error::Timeout { status, .. } => *status,
            _ => None,
        }
    }

    /// The API's error code, when the response carried one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Api(api) => api.code.as_deref(),
            _ => None,
        }
    }

    /// True when sending the same request again may succeed: timeouts, broken connections, and the
    /// statuses 408, 429, 502, 503 and 504 (the failures the client's own retries act on).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Timeout { source, .. } | Error::Transport { source, .. } => is_retryable_error(source),
            Error::Api(api) => StatusCode::from_u16(api.status).is_ok_and(is_retryable_status),
            _ => false,
        }
    }

    /// True when nothing was sent: the client refused the call itself.
    pub fn is_refused_before_sending(&self) -> bool {
        matches!(self, Error::InvalidParameter { .. } | Error::MissingKey { .. } | Error::InvalidRequest { .. })
    }
}

/// `text` on one line and at most [`BODY_EXCERPT`] bytes: what the server says goes into messages so.
pub(crate) fn one_line_excerpt(text: &str) -> String {
    excerpt(&one_line(text))
}

/// The first [`BODY_EXCERPT`] bytes of `body`, cut at a character boundary.
pub(crate) fn excerpt(body: &str) -> String {
    if body.len() <= BODY_EXCERPT {
        return body.to_string();
    }
    let mut end = BODY_EXCERPT;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &body[..end])
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What failed, with the status when one was received; the cause is the error's source.
fn transport_text(status: Option<u16>, source: &reqwest::Error) -> String {
    if crate::retry::unreadable_head(source).is_some() {
        // The head was never parsed, so its status is not known.
        return "the answer's head (status line and headers) could not be read; a retry would get the same".into();
    }
    let what = match (source.is_redirect(), status) {
        (true, _) => "stopped following redirects",
        (false, Some(_)) => "the answer broke off",
        (false, None) => "could not reach the API",
    };
    format!("{what}{}", with_status(status))
}

/// ` (HTTP 503)` when a status was received.
fn with_status(status: Option<u16>) -> String {
    status.map(|status| format!(" (HTTP {status})")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_error() -> serde_json::Error {
        serde_json::from_str::<u8>("x").err().unwrap_or_else(|| serde_json::Error::io(std::io::Error::other("x")))
    }

    #[test]
    fn every_variant_displays_as_one_line_naming_the_operation() {
        let api = ApiError {
            operation: "getService",
            status: 502,
            code: None,
            message: None,
            body: Some("<html>\n<body>Bad gateway</body>\n</html>".into()),
            request_id: Some("r-9".into()),
        };
        let errors = [
            Error::InvalidParameter {
                operation: "getService",
                parameter: "agentName",
                problem: "is empty".into(),
                rule: "a path segment must name exactly one thing".into(),
            },
            Error::MissingKey { operation: "getService", needed: ApiKeyKind::Private },
            Error::InvalidRequest { operation: "getService", message: "hook refused".into() },
            Error::Api(api),
            Error::Decode { operation: "getService", status: 200, source: decode_error() },
        ];
        for error in &errors {
            let text = error.to_string();
            assert!(text.starts_with("getService"), "{text}");
            assert!(!text.contains('\n'), "{text:?}");
        }
        assert_eq!(
            errors[3].to_string(),
            "getService failed with HTTP 502: <html> <body>Bad gateway</body> </html> [request id r-9]"
        );
        assert!(errors[3].is_retryable() && !errors[0].is_retryable() && errors[0].is_refused_before_sending());
    }

    #[test]
    fn excerpts_cut_long_bodies_at_a_character_boundary() {
        let long = "é".repeat(BODY_EXCERPT);
        let cut = excerpt(&long);
        assert!(cut.len() <= BODY_EXCERPT + '…'.len_utf8() && cut.ends_with('…'));
    }
}
