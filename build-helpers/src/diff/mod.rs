//! `cargo spec diff`: what changed between two specs, and what it means for users of this client.
//!
//! Both sides are loaded and normalized exactly as the build does, then compared operation by
//! operation (matched on method and the spec's own path), parameter by parameter, and schema by schema.
//! Each change is reported under a stable rule id ([`rules`]) with its level, where it is, and one line
//! saying what changed.

mod accepted;
mod compare;
mod report;
pub mod rules;
mod schema;
mod source;

use serde::Serialize;

pub use self::accepted::{Accepted, AcceptedChange};
pub use self::compare::diff_documents;
pub use self::report::{Format, render};
pub use self::rules::{Level, Rule};
pub use self::source::load_side;

/// One change between two specs.
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    /// The rule that found it.
    #[serde(skip)]
    pub rule: &'static Rule,
    /// The operation, as `METHOD /path` with the spec's own path, when the change belongs to one.
    pub operation: Option<String>,
    /// Where in the operation or document: a parameter, a body or response pointer, a schema name.
    pub location: String,
    /// What changed, in one line.
    pub message: String,
    /// The reason it was accepted, when the accepted-changes list covers it.
    pub accepted: Option<String>,
}

impl Change {
    /// A change found by `rule`, not (yet) accepted.
    pub fn new(rule: &'static Rule, operation: Option<&str>, location: &str, message: String) -> Change {
        Change {
            rule,
            operation: operation.map(str::to_string),
            location: location.to_string(),
            message,
            accepted: None,
        }
    }

    /// The rule's stable id.
    pub fn id(&self) -> &'static str {
        self.rule.id
    }

    /// The rule's level.
    pub fn level(&self) -> Level {
        self.rule.level
    }
}

/// The changes that reach `fail_on` and are not accepted.
pub fn failing(changes: &[Change], fail_on: Level) -> usize {
    changes.iter().filter(|c| c.accepted.is_none() && c.level() >= fail_on).count()
}
