//! Where quirks are normalized: a list of named passes that turn the spec as published into the spec
//! progenitor can generate a correct client from. Each pass is one file with its own before/after tests,
//! reports what it changed (`cargo spec check` prints it), and records its decisions as `x-pipecat-*`
//! extensions that the later generation steps read:
//!
//! | extension | on | meaning |
//! |---|---|---|
//! | `x-pipecat-base` | operation | path prefix below the main server, e.g. `/public`; empty for the main server |
//! | `x-pipecat-key` | operation | which key authenticates it: `private`, `public` or `none` |
//! | `x-pipecat-sub-path` | operation | name of the path parameter that may span several segments |
//! | `x-pipecat-hand-written` | operation | progenitor cannot emit it (OPTIONS): left out of its input; the facade is written from the spec alone |
//! | `x-pipecat-open-enum` | schema | a response enum that must decode values the spec does not list |

mod auth_keys;
mod example_evidence;
mod explicit_null;
mod open_enums;
mod probe_methods;
mod public_base;
pub(crate) mod schema_walk;
mod server_defaults;
mod shared_request_types;
mod sub_path;
mod tolerant_responses;

use serde_json::Value;

use crate::error::Result;

/// Extension naming an operation's path prefix below the main server.
pub const X_BASE: &str = "x-pipecat-base";
/// Extension naming the key that authenticates an operation.
pub const X_KEY: &str = "x-pipecat-key";
/// Extension naming an operation's multi-segment path parameter.
pub const X_SUB_PATH: &str = "x-pipecat-sub-path";
/// Extension marking an operation progenitor cannot generate.
pub const X_HAND_WRITTEN: &str = "x-pipecat-hand-written";
/// Extension marking a forward-compatible response enum schema.
pub const X_OPEN_ENUM: &str = "x-pipecat-open-enum";

/// One normalization pass.
#[derive(Debug, Clone, Copy)]
pub struct Pass {
    /// Stable name, shown by `cargo spec check`.
    pub name: &'static str,
    /// What the pass is for, in one line.
    pub purpose: &'static str,
    /// Applies the pass; returns one line per change made.
    pub apply: fn(&mut Value) -> Result<Vec<String>>,
}

/// The passes, in the order they run.
pub const PASSES: &[Pass] = &[
    public_base::PASS,
    auth_keys::PASS,
    sub_path::PASS,
    probe_methods::PASS,
    tolerant_responses::PASS,
    example_evidence::PASS,
    open_enums::PASS,
    explicit_null::PASS,
    server_defaults::PASS,
    shared_request_types::PASS,
];

/// A normalized document and what each pass changed.
#[derive(Debug, Clone)]
pub struct Normalized {
    /// The document, ready for validation and generation.
    pub document: Value,
    /// For each pass, in order, the changes it made.
    pub report: Vec<(&'static str, Vec<String>)>,
}

/// Runs every pass over `document`.
pub fn normalize(mut document: Value) -> Result<Normalized> {
    let mut report = Vec::with_capacity(PASSES.len());
    for pass in PASSES {
        let changes = (pass.apply)(&mut document)?;
        report.push((pass.name, changes));
    }
    Ok(Normalized { document, report })
}
