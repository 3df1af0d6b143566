//! What a successful call gives back besides its typed body: the status and headers
//! ([`Response`]), and the session proxy's pass-through answer ([`PassThroughResponse`]).

use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use serde::de::DeserializeOwned;

/// Headers in which servers and proxies in front of the API report a request id, most specific first.
const REQUEST_ID_HEADERS: [&str; 4] = ["x-request-id", "x-amzn-requestid", "x-amz-cf-id", "cf-ray"];

/// The request id a server or proxy reported, if any.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<&str> {
    REQUEST_ID_HEADERS.iter().find_map(|name| headers.get(*name)).and_then(|v| v.to_str().ok())
}

/// A successful answer: the decoded body with the status and headers it came with.
///
/// `createBuild`, for example, answers 200 when a cached build matched and 201 when a new build was
/// started; `send_with_response()` tells them apart:
///
/// ```no_run
/// # async fn example(client: &pipecat_cloud::Client, body: pipecat_cloud::types::CreateBuildRequest) -> Result<(), pipecat_cloud::Error> {
/// let response = client.create_build(body).send_with_response().await?;
/// if response.status() == 200 {
///     println!("served from cache");
/// }
/// let build = response.into_body();
/// # let _ = build; Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Response<T> {
    status: u16,
    headers: HeaderMap,
    body: T,
}

impl<T> Response<T> {
    pub(crate) fn new(status: u16, headers: HeaderMap, body: T) -> Self {
        Response { status, headers, body }
    }

    /// The HTTP status, e.g. 200 or 201.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The request id the server reported (`x-request-id` and similar), for support requests.
    pub fn request_id(&self) -> Option<&str> {
        request_id(&self.headers)
    }

    /// The decoded body.
    pub fn body(&self) -> &T {
        &self.body
    }

    /// The decoded body, dropping status and headers.
    pub fn into_body(self) -> T {
        self.body
    }

    /// Status, headers and body.
    pub fn into_parts(self) -> (u16, HeaderMap, T) {
        (self.status, self.headers, self.body)
    }
}

/// Your agent's answer through the session proxy, as it came: any content type, any status in 2xx.
///
/// ```no_run
/// # async fn example(client: &pipecat_cloud::Client, session: pipecat_cloud::Uuid) -> Result<(), Box<dyn std::error::Error>> {
/// let answer = client.session_proxy_get("my-agent", session, "status").query("verbose", "1").send().await?;
/// match answer.content_type() {
///     Some(t) if t.starts_with("application/json") => println!("{:?}", answer.json::<serde_json::Value>()?),
///     _ => println!("{}", answer.text()?),
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PassThroughResponse {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
}

impl PassThroughResponse {
    pub(crate) fn new(status: u16, headers: HeaderMap, body: Bytes) -> Self {
        PassThroughResponse { status, headers, body }
    }

    /// The HTTP status your agent answered with.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The `content-type` header, if any.
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok())
    }

    /// The body's bytes (empty for HEAD and most OPTIONS answers).
    pub fn bytes(&self) -> &Bytes {
        &self.body
    }

    /// The body's bytes, dropping status and headers.
    pub fn into_bytes(self) -> Bytes {
        self.body
    }

    /// The body as UTF-8 text.
    ///
    /// # Errors
    /// When the body is not valid UTF-8.
    pub fn text(&self) -> Result<&str, std::str::Utf8Error> {
        std::str::from_utf8(&self.body)
    }

    /// The body decoded as JSON into `T`.
    ///
    /// # Errors
    /// When the body is not JSON of that shape.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }
}
