//! The contract between the generated code and this crate: everything the code that
//! `pipecat-cloud-generated`'s macros expand here (the facade in `operations.rs`, the typed mock routes
//! in `mock.rs`) names of the wrapper, and nothing else. The generator writes `crate::contract::X` for
//! each (`build-helpers/src/generate/facade/` and `generate/mock_routes.rs`), and a test holds the
//! reviewed copy of the generated code to this list, so changing one of these items changes the generator
//! in the same change.
//!
//! - [`Client`]: each operation's method is `impl Client`; `Client::request(operation, settings)` starts
//!   a request (the key checked) and `send_json`, `send_empty` and `send_pass_through` send it.
//! - [`CallSettings`]: a builder's per-call header, timeout and retry, with `add_header`.
//! - The request `request` returns: `literal`, `segment` (a path value checked against the spec's rules and
//!   escaped), `uuid_segment`, `query`, `json` and `payload`.
//! - [`Payload`]: a body of the session proxy (`json`, `bytes`).
//! - [`SendFuture`]: what a builder's `.await` is.
//! - [`Error`], [`Response`] (with `into_body`), [`PassThroughResponse`], [`RetryConfig`].
//! - Paging (`paging.rs`): [`Paged`], [`PagedRequest`], [`Paginator`], [`Total`], [`Key`], [`KeyHasher`],
//!   [`KeyPart`], [`feed_json`], [`as_u64`], [`PageStream`], [`ItemStream`].
//! - With the `mock` feature: `Route` and `PathValue` (`mock.rs`).
//!
//! The generated crate's own items (`catalog`, `types`, `operation`, `timestamps`) are not part of it:
//! they come with the generated code.

pub(crate) use crate::client::Client;
pub(crate) use crate::error::Error;
#[cfg(feature = "mock")]
pub(crate) use crate::mock::{PathValue, Route};
#[allow(
    unused_imports,
    reason = "the generator names it for a paged item's field no KeyPart covers; this spec has none"
)]
pub(crate) use crate::paging::feed_json;
pub(crate) use crate::paging::{
    ItemStream, Key, KeyHasher, KeyPart, PageStream, Paged, PagedRequest, Paginator, Total, as_u64,
};
pub(crate) use crate::request::{CallSettings, Payload, SendFuture};
pub(crate) use crate::response::{PassThroughResponse, Response};
pub(crate) use crate::retry::RetryConfig;

/// Every item above, by the name the generated code uses: the test that reads the generated code
/// checks it names nothing else of `crate::contract`.
#[cfg(test)]
pub(crate) const NAMES: &[&str] = &[
    "Client",
    "Error",
    "PathValue",
    "Route",
    "ItemStream",
    "Key",
    "KeyHasher",
    "KeyPart",
    "PageStream",
    "Paged",
    "PagedRequest",
    "Paginator",
    "Total",
    "as_u64",
    "feed_json",
    "CallSettings",
    "Payload",
    "SendFuture",
    "PassThroughResponse",
    "Response",
    "RetryConfig",
];

#[cfg(test)]
mod tests {
    /// The generated code (its reviewed copy, which a test keeps equal to the build's) names the wrapper
    /// only through `crate::contract`, and only the items listed there; every listed item is named.
    #[test]
    fn the_generated_code_names_the_wrapper_only_through_the_contract() {
        let generated = include_str!("../../generated-client/generated/pipecat_cloud.rs");
        // Inside the macros, `crate` is this crate; before them, it is the generated crate.
        let expanded_here = generated.split_once("macro_rules!").map_or("", |(_, rest)| rest);
        // Docs may link anywhere public; code is what is held to the contract.
        let is_doc = |line: &&str| ["///", "//!", "#[doc"].iter().any(|p| line.trim_start().starts_with(p));
        let code: String = expanded_here.lines().filter(|l| !is_doc(l)).collect::<Vec<_>>().join("\n");
        let mut named: Vec<&str> = code
            .split("crate::contract::")
            .skip(1)
            .map(|rest| rest.split(|c: char| !c.is_alphanumeric() && c != '_').next().unwrap_or_default())
            .collect();
        named.sort_unstable();
        named.dedup();
        for name in &named {
            assert!(
                super::NAMES.contains(name),
                "the generated code names crate::contract::{name}, which the contract does not list"
            );
        }
        // Named only for shapes today's spec does not have.
        let conditional = ["feed_json"];
        for name in super::NAMES.iter().filter(|n| !conditional.contains(n)) {
            assert!(named.contains(name), "the contract lists {name}, which the generated code no longer names");
        }
        for private in ["crate::request::", "crate::paging::", "crate::mock::", "crate::send::", "crate::client::"] {
            assert!(!code.contains(private), "the generated code reaches past the contract: {private}");
        }
    }
}
