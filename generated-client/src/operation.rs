//! What the wrapper needs to know about each operation beyond its Rust signature: the types of the
//! generated operation catalog ([`crate::catalog`]). The catalog is read when a request is built: which
//! key to send, which method, and the rules each path parameter must meet.

use std::fmt;
use std::sync::LazyLock;

pub use crate::catalog::OperationId;

/// Which API key authenticates an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiKeyKind {
    /// The organization's private key (`/v1`). Never ship it to client devices.
    Private,
    /// The organization's public key (`/v1/public`). Safe to embed in client apps.
    Public,
    /// The operation needs no key.
    None,
}

impl fmt::Display for ApiKeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ApiKeyKind::Private => "private",
            ApiKeyKind::Public => "public",
            ApiKeyKind::None => "no",
        })
    }
}

/// The HTTP method of an operation. Exhaustive on purpose: the generator refuses any other method, and
/// the wrapper maps each one without a fallback.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HttpMethod {
    /// `GET`
    Get,
    /// `PUT`
    Put,
    /// `POST`
    Post,
    /// `DELETE`
    Delete,
    /// `OPTIONS`
    Options,
    /// `HEAD`
    Head,
    /// `PATCH`
    Patch,
}

impl HttpMethod {
    /// The method as sent on the wire, upper case.
    pub const fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Put => "PUT",
            HttpMethod::Post => "POST",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Options => "OPTIONS",
            HttpMethod::Head => "HEAD",
            HttpMethod::Patch => "PATCH",
        }
    }
}

impl fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `pattern` constraint from the spec, compiled on first use.
pub struct Pattern {
    source: &'static str,
    regex: LazyLock<Option<regress::Regex>, fn() -> Option<regress::Regex>>,
}

impl Pattern {
    /// A pattern with its source text and a function compiling it. The build checked that it compiles.
    pub const fn new(source: &'static str, compile: fn() -> Option<regress::Regex>) -> Self {
        Pattern { source, regex: LazyLock::new(compile) }
    }

    /// The pattern as the spec writes it.
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// True when `value` matches. A pattern that failed to compile matches nothing.
    pub fn is_match(&self, value: &str) -> bool {
        self.regex.as_ref().is_some_and(|re| re.find(value).is_some())
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pattern").field(&self.source).finish()
    }
}

/// A path parameter and the constraints the spec puts on it.
#[derive(Debug)]
#[non_exhaustive]
pub struct PathParam {
    /// Name in the spec, e.g. `setName`.
    pub name: &'static str,
    /// `minLength`, if the spec gives one.
    pub min_length: Option<usize>,
    /// `maxLength`, if the spec gives one.
    pub max_length: Option<usize>,
    /// `pattern`, if the spec gives one.
    pub pattern: Option<&'static Pattern>,
    /// The values the spec allows (`enum`), empty when any value is allowed.
    pub allowed: &'static [&'static str],
    /// `format`, if the spec gives one (e.g. `uuid`).
    pub format: Option<&'static str>,
    /// True when the value may span several segments (the session proxy's `{path}`).
    pub sub_path: bool,
    /// The spec's description, on one line; empty when it gives none.
    pub description: &'static str,
}

/// A query parameter, as tools that take values as text (the CLI) need it.
#[derive(Debug)]
#[non_exhaustive]
pub struct QueryParam {
    /// Name in the spec, e.g. `limit`.
    pub name: &'static str,
    /// True when the operation cannot be called without it.
    pub required: bool,
    /// The spec's description, on one line; empty when it gives none.
    pub description: &'static str,
    /// The schema's `type`: `string`, `integer`, `number`, `boolean` or `array`.
    pub kind: &'static str,
    /// The values the spec allows (`enum`), empty when any value is allowed.
    pub allowed: &'static [&'static str],
    /// The server's default, as JSON text, when the spec names one.
    pub default: Option<&'static str>,
    /// `minimum`, when the spec gives one.
    pub minimum: Option<f64>,
    /// `maximum`, when the spec gives one.
    pub maximum: Option<f64>,
}

/// A header parameter, and the rules its value must meet before it is sent.
#[derive(Debug)]
#[non_exhaustive]
pub struct HeaderParam {
    /// Name as the spec writes it, e.g. `X-Request-Tag` (header names match case-insensitively).
    pub name: &'static str,
    /// True when the operation cannot be called without it.
    pub required: bool,
    /// The spec's description, on one line; empty when it gives none.
    pub description: &'static str,
    /// The schema's `type`: `string`, `integer`, `number` or `boolean`.
    pub kind: &'static str,
    /// The values the spec allows (`enum`), empty when any value is allowed.
    pub allowed: &'static [&'static str],
    /// `pattern`, if the spec gives one.
    pub pattern: Option<&'static Pattern>,
    /// `minLength`, if the spec gives one.
    pub min_length: Option<usize>,
    /// `maxLength`, if the spec gives one.
    pub max_length: Option<usize>,
    /// `minimum`, when the spec gives one.
    pub minimum: Option<f64>,
    /// `maximum`, when the spec gives one.
    pub maximum: Option<f64>,
}

/// A top-level field of a JSON request body.
#[derive(Debug)]
#[non_exhaustive]
pub struct BodyField {
    /// Name in the spec, e.g. `serviceName`.
    pub name: &'static str,
    /// True when the body must hold it.
    pub required: bool,
    /// The spec's description, on one line; empty when it gives none.
    pub description: &'static str,
    /// The schema's `type` (`string`, `integer`, `number`, `boolean`, `array`, `object`), empty when
    /// it states none.
    pub kind: &'static str,
    /// The values the spec allows (`enum`), empty when any value is allowed.
    pub allowed: &'static [&'static str],
}

/// An operation's JSON request body.
#[derive(Debug)]
#[non_exhaustive]
pub struct RequestBody {
    /// True when the operation cannot be called without a body.
    pub required: bool,
    /// Its top-level fields, when the body is one object schema; empty when it is a choice (`oneOf`).
    pub fields: &'static [BodyField],
}

/// The shape of a paged list: an operation whose query takes `limit` and `offset` and whose answer
/// holds one array and a total. Tools page any such operation from this alone.
#[derive(Debug)]
#[non_exhaustive]
pub struct ListShape {
    /// The answer's array property, e.g. `sessions`.
    pub items: &'static str,
    /// The answer's total property: `total` or `total_count`, an integer or `{value, relation}`.
    pub total: &'static str,
    /// The item property that identifies an item (`id`, `sessionId`), if it has one.
    pub identity: Option<&'static str>,
    /// The spec's maximum for `limit`, if it states one.
    pub max_limit: Option<u64>,
}

/// One operation of the API.
#[derive(Debug)]
#[non_exhaustive]
pub struct Operation {
    /// The spec's `operationId`, e.g. [`OperationId::DeleteSecretFromSet`] (`deleteSecretFromSet`);
    /// `id.as_str()` is the spec's spelling.
    pub id: OperationId,
    /// The HTTP method.
    pub method: HttpMethod,
    /// The path below the client's base URL (`/v1`), public operations prefixed with `/public`.
    pub path: &'static str,
    /// The key that authenticates it.
    pub key: ApiKeyKind,
    /// Its path parameters, in path order.
    pub path_params: &'static [PathParam],
    /// Its query parameters, in spec order.
    pub query_params: &'static [QueryParam],
    /// Its header parameters, in spec order.
    pub header_params: &'static [HeaderParam],
    /// Its JSON request body, if it takes one.
    pub body: Option<RequestBody>,
    /// The spec's one-line summary.
    pub summary: &'static str,
    /// How it pages, when it is a paged list.
    pub list: Option<ListShape>,
    /// The response statuses the spec documents, in its order.
    pub statuses: &'static [u16],
}

impl Operation {
    /// The parameter that may span several segments, if any.
    pub fn sub_path_param(&self) -> Option<&'static PathParam> {
        self.path_params.iter().find(|p| p.sub_path)
    }
}
