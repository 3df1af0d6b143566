//! Running one call of the generated client and turning its outcome into the wrapper's result: the
//! success value, or an [`Error`] that keeps the status, the API's code and message, and the request id.

use std::future::Future;
use std::time::Instant;

use pipecat_cloud_generated::operation::Operation;
use pipecat_cloud_generated::types;
use progenitor_client::{Error as GeneratedError, ResponseValue};
use reqwest::header::HeaderMap;

use tracing::Instrument;

use crate::Client;
use crate::context::{CallContext, Outcome};
use crate::error::{ApiError, Error, excerpt};
use crate::interceptor::duration_ms;

/// Headers in which servers and proxies in front of the API report a request id, most specific first.
const REQUEST_ID_HEADERS: [&str; 4] = ["x-request-id", "x-amzn-requestid", "x-amz-cf-id", "cf-ray"];

/// The error body types of the generated methods: the API's `ErrorResponse`, or none (HEAD, OPTIONS).
pub(crate) trait ErrorBody {
    /// The API's error code.
    fn code(&self) -> Option<String>;
    /// The API's message.
    fn message(&self) -> Option<String>;
}

impl ErrorBody for types::ErrorResponse {
    fn code(&self) -> Option<String> {
        Some(self.code.clone())
    }
    fn message(&self) -> Option<String> {
        Some(self.error.clone())
    }
}

impl ErrorBody for () {
    fn code(&self) -> Option<String> {
        None
    }
    fn message(&self) -> Option<String> {
        None
    }
}

impl Client {
    /// Runs `call` for `operation` after checking that this client holds the key it needs, within a
    /// call context carrying this client's options, inside a tracing span. The span and its events
    /// name the operation, method, status, attempts and duration, never a header or a body.
    pub(crate) async fn run<T, E: ErrorBody>(
        &self,
        operation: &'static Operation,
        call: impl Future<Output = Result<ResponseValue<T>, GeneratedError<E>>>,
    ) -> Result<T, Error> {
        if self.keys().for_kind(operation.key).is_err() {
            return Err(Error::MissingKey { operation: operation.id, needed: operation.key });
        }
        let span = tracing::info_span!("pipecat_cloud.call", operation = operation.id, method = operation.http_method);
        let context = CallContext::new(self.options().clone());
        let started = Instant::now();
        let result = context.scope(call).instrument(span.clone()).await;
        let outcome = context.outcome();
        let result = match result {
            Ok(value) => Ok(value.into_inner()),
            Err(error) => Err(convert(operation, error, &outcome).await),
        };
        tracing::debug!(
            parent: &span,
            status = outcome.status,
            attempts = outcome.attempts,
            duration_ms = duration_ms(started.elapsed()),
            ok = result.is_ok(),
            "call finished"
        );
        result
    }
}

async fn convert<E: ErrorBody>(operation: &'static Operation, error: GeneratedError<E>, outcome: &Outcome) -> Error {
    let id = operation.id;
    match error {
        GeneratedError::InvalidRequest(message) | GeneratedError::Custom(message) => {
            Error::InvalidRequest { operation: id, message }
        }
        GeneratedError::CommunicationError(source)
        | GeneratedError::InvalidUpgrade(source)
        | GeneratedError::ResponseBodyError(source) => {
            if source.is_timeout() {
                Error::Timeout { operation: id, source }
            } else {
                Error::Transport { operation: id, source }
            }
        }
        GeneratedError::ErrorResponse(response) => {
            let status = response.status().as_u16();
            let request_id = request_id(response.headers());
            let body = response.into_inner();
            Error::Api(ApiError {
                operation: id,
                status,
                code: body.code(),
                message: body.message(),
                body: None,
                request_id,
            })
        }
        // The generated code drops the status of a documented response whose body did not decode; the
        // call context recorded it. A documented error status with a foreign body (an HTML page from a
        // proxy, `message` instead of `error`) is still an error answered by the server.
        GeneratedError::InvalidResponsePayload(bytes, source) => {
            let text = String::from_utf8_lossy(&bytes);
            match outcome.status {
                Some(status) if status >= 400 => api_error_from_text(id, status, outcome.request_id.clone(), &text),
                status => Error::Decode { operation: id, status, body: excerpt(&text), source },
            }
        }
        GeneratedError::UnexpectedResponse(response) => {
            let status = response.status().as_u16();
            let request_id = request_id(response.headers());
            let text = response.text().await.unwrap_or_default();
            api_error_from_text(id, status, request_id, &text)
        }
    }
}

/// An [`Error::Api`] from a body of any shape: the API's JSON error (`error` or `message`, and `code`)
/// when it is one, else an excerpt of the text.
fn api_error_from_text(operation: &'static str, status: u16, request_id: Option<String>, text: &str) -> Error {
    let json: Option<serde_json::Value> = serde_json::from_str(text).ok();
    let field = |name: &str| json.as_ref().and_then(|j| j.get(name)).and_then(|v| v.as_str()).map(str::to_string);
    let code = field("code");
    let message = field("error").or_else(|| field("message"));
    let body = if code.is_none() && message.is_none() { Some(excerpt(text)) } else { None };
    Error::Api(ApiError { operation, status, code, message, body, request_id })
}

/// The request id a server or proxy reported, if any.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    REQUEST_ID_HEADERS.iter().find_map(|name| headers.get(*name)).and_then(|v| v.to_str().ok()).map(excerpt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_of_every_shape_keep_status_and_what_they_say() {
        let e = api_error_from_text("startService", 429, None, r#"{"message":"Too many","code":"RATE"}"#);
        assert_eq!(e.to_string(), "startService failed with HTTP 429 (RATE): Too many");
        let e = api_error_from_text("getService", 404, Some("r-1".into()), "<html><h1>Not Found</h1></html>");
        assert_eq!(e.status(), Some(404));
        assert_eq!(e.to_string(), "getService failed with HTTP 404: <html><h1>Not Found</h1></html> [request id r-1]");
    }
}
