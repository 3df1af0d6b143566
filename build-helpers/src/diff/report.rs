//! Rendering a diff: text for a terminal, JSON for tools, Markdown for a pull request comment.
//!
//! The JSON schema is stable (`"schema": 1`):
//! `{"schema": 1, "base": str, "new": str, "summary": {"ERR": n, "WARN": n, "INFO": n, "accepted": n},
//!   "changes": [{"id": str, "level": "ERR"|"WARN"|"INFO", "oasdiff": bool, "operation": str|null,
//!   "location": str, "message": str, "accepted": str|null}]}`.

use serde_json::json;

use super::{Change, Level};

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One line per change.
    Text,
    /// The stable JSON document described in this module.
    Json,
    /// A Markdown table.
    Markdown,
}

impl Format {
    /// Parses `text`, `json` or `markdown`.
    pub fn parse(text: &str) -> Option<Format> {
        match text {
            "text" => Some(Format::Text),
            "json" => Some(Format::Json),
            "markdown" | "md" => Some(Format::Markdown),
            _ => None,
        }
    }
}

fn count(changes: &[Change], level: Level) -> usize {
    changes.iter().filter(|c| c.accepted.is_none() && c.level() == level).count()
}

/// The report of `changes` from `base` to `new`.
pub fn render(changes: &[Change], base: &str, new: &str, format: Format) -> String {
    let accepted = changes.iter().filter(|c| c.accepted.is_some()).count();
    let summary = format!(
        "{} ERR, {} WARN, {} INFO, {accepted} accepted",
        count(changes, Level::Err),
        count(changes, Level::Warn),
        count(changes, Level::Info)
    );
    match format {
        Format::Text => {
            let mut out = String::new();
            for change in changes {
                let place = change.operation.as_deref().map(|o| format!("{o} ")).unwrap_or_default();
                out.push_str(&format!(
                    "{:<4} {} {place}[{}] {}",
                    change.level().to_string(),
                    change.id(),
                    change.location,
                    change.message
                ));
                if let Some(reason) = &change.accepted {
                    out.push_str(&format!(" (accepted: {reason})"));
                }
                out.push('\n');
            }
            if changes.is_empty() {
                out.push_str("no changes\n");
            }
            out.push_str(&format!("{base} → {new}: {summary}\n"));
            out
        }
        Format::Json => {
            let items: Vec<serde_json::Value> = changes
                .iter()
                .map(|c| {
                    json!({"id": c.id(), "level": c.level(), "oasdiff": c.rule.oasdiff, "operation": c.operation,
                           "location": c.location, "message": c.message, "accepted": c.accepted})
                })
                .collect();
            let doc = json!({
                "schema": 1, "base": base, "new": new,
                "summary": {"ERR": count(changes, Level::Err), "WARN": count(changes, Level::Warn),
                            "INFO": count(changes, Level::Info), "accepted": accepted},
                "changes": items,
            });
            format!("{}\n", serde_json::to_string_pretty(&doc).unwrap_or_default())
        }
        Format::Markdown => {
            let mut out = format!("### Spec changes: `{base}` → `{new}`\n\n**{summary}**\n\n");
            if changes.is_empty() {
                out.push_str("No changes.\n");
                return out;
            }
            out.push_str("| level | rule | operation | location | change |\n|---|---|---|---|---|\n");
            let cell = |text: &str| text.replace('|', "\\|");
            for change in changes {
                let mut message = cell(&change.message);
                if let Some(reason) = &change.accepted {
                    message.push_str(&format!(" _(accepted: {})_", cell(reason)));
                }
                out.push_str(&format!(
                    "| {} | `{}` | {} | {} | {message} |\n",
                    change.level(),
                    change.id(),
                    change.operation.as_deref().map(|o| format!("`{}`", cell(o))).unwrap_or_default(),
                    cell(&change.location)
                ));
            }
            out
        }
    }
}
