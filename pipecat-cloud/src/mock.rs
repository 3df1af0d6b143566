//! Typed mocks for tests of crates that use this one (feature `mock`): a local server that answers like
//! the API, with one-line expectations per operation.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use pipecat_cloud::mock::{MockApi, routes};
//!
//! let api = MockApi::start().await;
//! api.on(routes::delete_secret_from_set("my-set", "OLD_KEY")).respond_error(404, "NOT_FOUND", "Secret not found");
//!
//! let error = api.client().delete_secret_from_set("my-set", "OLD_KEY").send().await.unwrap_err();
//! assert_eq!((error.status(), error.code()), (Some(404), Some("NOT_FOUND")));
//! # }
//! ```
//!
//! Unlike progenitor's raw mocks, routes carry the real base paths (`/v1`, `/v1/public`) and escape the
//! values they match on exactly as the client does. A request that matches no expectation is answered
//! with status 599 and code `MOCK_UNMATCHED` (never a 404 that could pass for the API's), and the
//! [`MockApi`] panics when dropped after such a request, so the test fails loudly.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use httpmock::{Method, Mock, MockServer};
use pipecat_cloud_generated::operation::Operation;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::request::escape_segment;
use crate::{Client, ClientBuilder, RetryConfig};

/// The status a [`MockApi`] answers to a request no expectation matches. No real API answers it.
pub const UNMATCHED_STATUS: u16 = 599;
/// The error code of that answer.
pub const UNMATCHED_CODE: &str = "MOCK_UNMATCHED";
/// The private key of [`MockApi::client`].
pub const MOCK_PRIVATE_KEY: &str = "mock-private-key";
/// The public key of [`MockApi::client`].
pub const MOCK_PUBLIC_KEY: &str = "mock-public-key";

/// One function per operation, taking its path values as the client's method does and returning its
/// [`Route`].
pub mod routes {
    pipecat_cloud_generated::__pipecat_cloud_mock_routes!();
}

/// A path value of a route, as the client's method takes it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum PathValue<'a> {
    Text(&'a str),
    Uuid(Uuid),
}

/// The method and exact path (as the client sends it) of one call of an operation.
#[derive(Clone, Debug)]
pub struct Route {
    operation: &'static Operation,
    path: String,
}

impl Route {
    /// The route of `operation` with `values` for its path parameters, in path order; each value is
    /// escaped exactly as the client escapes it.
    pub(crate) fn new(operation: &'static Operation, values: &[PathValue<'_>]) -> Route {
        let mut path = format!("/v1{}", operation.path);
        for (param, value) in operation.path_params.iter().zip(values) {
            let escaped = match value {
                PathValue::Uuid(uuid) => uuid.hyphenated().to_string(),
                PathValue::Text(text) if param.sub_path => {
                    text.split('/').map(escape_segment).collect::<Vec<_>>().join("/")
                }
                PathValue::Text(text) => escape_segment(text),
            };
            path = path.replace(&format!("{{{}}}", param.name), &escaped);
        }
        Route { operation, path }
    }

    /// The operation's `operationId`.
    pub fn operation_id(&self) -> &'static str {
        self.operation.id.as_str()
    }

    /// The HTTP method, upper case.
    pub fn method(&self) -> &'static str {
        self.operation.method.as_str()
    }

    /// The path below the host, e.g. `/v1/secrets/my-set/OLD_KEY`, escaped as the client escapes it.
    pub fn path(&self) -> &str {
        &self.path
    }
}

/// A local server answering like the Pipecat Cloud API, as the test tells it to.
pub struct MockApi {
    server: MockServer,
    /// The catch-all expectation, kept last so that every other expectation is tried first.
    catch_all: Mutex<Option<usize>>,
    /// Unmatched requests answered by catch-alls that were since replaced.
    earlier_unmatched: AtomicUsize,
}

impl MockApi {
    /// Starts the server.
    pub async fn start() -> MockApi {
        let api = MockApi {
            server: MockServer::start_async().await,
            catch_all: Mutex::new(None),
            earlier_unmatched: AtomicUsize::new(0),
        };
        api.reset_catch_all();
        api
    }

    /// The server's base URL (`http://127.0.0.1:PORT`), for a client configured by hand.
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// A builder pointed at this server with [`MOCK_PRIVATE_KEY`] and [`MOCK_PUBLIC_KEY`] and retries off.
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder()
            .private_key(MOCK_PRIVATE_KEY)
            .public_key(MOCK_PUBLIC_KEY)
            .host(self.server.base_url())
            .retry(RetryConfig::disabled())
    }

    /// A client of this server, as [`MockApi::client_builder`] configures it.
    ///
    /// # Panics
    /// Never in practice: the builder's settings are fixed and valid.
    pub fn client(&self) -> Client {
        match self.client_builder().build() {
            Ok(client) => client,
            Err(e) => panic!("the mock client could not be built: {e}"),
        }
    }

    /// An expectation for `route`; finish it with one of the `respond` methods.
    pub fn on(&self, route: Route) -> Expectation<'_> {
        Expectation { api: self, route, query: Vec::new(), headers: Vec::new(), body: None }
    }

    /// Requests that matched no expectation so far.
    pub fn unmatched_requests(&self) -> usize {
        let current =
            self.catch_all.lock().unwrap_or_else(PoisonError::into_inner).map(|id| Mock::new(id, &self.server).calls());
        self.earlier_unmatched.load(Ordering::Relaxed) + current.unwrap_or(0)
    }

    /// Registers the catch-all again, after every other expectation.
    fn reset_catch_all(&self) {
        let mut slot = self.catch_all.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(id) = slot.take() {
            let mut old = Mock::new(id, &self.server);
            // A request the old catch-all answered must still fail the test.
            self.earlier_unmatched.fetch_add(old.calls(), Ordering::Relaxed);
            old.delete();
        }
        let catch_all = self.server.mock(|when, then| {
            when.any_request();
            then.status(UNMATCHED_STATUS).json_body(json!({
                "error": "no mock expectation matches this request; add one with MockApi::on",
                "code": UNMATCHED_CODE,
            }));
        });
        *slot = Some(catch_all.id);
    }
}

impl Drop for MockApi {
    fn drop(&mut self) {
        let unmatched = self.unmatched_requests();
        if unmatched > 0 && !std::thread::panicking() {
            panic!(
                "{unmatched} request(s) to the Pipecat Cloud mock matched no expectation (answered {UNMATCHED_STATUS} {UNMATCHED_CODE}); \
                 add expectations with MockApi::on"
            );
        }
    }
}

/// An expectation being set up: a route, optionally narrowed by query parameters, headers (a header
/// parameter of the operation, say) and a JSON body.
#[must_use = "an expectation does nothing until one of its `respond` methods is called"]
pub struct Expectation<'a> {
    api: &'a MockApi,
    route: Route,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<Value>,
}

impl<'a> Expectation<'a> {
    /// Only requests with this query parameter.
    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.to_string(), value.to_string()));
        self
    }

    /// Only requests carrying header `name` with `value` (names match in any case).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.to_string()));
        self
    }

    /// Only requests with exactly this JSON body.
    pub fn json_body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// Answers with `status` and a JSON `body`.
    pub fn respond(self, status: u16, body: Value) -> Mocked<'a> {
        self.register(status, Some(body))
    }

    /// Answers with the API's error body: `{"error": message, "code": code}`.
    pub fn respond_error(self, status: u16, code: &str, message: &str) -> Mocked<'a> {
        self.register(status, Some(json!({"error": message, "code": code})))
    }

    /// Answers with `status` and no body (HEAD and OPTIONS, say).
    pub fn respond_empty(self, status: u16) -> Mocked<'a> {
        self.register(status, None)
    }

    fn register(self, status: u16, body: Option<Value>) -> Mocked<'a> {
        let Expectation { api, route, query, headers, body: expected_body } = self;
        let method = Method::from(route.method());
        let mock = api.server.mock(|when, then| {
            let mut when = when.method(method).path(route.path());
            for (name, value) in &query {
                when = when.query_param(name, value);
            }
            for (name, value) in &headers {
                when = when.header(name, value);
            }
            if let Some(expected) = expected_body {
                when.json_body(expected);
            }
            let then = then.status(status);
            if let Some(body) = body {
                then.header("content-type", "application/json").json_body(body);
            }
        });
        api.reset_catch_all();
        Mocked { mock }
    }
}

/// A registered expectation: how often it was matched.
pub struct Mocked<'a> {
    mock: Mock<'a>,
}

impl Mocked<'_> {
    /// How many requests matched it so far. In async tests, prefer [`Mocked::hits_async`].
    pub fn hits(&self) -> usize {
        self.mock.calls()
    }

    /// How many requests matched it so far, without blocking the runtime.
    pub async fn hits_async(&self) -> usize {
        self.mock.calls_async().await
    }

    /// Panics unless exactly `expected` requests matched it.
    ///
    /// # Panics
    /// When the count differs: the test's assertion.
    pub fn assert_hits(&self, expected: usize) {
        let hits = self.hits();
        assert_eq!(hits, expected, "the expectation was matched {hits} time(s), expected {expected}");
    }

    /// Panics unless exactly `expected` requests matched it, without blocking the runtime.
    ///
    /// # Panics
    /// When the count differs: the test's assertion.
    pub async fn assert_hits_async(&self, expected: usize) {
        let hits = self.hits_async().await;
        assert_eq!(hits, expected, "the expectation was matched {hits} time(s), expected {expected}");
    }

    /// Removes the expectation; later requests fall through to the others.
    pub fn delete(mut self) {
        self.mock.delete();
    }

    /// Removes the expectation without blocking the runtime.
    pub async fn delete_async(self) {
        self.mock.delete_async().await;
    }
}
