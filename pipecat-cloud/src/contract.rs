//! The contract between the generated code and this crate: everything the code that
//! `pipecat-cloud-generated`'s macros expand here (the facade in `operations.rs`, the typed mock routes
//! in `mock.rs`) names of the wrapper, and nothing else. The generator writes `crate::contract::X` for
//! each (`build-helpers/src/generate/facade/` and `generate/mock_routes.rs`); rustc holds the two
//! together (a name the generated code uses that is missing here does not compile, and a re-export here
//! that nothing uses is an unused import), and a test keeps the generated code out of every other module.
//!
//! - [`Client`]: each operation's method is `impl Client`; `Client::request(operation, settings)` starts
//!   a request (the key checked) and `send_json`, `send_empty` and `send_pass_through` send it.
//! - [`CallSettings`]: a builder's per-call header, timeout and retry, with `add_header`.
//! - The request `request` returns: `literal`, `segment` (a path value checked against the spec's rules and
//!   escaped), `uuid_segment`, `query`, `json` and `payload`.
//! - [`Payload`]: a body of the session proxy (`json`, `bytes`).
//! - [`SendFuture`]: what a builder's `.await` is.
//! - [`Error`], [`Response`] (with `into_body`), [`PassThroughResponse`], [`RetryConfig`].
//! - Paging (`paging/`): [`Source`] (each paged builder's), [`Fetched`], [`Paginator`], [`Total`], [`Key`],
//!   [`KeyHasher`], [`feed_json`], [`key`], [`as_u64`], [`PageStream`], [`ItemStream`].
//! - With the `mock` feature: `Route` and `PathValue` (`mock.rs`).
//!
//! The generated crate's own items (`catalog`, `types`, `operation`, `timestamps`) are not part of it:
//! they come with the generated code.

pub(crate) use crate::client::Client;
pub(crate) use crate::error::Error;
#[cfg(feature = "mock")]
pub(crate) use crate::mock::{PathValue, Route};
pub(crate) use crate::paging::{Fetched, ItemStream, Key, KeyHasher, PageStream, Paginator, Source, Total, as_u64};
#[allow(
    unused_imports,
    reason = "the generator names them for a paged item's field without Hash, or an item it cannot read; this spec has neither"
)]
pub(crate) use crate::paging::{feed_json, key};
pub(crate) use crate::request::{CallSettings, Payload, SendFuture};
pub(crate) use crate::response::{PassThroughResponse, Response};
pub(crate) use crate::retry::RetryConfig;

#[cfg(test)]
mod tests {
    /// The generated code names the wrapper only through this module: rustc checks that every item it
    /// names exists and flags a re-export here that nothing uses, but not that the generated code stays
    /// out of the wrapper's other modules, which would tie the generator to them.
    #[test]
    fn the_generated_code_names_the_wrapper_only_through_the_contract() {
        let generated = include_str!("../../generated-client/generated/pipecat_cloud.rs");
        // Inside the macros, `crate` is this crate; before them, it is the generated crate.
        let expanded_here = generated.split_once("macro_rules!").map_or("", |(_, rest)| rest);
        // Docs may link anywhere public; code is what is held to the contract.
        let is_doc = |line: &&str| ["///", "//!", "#[doc"].iter().any(|p| line.trim_start().starts_with(p));
        let code: String = expanded_here.lines().filter(|l| !is_doc(l)).collect::<Vec<_>>().join("\n");
        // The wrapper's modules, from its source files: only `contract` may be reached into.
        let modules = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src")).unwrap_or_else(|e| panic!("{e}"));
        let reached: Vec<String> = modules
            .filter_map(|entry| entry.ok()?.path().file_stem()?.to_str().map(str::to_string))
            .filter(|module| !["contract", "lib"].contains(&module.as_str()))
            .filter(|module| code.contains(&format!("crate::{module}::")))
            .collect();
        assert!(reached.is_empty(), "the generated code reaches past the contract into {reached:?}");
    }
}
