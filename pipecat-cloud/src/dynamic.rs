//! Calling any operation by its catalog entry, with values as text: for tools that take them from a
//! command line or a file (the `pipecat-cloud` CLI), where the typed builders of
//! [`crate::operations`] would need one code path per operation. The request goes through the same
//! steps as a typed call: the key is chosen by the catalog, every path value is checked and escaped,
//! retries, timeouts and errors are the same.

use std::time::Duration;

use bytes::Bytes;
use pipecat_cloud_generated::operation::Operation;
use serde::Serialize;

use crate::client::Client;
use crate::error::Error;
use crate::request::{CallSettings, Payload};
use crate::response::PassThroughResponse;
use crate::retry::RetryConfig;

/// A request to one operation, built from text values; see [`Client::call`]. A paged list's call
/// pages itself with [`DynamicCall::paginate`].
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let client = pipecat_cloud::Client::from_env()?;
/// let operation = pipecat_cloud::catalog::by_id("getService").ok_or("no such operation")?;
/// let answer = client.call(operation).path_param("agentName", "voice-starter").send().await?;
/// let agent: serde_json::Value = answer.json()?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct DynamicCall<'a> {
    client: &'a Client,
    operation: &'static Operation,
    path_values: Vec<(String, String)>,
    query: Vec<(String, String)>,
    body: Option<Payload>,
    settings: CallSettings,
}

impl Client {
    /// Starts a request to `operation` (an entry of [`crate::catalog::OPERATIONS`]), with its values
    /// given as text by name. Prefer the typed methods (`client.get_service(..)`) in code; this is for
    /// tools that work over every operation.
    pub fn call(&self, operation: &'static Operation) -> DynamicCall<'_> {
        DynamicCall {
            client: self,
            operation,
            path_values: Vec::new(),
            query: Vec::new(),
            body: None,
            settings: CallSettings::default(),
        }
    }
}

impl<'a> DynamicCall<'a> {
    /// Sets path parameter `name` (its spec name, e.g. `agentName`). It is checked against the spec's
    /// rules when the request is sent; a UUID parameter must parse as a UUID.
    pub fn path_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.path_values.push((name.into(), value.into()));
        self
    }

    /// Adds `name=value` to the query string. A name the operation does not list is refused when the
    /// request is sent, except for the session proxy, which passes any query to the agent.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Sets a JSON body.
    pub fn json(mut self, body: &impl Serialize) -> Self {
        self.body = Some(Payload::json(body));
        self
    }

    /// Sets a body of another content type.
    pub fn bytes(mut self, content_type: &str, body: impl Into<Bytes>) -> Self {
        self.body = Some(Payload::bytes(content_type, body.into()));
        self
    }

    /// Adds a header to this request only (`Authorization` is refused: keys come from the client). A
    /// header parameter of the operation (its name as the spec writes it, in any case) is checked against
    /// its rules when the request is sent, and a required one that is not given is refused then.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.settings.add_header(name, value);
        self
    }

    /// Time allowed for each attempt of this request, instead of the client's.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout = Some(timeout);
        self
    }

    /// The retry policy of this request, instead of the client's.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.settings.retry = Some(retry);
        self
    }

    /// Sends the request. A success is passed through as it came (status, headers, bytes; `.json()`
    /// decodes it); an error status is [`Error::Api`]. A missing or unknown parameter, a value that
    /// breaks the spec's rules, or a missing key is refused before anything is sent.
    pub async fn send(self) -> Result<PassThroughResponse, Error> {
        let operation = self.operation;
        let refuse = |message: String| Error::InvalidRequest { operation: operation.id.as_str(), message };
        // A header that could not be set is what the caller needs to hear first.
        if let Some(refused) = &self.settings.refused {
            return Err(refuse(refused.clone()));
        }
        for (name, _) in &self.path_values {
            if !operation.path_params.iter().any(|p| p.name == name) {
                return Err(refuse(format!("`{name}` is not a path parameter of this operation")));
            }
        }
        let proxy = operation.sub_path_param().is_some();
        for (name, _) in &self.query {
            if !proxy && !operation.query_params.iter().any(|p| p.name == name) {
                return Err(refuse(format!("`{name}` is not a query parameter of this operation")));
            }
        }
        if let Some(missing) =
            operation.query_params.iter().find(|p| p.required && !self.query.iter().any(|(n, _)| n == p.name))
        {
            return Err(refuse(format!("the query parameter `{}` is required", missing.name)));
        }
        if operation.body.as_ref().is_some_and(|b| b.required) && self.body.is_none() {
            return Err(refuse("this operation needs a body".into()));
        }
        // The operation's header parameters, given as per-call headers: each checked by its rules.
        for (index, param) in operation.header_params.iter().enumerate() {
            let given = self.settings.headers.iter().find(|(name, _)| name.as_str().eq_ignore_ascii_case(param.name));
            match given {
                None if param.required => {
                    return Err(refuse(format!("the header parameter `{}` is required", param.name)));
                }
                None => {}
                Some((_, value)) => {
                    let text =
                        value.to_str().map_err(|_| refuse(format!("the header `{}` is not text", param.name)))?;
                    crate::header_params::check(operation, index, text)?;
                }
            }
        }
        let client = self.client;
        let mut request = client.request(operation, self.settings)?;
        let mut rest = operation.path;
        while let Some(open) = rest.find('{') {
            request.literal(&rest[..open]);
            let close = rest[open..]
                .find('}')
                .map(|i| open + i)
                .ok_or_else(|| refuse("the catalog's path is malformed".into()))?;
            let name = &rest[open + 1..close];
            let index = operation
                .path_params
                .iter()
                .position(|p| p.name == name)
                .ok_or_else(|| refuse(format!("the catalog lists no rules for `{name}`")))?;
            let value = self
                .path_values
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                .ok_or_else(|| refuse(format!("the path parameter `{name}` is required")))?;
            if operation.path_params[index].format == Some("uuid") {
                let uuid: uuid::Uuid = value.parse().map_err(|_| Error::InvalidParameter {
                    operation: operation.id.as_str(),
                    parameter: operation.path_params[index].name,
                    problem: "is not a UUID".into(),
                    rule: "format: uuid".into(),
                })?;
                request.uuid_segment(&uuid);
            } else {
                request.segment(index, value)?;
            }
            rest = &rest[close + 1..];
        }
        request.literal(rest);
        for (name, value) in &self.query {
            request.query(name, Some(value));
        }
        if let Some(body) = self.body {
            request.payload(body)?;
        }
        client.send_pass_through(request).await
    }
}

/// A catalog call over a paged list, as a source of pages: items are JSON values.
#[derive(Debug)]
pub struct DynamicList<'a> {
    call: DynamicCall<'a>,
    shape: &'static pipecat_cloud_generated::operation::ListShape,
}

impl<'a> DynamicCall<'a> {
    /// A walk over every page of this call, when its operation is a paged list
    /// ([`Operation::list`](pipecat_cloud_generated::operation::Operation::list)); `None` for any other
    /// operation. The call's own `limit` is the page size, its `offset` where the walk starts; see
    /// [`crate::paging`] for the rest.
    pub fn paginate(self) -> Option<crate::paging::Paginator<'a, DynamicList<'a>>> {
        let shape = self.operation.list.as_ref()?;
        Some(crate::paging::Paginator::new(DynamicList { call: self, shape }))
    }

    fn query_number(&self, name: &str) -> Option<u64> {
        self.query.iter().rev().find(|(n, _)| n == name).and_then(|(_, v)| v.parse().ok())
    }
}

impl<'a> crate::paging::Source<'a> for DynamicList<'a> {
    type Item = serde_json::Value;

    fn operation(&self) -> &'static str {
        self.call.operation.id.as_str()
    }

    fn max_limit(&self) -> Option<u64> {
        self.shape.max_limit
    }

    fn start_offset(&self) -> u64 {
        self.call.query_number("offset").unwrap_or(0)
    }

    fn requested_limit(&self) -> Option<u64> {
        self.call.query_number("limit")
    }

    fn fetch(&self, limit: u64, offset: u64) -> crate::request::SendFuture<'a, crate::paging::Fetched<Self::Item>> {
        let mut call = self.call.clone();
        call.query.retain(|(name, _)| name != "limit" && name != "offset");
        let call = call.query("limit", limit.to_string()).query("offset", offset.to_string());
        let (items_name, total_name, operation) = (self.shape.items, self.shape.total, self.call.operation.id.as_str());
        Box::pin(async move {
            let answer = call.send().await?;
            let mut page: serde_json::Value =
                answer.json().map_err(|source| Error::Decode { operation, status: answer.status(), source })?;
            let total = page.get(total_name).and_then(crate::paging::Total::read);
            let items = match page.get_mut(items_name).map(serde_json::Value::take) {
                Some(serde_json::Value::Array(items)) => items,
                _ => Vec::new(),
            };
            Ok(crate::paging::Fetched { items, total })
        })
    }

    fn identified(&self) -> bool {
        self.shape.identity.is_some()
    }

    fn key(&self, item: &Self::Item) -> crate::paging::Key {
        match self.shape.identity.and_then(|field| item.get(field)) {
            Some(identity) => crate::paging::key(identity),
            None => crate::paging::key(item),
        }
    }
}
