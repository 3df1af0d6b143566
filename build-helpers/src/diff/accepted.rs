//! The reviewed list of accepted breaking changes: each entry names a rule id, the operation (or none
//! for document-level changes), optionally the location, and the reason it was accepted.

use std::path::Path;

use serde::Deserialize;

use super::Change;
use crate::error::{Result, SpecError};

/// One accepted change.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AcceptedChange {
    /// The rule id.
    pub id: String,
    /// The operation as reported (`METHOD /path`), if the change belongs to one.
    #[serde(default)]
    pub operation: Option<String>,
    /// The location as reported; any location when absent.
    #[serde(default)]
    pub location: Option<String>,
    /// Why it is accepted.
    pub reason: String,
}

/// The accepted-changes file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accepted {
    /// The entries.
    #[serde(default)]
    pub accepted: Vec<AcceptedChange>,
}

impl Accepted {
    /// Reads the list from a YAML file.
    pub fn load(path: &Path) -> Result<Accepted> {
        let text =
            std::fs::read_to_string(path).map_err(|source| SpecError::Io { path: path.to_path_buf(), source })?;
        let list: Option<Accepted> = serde_yaml::from_str(&text).map_err(|e| {
            let (line, column) = e.location().map(|l| (l.line(), l.column())).unwrap_or((0, 0));
            SpecError::Syntax { path: path.to_path_buf(), line, column, message: e.to_string() }
        })?;
        let list = list.unwrap_or_default();
        for entry in &list.accepted {
            if super::rules::by_id(&entry.id).is_none() {
                return Err(SpecError::invalid(
                    path.display().to_string(),
                    format!("`{}` is not a rule id of cargo spec diff", entry.id),
                ));
            }
            if entry.reason.trim().is_empty() {
                return Err(SpecError::invalid(
                    path.display().to_string(),
                    format!("the entry for `{}` gives no reason", entry.id),
                ));
            }
        }
        Ok(list)
    }

    /// Marks the changes this list accepts; returns the entries that matched nothing (stale entries).
    pub fn apply(&self, changes: &mut [Change]) -> Vec<&AcceptedChange> {
        let mut unused = Vec::new();
        for entry in &self.accepted {
            let mut used = false;
            for change in changes.iter_mut() {
                let matches = change.id() == entry.id
                    && change.operation == entry.operation
                    && entry.location.as_ref().is_none_or(|l| *l == change.location);
                if matches {
                    change.accepted = Some(entry.reason.clone());
                    used = true;
                }
            }
            if !used {
                unused.push(entry);
            }
        }
        unused
    }
}
