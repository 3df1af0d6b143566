//! The request journal: what each request was and what it got, for tests to read (`Emulator::journal`,
//! `GET /_emulator/journal`). It never holds a key (headers are not kept) or a secret value (every
//! `secretValue` in a body is replaced before it is stored). The newest 10,000 entries are kept.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How many entries are kept.
pub const CAPACITY: usize = 10_000;

/// What stands in a journaled body for a secret value.
pub const REDACTED: &str = "<redacted>";

/// One request and its answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    /// Its place in the order the emulator handled requests, from 1: for two writes to the same
    /// resource, the one with the higher number was applied last.
    pub seq: u64,
    /// When it came, on the emulator's clock.
    pub at: String,
    /// The method.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query parameters, decoded.
    pub query: Vec<(String, String)>,
    /// The operation it matched.
    pub operation_id: Option<String>,
    /// The status answered; `None` when the connection was dropped or the request hung.
    pub status: Option<u16>,
    /// The fault applied, if any (`status 503`, `drop`, ...).
    pub fault: Option<String>,
    /// The JSON request body, secret values redacted.
    pub request_body: Option<Value>,
    /// The JSON answer.
    pub response_body: Option<Value>,
}

/// An entry as it is kept: the answer as the bytes that were sent (shared with the response, not
/// copied), decoded only when the journal is read.
#[derive(Debug)]
pub(crate) struct Kept {
    /// The entry, without its answer.
    pub(crate) entry: JournalEntry,
    /// The JSON answer's bytes.
    pub(crate) answer: Option<bytes::Bytes>,
}

/// The journal: a bounded log of entries.
#[derive(Debug, Default)]
pub(crate) struct Journal {
    entries: VecDeque<Kept>,
}

impl Journal {
    /// Adds `kept` (numbered by the server); the oldest entry goes when the journal is full.
    pub(crate) fn push(&mut self, kept: Kept) {
        if self.entries.len() == CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back(kept);
    }

    /// Every entry kept, in the order the requests were handled.
    pub(crate) fn entries(&self) -> Vec<JournalEntry> {
        let mut entries: Vec<JournalEntry> = self
            .entries
            .iter()
            .map(|kept| JournalEntry {
                response_body: kept.answer.as_ref().and_then(|bytes| serde_json::from_slice(bytes).ok()),
                ..kept.entry.clone()
            })
            .collect();
        entries.sort_by_key(|entry| entry.seq);
        entries
    }

    /// Empties the journal.
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }
}

/// `value` with every `secretValue` replaced by [`REDACTED`].
pub(crate) fn redact(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let secret = k.eq_ignore_ascii_case("secretValue") || k.eq_ignore_ascii_case("secret_value");
                    (k.clone(), if secret { Value::String(REDACTED.into()) } else { redact(v) })
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn secret_values_are_redacted_at_any_depth() {
        let body = json!({"secrets": [{"secretKey": "A", "secretValue": "s3cret"}], "secretValue": "x"});
        let redacted = redact(&body).to_string();
        assert!(!redacted.contains("s3cret") && !redacted.contains("\"x\""), "{redacted}");
        assert!(redacted.contains("\"A\""));
    }
}
