//! Building one request, from a facade builder's values to the URL, headers and body that are sent.
//! This is where a path segment is escaped (after [`crate::path_params`] has checked it), where the
//! query and body are written, and where per-call settings live. Every operation's builder goes
//! through [`OutgoingRequest`]; the facade reaches it with the operation's catalog entry, so nothing
//! here looks an operation up by name.

use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use pipecat_cloud_generated::operation::Operation;
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use serde::Serialize;
use uuid::Uuid;

use crate::error::Error;
use crate::path_params;
use crate::retry::RetryConfig;

/// The future of a request builder awaited directly (`client.list_secret_sets().await`).
pub type SendFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>;

/// What a path segment may hold unescaped: RFC 3986's unreserved characters only. Everything else is
/// percent-encoded, including `;` (servers that read matrix parameters would cut `KEY;x` at `;`), `+`
/// (some read it as a space), `&`, `=`, `@`, `:`, `%`, and `/` inside a single segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// `value` escaped as one path segment, as the client sends it.
pub(crate) fn escape_segment(value: &str) -> String {
    utf8_percent_encode(value, SEGMENT).to_string()
}

/// Per-call settings a builder collects: extra headers, timeout, retry policy. Cloned for each page
/// of a paged walk.
#[derive(Debug, Default, Clone)]
pub(crate) struct CallSettings {
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) retry: Option<RetryConfig>,
    /// A header that could not be used, reported when the request is sent (nothing is sent then).
    pub(crate) refused: Option<String>,
}

impl CallSettings {
    /// Adds a header for this call; a bad name or value, or `Authorization`, refuses the call.
    pub(crate) fn add_header(&mut self, name: &str, value: &str) {
        let name = match HeaderName::from_bytes(name.as_bytes()) {
            Ok(name) if name == AUTHORIZATION => {
                self.refused =
                    Some("the `Authorization` header comes from the client's keys; it cannot be set per call".into());
                return;
            }
            Ok(name) => name,
            Err(_) => {
                self.refused = Some(format!("`{}` is not a valid header name", name.escape_debug()));
                return;
            }
        };
        if value.len() > crate::header_params::MAX_HEADER_BYTES {
            self.refused = Some(format!(
                "the value of header `{name}` is {} bytes long, more than the {} a header may carry",
                value.len(),
                crate::header_params::MAX_HEADER_BYTES
            ));
            return;
        }
        match HeaderValue::from_str(value) {
            Ok(value) => self.headers.push((name, value)),
            // The value is not repeated: it may be a secret.
            Err(_) if value.chars().any(|c| c.is_control() && c != '\t') => {
                self.refused = Some(format!(
                    "the value of header `{name}` contains a control character (CR, LF, NUL...), which would end the header"
                ));
            }
            Err(_) => self.refused = Some(format!("the value of header `{name}` is not valid in an HTTP header")),
        }
    }
}

/// A body and its content type.
#[derive(Debug, Clone)]
pub(crate) struct Payload {
    pub(crate) content_type: HeaderValue,
    pub(crate) bytes: Result<Bytes, String>,
}

impl Payload {
    /// `value` as JSON; a value that does not serialize refuses the call when it is sent.
    pub(crate) fn json(value: &impl Serialize) -> Self {
        Payload {
            content_type: HeaderValue::from_static("application/json"),
            bytes: serde_json::to_vec(value).map(Bytes::from).map_err(|e| format!("the body does not serialize: {e}")),
        }
    }

    /// `bytes` with `content_type`; a content type that is not a valid header refuses the call.
    pub(crate) fn bytes(content_type: &str, bytes: Bytes) -> Self {
        match HeaderValue::from_str(content_type) {
            Ok(content_type) => Payload { content_type, bytes: Ok(bytes) },
            Err(_) => Payload {
                content_type: HeaderValue::from_static("application/octet-stream"),
                bytes: Err(format!("`{}` is not a valid content type", content_type.escape_debug())),
            },
        }
    }
}

/// A request being built for one operation.
#[derive(Debug)]
pub(crate) struct OutgoingRequest {
    pub(crate) operation: &'static Operation,
    /// `Authorization: Bearer <key>`, sensitive, when the operation needs a key.
    pub(crate) authorization: Option<HeaderValue>,
    /// The base URL's path (`/v1`), then the escaped path as it is written.
    pub(crate) path: String,
    /// The query string, form-encoded, without `?`.
    pub(crate) query: String,
    pub(crate) body: Option<(HeaderValue, Bytes)>,
    pub(crate) settings: CallSettings,
    /// Whether it asks for JSON (`Accept: application/json`): every operation but the session proxy,
    /// whose answer is the bot's, of any type.
    pub(crate) wants_json: bool,
    /// The operation's header parameters that were given, checked.
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
}

impl OutgoingRequest {
    pub(crate) fn new(
        operation: &'static Operation,
        base_path: &str,
        authorization: Option<HeaderValue>,
        settings: CallSettings,
    ) -> Self {
        let mut path = String::with_capacity(base_path.len() + operation.path.len() + 16);
        path.push_str(base_path);
        let wants_json = operation.sub_path_param().is_none();
        OutgoingRequest {
            operation,
            authorization,
            path,
            query: String::new(),
            body: None,
            settings,
            wants_json,
            headers: Vec::new(),
        }
    }

    /// Appends a fixed part of the path template.
    pub(crate) fn literal(&mut self, text: &str) {
        self.path.push_str(text);
    }

    /// Checks path parameter `index` and appends it escaped, one segment (the session proxy's sub-path
    /// keeps its `/`s, each part escaped).
    pub(crate) fn segment(&mut self, index: usize, value: &str) -> Result<(), Error> {
        let param = path_params::check(self.operation, index, value)?;
        if param.sub_path {
            for (i, part) in value.split('/').enumerate() {
                if i > 0 {
                    self.path.push('/');
                }
                self.path.extend(utf8_percent_encode(part, SEGMENT));
            }
        } else {
            self.path.extend(utf8_percent_encode(value, SEGMENT));
        }
        Ok(())
    }

    /// Appends a UUID path value; its text needs no escaping and no check.
    pub(crate) fn uuid_segment(&mut self, value: &Uuid) {
        let mut buffer = Uuid::encode_buffer();
        self.path.push_str(value.hyphenated().encode_lower(&mut buffer));
    }

    /// Adds `name=value` to the query when there is a value.
    pub(crate) fn query(&mut self, name: &str, value: Option<&impl Display>) {
        let Some(value) = value else { return };
        if !self.query.is_empty() {
            self.query.push('&');
        }
        self.query.extend(url::form_urlencoded::byte_serialize(name.as_bytes()));
        self.query.push('=');
        self.query.extend(url::form_urlencoded::byte_serialize(value.to_string().as_bytes()));
    }

    /// Checks header parameter `index`'s value against its rules and sets it, when there is a value.
    #[allow(dead_code, reason = "the facade calls it for operations with header parameters; today's spec has none")]
    pub(crate) fn header(&mut self, index: usize, value: Option<&impl Display>) -> Result<(), Error> {
        let Some(value) = value else { return Ok(()) };
        let header = crate::header_params::check(self.operation, index, &value.to_string())?;
        self.headers.push(header);
        Ok(())
    }

    /// Sets a JSON body.
    pub(crate) fn json(&mut self, value: &impl Serialize) -> Result<(), Error> {
        self.payload(Payload::json(value))
    }

    /// Sets a body.
    pub(crate) fn payload(&mut self, payload: Payload) -> Result<(), Error> {
        let bytes = payload
            .bytes
            .map_err(|message| Error::InvalidRequest { operation: self.operation.id.as_str(), message })?;
        self.body = Some((payload.content_type, bytes));
        Ok(())
    }

    /// The full URL: `base` (parsed once, when the client was built) with this request's path and query.
    /// Only the path is parsed again, not the scheme and host.
    pub(crate) fn url(&self, base: &url::Url) -> url::Url {
        let mut url = base.clone();
        url.set_path(&self.path);
        if !self.query.is_empty() {
            url.set_query(Some(&self.query));
        }
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_escape_everything_but_unreserved_characters() {
        let escaped: String = utf8_percent_encode("KEY;x=1+a&b@c:d/e%f g~h.i-j_k", SEGMENT).collect();
        assert_eq!(escaped, "KEY%3Bx%3D1%2Ba%26b%40c%3Ad%2Fe%25f%20g~h.i-j_k");
    }

    #[test]
    fn bad_or_forbidden_headers_refuse_the_call() {
        let mut settings = CallSettings::default();
        settings.add_header("x-trace", "abc");
        assert_eq!(settings.headers.len(), 1);
        assert!(settings.refused.is_none());
        settings.add_header("Authorization", "Bearer other");
        assert!(settings.refused.as_deref().is_some_and(|r| r.contains("Authorization")));
        let mut settings = CallSettings::default();
        settings.add_header("bad name", "x");
        assert!(settings.refused.is_some());
    }
}
