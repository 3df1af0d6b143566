#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod api_key;
mod auth;
mod base_url;
mod client;
mod config;
mod contract;
pub mod deploy;
mod dynamic;
mod error;
mod header_params;
#[cfg(feature = "mock")]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub mod mock;
pub mod operations;
pub mod paging;
mod path_params;
mod request;
mod response;
mod retry;
mod send;
pub mod tls;
pub mod wait;

pub use api_key::ApiKey;
pub use base_url::DEFAULT_HOST;
pub use client::Client;
pub use config::{
    ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT, DEFAULT_TIMEOUT, ENV_HOST, ENV_PRIVATE_KEY,
    ENV_PUBLIC_KEY, MAX_REDIRECTS, USER_AGENT,
};
pub use dynamic::{DynamicCall, DynamicList};
pub use error::{ApiError, ConfigError, Error};
/// Which key an operation needs; see [`Error::MissingKey`].
pub use pipecat_cloud_generated::operation::ApiKeyKind;
/// The API's request and response types, generated from the spec. Structs with named fields are built
/// with `Type::new(required fields...)` and chained setters for the optional ones; they and every enum
/// are `#[non_exhaustive]`, so fields and values the spec adds later do not break your code. (Newtypes
/// over one value, such as a name checked against a pattern, are built with `"text".parse()`.)
#[doc(inline)]
pub use pipecat_cloud_generated::types;
pub use request::SendFuture;
/// The HTTP client this crate sends through; [`ClientBuilder::http_client`] takes one of its clients.
pub use reqwest;
pub use response::{PassThroughResponse, Response};
pub use retry::RetryConfig;
/// UUIDs, as session and build ids are typed.
pub use uuid::Uuid;

/// Every operation of the API as data (id, method, path, key, parameters with their rules, body
/// fields, summary), generated from the spec: for tools that work over all operations, with
/// [`Client::call`]. It grows with the spec; its structs are `#[non_exhaustive]`.
pub use pipecat_cloud_generated::catalog;
/// The catalog's types; see [`catalog`].
pub use pipecat_cloud_generated::operation;

/// Checks a path value as the client does before sending, for tools that build requests by hand (the
/// workspace's recorder). Not part of the supported API.
///
/// # Errors
/// [`Error::InvalidParameter`] naming the rule the value breaks.
#[doc(hidden)]
pub fn check_path_value(operation: &'static operation::Operation, index: usize, value: &str) -> Result<(), Error> {
    path_params::check(operation, index, value).map(drop)
}

/// `value` escaped as one path segment exactly as the client escapes it, for tools that build requests
/// by hand (the workspace's recorder). Not part of the supported API.
#[doc(hidden)]
pub fn escape_path_segment(value: &str) -> String {
    request::escape_segment(value)
}
