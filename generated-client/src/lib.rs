#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod hooks;
pub mod operation;
pub mod sub_path;

// The code generated from `openapi/` by `build.rs`: progenitor's `Client` and `types`, the
// forward-compatible response enums, the operation `catalog`, and the hand-written OPTIONS methods.
#[allow(missing_docs, unused_qualifications, clippy::all, clippy::pedantic, clippy::unwrap_used)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/pipecat_cloud.rs"));
}

pub use generated::*;
