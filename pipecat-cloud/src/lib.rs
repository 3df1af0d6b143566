#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod api_key;
mod auth;
mod base_url;
mod call;
mod client;
mod config;
mod context;
mod error;
mod interceptor;
#[cfg(feature = "mock")]
pub mod mock;
pub mod path_params;
mod retry;

pub use api_key::ApiKey;
pub use base_url::DEFAULT_HOST;
pub use client::Client;
pub use config::{
    ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT, DEFAULT_TIMEOUT, ENV_HOST, ENV_PRIVATE_KEY,
    ENV_PUBLIC_KEY, MAX_REDIRECTS, USER_AGENT,
};
pub use error::{ApiError, ConfigError, Error};
/// The generated types of the API (request bodies, responses, enums).
pub use pipecat_cloud_generated::types;
/// The operation catalog and its types.
pub use pipecat_cloud_generated::{catalog, operation};
pub use retry::{CallOptions, RetryConfig};
