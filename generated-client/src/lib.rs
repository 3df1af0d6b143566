#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod operation;
pub mod timestamps;

// The code generated from `openapi/` by `build.rs`: the API's `types` (progenitor's, made additive-safe),
// the operation `catalog`, and the macros that expand the wrapper's facade and typed mock routes.
#[allow(missing_docs, unused_qualifications, clippy::all, clippy::pedantic, clippy::unwrap_used)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/pipecat_cloud.rs"));
}

pub use generated::*;
