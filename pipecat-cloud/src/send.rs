//! Sending a built request: the one place every call passes. It applies the call's timeout and retry
//! policy, traces each call (operation, method, status, attempts, duration; never a header or a body),
//! reads the answer, and turns it into the typed body or an [`Error`] that keeps the status whenever one
//! was received.

use std::time::{Duration, Instant};

use bytes::Bytes;
use pipecat_cloud_generated::operation::{HttpMethod, Operation};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::Client;
use crate::config::RedirectRefused;
use crate::error::{ApiError, Error, excerpt, one_line_excerpt};
use crate::request::OutgoingRequest;
use crate::response::{PassThroughResponse, Response, request_id};
use crate::retry::{AttemptEnd, next_wait};

impl Client {
    /// Sends `request`; decodes a success body as JSON `T`.
    pub(crate) async fn send_json<T: DeserializeOwned>(&self, request: OutgoingRequest) -> Result<Response<T>, Error> {
        let operation = request.operation;
        let answer = self.execute(request).await?;
        let status = answer.status.as_u16();
        match serde_json::from_slice(&answer.body) {
            Ok(body) => Ok(Response::new(status, answer.headers, body)),
            Err(source) => Err(Error::Decode { operation: operation.id.as_str(), status, source }),
        }
    }

    /// Sends `request`; a success has no body to decode.
    #[allow(dead_code, reason = "the facade calls it for operations that answer without a body; today's spec has none")]
    pub(crate) async fn send_empty(&self, request: OutgoingRequest) -> Result<Response<()>, Error> {
        let answer = self.execute(request).await?;
        Ok(Response::new(answer.status.as_u16(), answer.headers, ()))
    }

    /// Sends `request`; a success is passed through as it came (the session proxy's, and every
    /// [`crate::DynamicCall`]'s).
    pub(crate) async fn send_pass_through(&self, request: OutgoingRequest) -> Result<PassThroughResponse, Error> {
        let answer = self.execute(request).await?;
        Ok(PassThroughResponse::new(answer.status.as_u16(), answer.headers, answer.body))
    }

    /// Sends `request` under the call's retry policy; `Ok` for a 2xx answer read in full.
    async fn execute(&self, request: OutgoingRequest) -> Result<Answer, Error> {
        let wants_json = request.wants_json;
        let operation = request.operation;
        if let Some(message) = request.settings.refused.clone() {
            return Err(Error::InvalidRequest { operation: operation.id.as_str(), message });
        }
        let base = &self.shared().base_url;
        let method = method(operation.method);
        let (retry, timeout) = self.effective(&request.settings);
        let may_retry = retry.applies_to(&method);
        // Each attempt builds its request from `request`, so the first one copies nothing for retries
        // that mostly never come.
        let headers = || {
            let mut headers = HeaderMap::with_capacity(3 + request.headers.len() + request.settings.headers.len());
            if wants_json {
                headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
            }
            for (name, value) in request.headers.iter().chain(&request.settings.headers) {
                headers.append(name.clone(), value.clone());
            }
            if let Some((content_type, _)) = &request.body {
                headers.insert(CONTENT_TYPE, content_type.clone());
            }
            if let Some(authorization) = &request.authorization {
                headers.insert(reqwest::header::AUTHORIZATION, authorization.clone());
            }
            headers
        };
        let span = tracing::info_span!(
            "pipecat_cloud.call",
            operation = operation.id.as_str(),
            method = operation.method.as_str()
        );
        let started = Instant::now();
        let http = &self.shared().http;
        let send = || {
            let mut outgoing = reqwest::Request::new(method.clone(), request.url(base));
            *outgoing.headers_mut() = headers();
            if let Some((_, bytes)) = &request.body {
                *outgoing.body_mut() = Some(reqwest::Body::from(bytes.clone()));
            }
            if timeout.is_some() {
                *outgoing.timeout_mut() = timeout;
            }
            http.execute(outgoing)
        };
        // Each attempt reads the whole answer: a body that breaks off after the head is a failure like a
        // refused connection, and retried by the same rule.
        let attempts = async {
            let mut attempt: u32 = 1;
            loop {
                let attempt_started = Instant::now();
                let sent = send().await;
                let ended = match sent {
                    Ok(response) => read(response).await,
                    Err(error) => Err((error, None)),
                };
                // Only when someone listens: the URL and headers are built again for the event.
                if tracing::enabled!(target: "pipecat_cloud::attempt", tracing::Level::DEBUG) {
                    log_attempt(&method, &request.url(base), attempt, attempt_started, &ended, &headers);
                }
                let end = match &ended {
                    Ok(answer) => AttemptEnd::Answered(answer.status, &answer.headers),
                    Err((error, _)) => AttemptEnd::Failed(error),
                };
                let Some(wait) = next_wait(&retry, may_retry, attempt, &end) else { return (attempt, ended) };
                tracing::debug!(
                    attempt,
                    status = ended.as_ref().ok().map(|a| a.status.as_u16()),
                    failed = ended.is_err(),
                    wait_ms = duration_ms(wait),
                    "retrying"
                );
                drop(ended);
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
        };
        let (attempts, ended) = attempts.instrument(span.clone()).await;
        let outcome = match ended {
            Ok(answer) if answer.status.is_success() => Ok(answer),
            Ok(answer) => Err(api_error(operation, answer.status, &answer.headers, &answer.body)),
            Err((error, status)) => Err(transport_error(operation, error, status)),
        };
        tracing::debug!(
            parent: &span,
            status = outcome.as_ref().map(|a| Some(a.status.as_u16())).unwrap_or_else(Error::status),
            attempts,
            duration_ms = duration_ms(started.elapsed()),
            ok = outcome.is_ok(),
            "call finished"
        );
        outcome
    }
}

/// The event of one attempt, target `pipecat_cloud::attempt`: at DEBUG its method, path, status (or
/// failure), duration, number and request id; at TRACE also the headers sent, `Authorization` masked.
/// Never a body, never a key.
fn log_attempt(
    method: &reqwest::Method,
    url: &url::Url,
    attempt: u32,
    started: Instant,
    ended: &Result<Answer, (reqwest::Error, Option<u16>)>,
    sent: &dyn Fn() -> HeaderMap,
) {
    let (status, request_id, failure) = match ended {
        Ok(answer) => (Some(answer.status.as_u16()), request_id(&answer.headers).map(excerpt), None),
        // The innermost cause (`Connection refused`): reqwest's own text repeats the URL, whose query may
        // hold a caller's values.
        Err((error, status)) => {
            let innermost = std::iter::successors(Some(error as &dyn std::error::Error), |e| e.source()).last();
            (*status, None, innermost.map(ToString::to_string))
        }
    };
    tracing::debug!(
        target: "pipecat_cloud::attempt",
        method = method.as_str(),
        path = url.path(),
        status,
        duration_ms = duration_ms(started.elapsed()),
        attempt,
        request_id,
        failure,
        "attempt"
    );
    if tracing::enabled!(target: "pipecat_cloud::attempt", tracing::Level::TRACE) {
        let headers: Vec<String> = sent()
            .iter()
            .map(|(name, value)| {
                let shown = if name == reqwest::header::AUTHORIZATION {
                    "<masked>".to_string()
                } else {
                    value.to_str().unwrap_or("<not text>").to_string()
                };
                format!("{name}: {shown}")
            })
            .collect();
        let received: Vec<String> = ended
            .as_ref()
            .map(|answer| {
                answer
                    .headers
                    .iter()
                    .map(|(name, value)| format!("{name}: {}", value.to_str().unwrap_or("<not text>")))
                    .collect()
            })
            .unwrap_or_default();
        tracing::trace!(
            target: "pipecat_cloud::attempt",
            sent = headers.join(", "),
            received = received.join(", "),
            "headers"
        );
    }
}

/// An answer read in full, whatever its status.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

/// Reads an answer in full; a body that breaks off or times out is the error with the status received.
async fn read(mut response: reqwest::Response) -> Result<Answer, (reqwest::Error, Option<u16>)> {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    match response.bytes().await {
        Ok(body) => Ok(Answer { status, headers, body }),
        Err(error) => Err((error, Some(status.as_u16()))),
    }
}

/// An [`Error::Api`] from a body of any shape: the API's JSON error (`error` or `message`, and `code`)
/// when it is one, else an excerpt of the text.
fn api_error(operation: &'static Operation, status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Error {
    let text = String::from_utf8_lossy(body);
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let field = |name: &str| json.as_ref().and_then(|j| j.get(name)).and_then(|v| v.as_str()).map(one_line_excerpt);
    let code = field("code");
    let message = field("error").or_else(|| field("message"));
    let body = if code.is_none() && message.is_none() { Some(excerpt(&text)) } else { None };
    Error::Api(ApiError {
        operation: operation.id.as_str(),
        status: status.as_u16(),
        code,
        message,
        body,
        request_id: request_id(headers).map(excerpt),
    })
}

/// A reqwest error as the wrapper's: a timeout or a transport failure, with the status when one was
/// received (a body cut short; a redirect refused or looping, whose status the redirect policy kept).
fn transport_error(operation: &'static Operation, source: reqwest::Error, status: Option<u16>) -> Error {
    let status = status.or_else(|| redirect_status(&source));
    // The URL may hold values a caller put in a query string; errors are printed and logged.
    let source = source.without_url();
    if source.is_timeout() {
        Error::Timeout { operation: operation.id.as_str(), status, source }
    } else {
        Error::Transport { operation: operation.id.as_str(), status, source }
    }
}

fn redirect_status(error: &reqwest::Error) -> Option<u16> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(source) = next {
        if let Some(refused) = source.downcast_ref::<RedirectRefused>() {
            return Some(refused.status);
        }
        next = source.source();
    }
    None
}

fn method(method: HttpMethod) -> Method {
    match method {
        HttpMethod::Get => Method::GET,
        HttpMethod::Put => Method::PUT,
        HttpMethod::Post => Method::POST,
        HttpMethod::Delete => Method::DELETE,
        HttpMethod::Options => Method::OPTIONS,
        HttpMethod::Head => Method::HEAD,
        HttpMethod::Patch => Method::PATCH,
    }
}

pub(crate) fn duration_ms(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pipecat_cloud_generated::catalog;

    #[test]
    fn error_bodies_of_every_shape_keep_status_and_what_they_say() {
        let op = catalog::by_id("startService").unwrap_or(&catalog::OPERATIONS[0]);
        let mut headers = HeaderMap::new();
        let e = api_error(op, StatusCode::TOO_MANY_REQUESTS, &headers, br#"{"message":"Too many","code":"RATE"}"#);
        assert_eq!(e.to_string(), format!("{} failed with HTTP 429 (RATE): Too many", op.id));
        headers.insert("x-request-id", HeaderValue::from_static("r-1"));
        let e = api_error(op, StatusCode::NOT_FOUND, &headers, b"<html><h1>Not Found</h1></html>");
        assert_eq!(e.status(), Some(404));
        assert!(e.to_string().ends_with("<html><h1>Not Found</h1></html> [request id r-1]"), "{e}");
    }
}
