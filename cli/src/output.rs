//! What goes to stdout, in the mode asked for: a table for people in a terminal, tab-separated plain
//! text when piped, or exactly one JSON document (NDJSON for `agent logs --follow`). Every write goes
//! through [`line`]: a reader that closes the pipe early (`| head -1`) ends the program quietly instead
//! of a panic.

use std::io::{IsTerminal, Write};

use serde_json::Value;

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Aligned columns with a header: the columns a person looks for first (see [`column_rank`]).
    Table,
    /// Aligned columns with a header: every field.
    Wide,
    /// Tab-separated values, no header: for `cut`, `awk`, `while read`.
    Plain,
    /// One JSON document on stdout (one per line for streams).
    Json,
}

impl Mode {
    /// `--output`/`PIPECAT_OUTPUT` if given, else a table in a terminal and plain text in a pipe.
    pub fn choose(asked: Option<&str>) -> Mode {
        match asked {
            Some("json") => Mode::Json,
            Some("plain") => Mode::Plain,
            // `rich` is what the official CLI (`pcc`) calls its tables: users of both set it once.
            Some("table" | "rich") => Mode::Table,
            Some("wide") => Mode::Wide,
            _ if std::io::stdout().is_terminal() => Mode::Table,
            _ => Mode::Plain,
        }
    }
}

/// Writes `text` and a newline to stdout; a closed pipe exits with 0 (the reader has what it wanted).
pub fn line(text: &str) {
    let mut with_newline = Vec::with_capacity(text.len() + 1);
    with_newline.extend_from_slice(text.as_bytes());
    with_newline.push(b'\n');
    bytes(&with_newline);
}

/// Writes `data` to stdout unchanged; a closed pipe exits with 0.
pub fn bytes(data: &[u8]) {
    let mut stdout = std::io::stdout().lock();
    let written = stdout.write_all(data).and_then(|()| stdout.flush());
    if let Err(error) = written {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        let _ = writeln!(std::io::stderr(), "error: cannot write the output: {error}");
        std::process::exit(1);
    }
}

/// Writes a note for people to stderr (never part of the output a script reads).
pub fn note(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

/// An answer that is not JSON, as the one document JSON mode prints: its status, content type and text.
pub fn wrapped(answer: &pipecat_cloud::PassThroughResponse) -> Value {
    serde_json::json!({
        "status": answer.status(),
        "contentType": answer.content_type(),
        "body": answer.json::<Value>().unwrap_or_else(|_| Value::String(String::from_utf8_lossy(answer.bytes()).into_owned())),
    })
}

/// Prints an API answer in `mode`.
pub fn value(mode: Mode, value: &Value) {
    match mode {
        Mode::Json => line(&serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())),
        Mode::Table | Mode::Wide | Mode::Plain => {
            for row in render(value, mode) {
                line(&row);
            }
        }
    }
}

/// The rows of `value`: a list of objects as columns, an object holding one such list as that list,
/// any other object as `key value` pairs (nested fields dotted), a scalar as itself.
fn render(value: &Value, mode: Mode) -> Vec<String> {
    let table = mode != Mode::Plain;
    if let Some((list, rows)) = listing(value) {
        return columns(list, rows, mode);
    }
    match value {
        Value::Object(_) => {
            let mut pairs = Vec::new();
            flatten(value, String::new(), 0, &mut pairs);
            let width = pairs.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
            pairs
                .into_iter()
                .map(|(key, text)| if table { format!("{key:<width$}  {text}") } else { format!("{key}\t{text}") })
                .collect()
        }
        other => vec![scalar(other)],
    }
}

/// The list of objects `value` is, or holds as its only list, with the list's name (`sessions`) when
/// it has one.
fn listing(value: &Value) -> Option<(&str, &Vec<Value>)> {
    match value {
        Value::Array(items) if items.iter().all(Value::is_object) && !items.is_empty() => Some(("", items)),
        Value::Object(map) => {
            let lists: Vec<(&str, &Vec<Value>)> = map
                .iter()
                .filter_map(|(name, field)| Some((name.as_str(), field.as_array()?)))
                .filter(|(_, items)| items.iter().all(Value::is_object))
                .collect();
            match lists.as_slice() {
                [only] => Some(*only),
                _ => None,
            }
        }
        _ => None,
    }
}

const MAX_CELL: usize = 48;
/// Columns shown for a list whose fields the rule does not know.
const FALLBACK_COLUMNS: usize = 6;

/// Where a field goes in a table, by one rule over its name, so that a new resource gets sensible
/// columns: a time leads a list of events (log lines), then what identifies an item (`name`, its own
/// id: `id`, or `sessionId` in a list of `sessions`), its state (`status`, `state`, `phase`, `ready`, a
/// `type`), its region, its times (`createdAt`, `…At`, `…Time`), and the text it carries (`log`,
/// `message`). `None` for every other field: shown with `-o wide`.
pub fn column_rank(list: &str, key: &str) -> Option<u8> {
    let own_id = list.strip_suffix('s').map(|item| format!("{item}Id"));
    match key {
        "timestamp" => Some(0),
        "name" | "serviceName" | "code" | "fieldName" => Some(1),
        "id" => Some(2),
        _ if own_id.as_deref() == Some(key) => Some(2),
        "status" | "state" | "phase" | "ready" | "completionStatus" | "type" => Some(3),
        "region" => Some(4),
        _ if key.ends_with("At") || key.ends_with("Time") => Some(5),
        "log" | "message" | "display_name" | "description" => Some(6),
        _ => None,
    }
}

fn columns(list: &str, rows: &[Value], mode: Mode) -> Vec<String> {
    let table = mode != Mode::Plain;
    if rows.is_empty() {
        // An empty list prints nothing a script would read; a person is told.
        if table {
            note(&format!("no {}", if list.is_empty() { "items" } else { list }));
        }
        return Vec::new();
    }
    let mut keys: Vec<&str> = Vec::new();
    for row in rows {
        for (key, field) in row.as_object().into_iter().flatten() {
            // In the table, a field no row has a value for (`deletedAt` of live agents) is no column.
            let valued = mode == Mode::Wide || rows.iter().any(|r| r.get(key).is_some_and(|v| !v.is_null()));
            let shown = mode == Mode::Wide || column_rank(list, key).is_some();
            if shown && valued && !field.is_object() && !field.is_array() && !keys.contains(&key.as_str()) {
                keys.push(key);
            }
        }
    }
    // A resource none of whose fields the rule knows still shows: its first fields, as they came.
    if keys.is_empty() {
        keys = rows
            .iter()
            .flat_map(|row| row.as_object().into_iter().flatten())
            .filter(|(_, f)| !f.is_object() && !f.is_array())
            .map(|(k, _)| k.as_str())
            .fold(Vec::new(), |mut all, key| {
                if !all.contains(&key) && all.len() < FALLBACK_COLUMNS {
                    all.push(key);
                }
                all
            });
    }
    // The ranked fields first, in rank order; the others (with `-o wide`) after them, as they came.
    keys.sort_by_key(|key| column_rank(list, key).unwrap_or(u8::MAX));
    // Cells are cut to keep the columns after them readable; the last column has none after it, so a
    // log line or a message shows whole.
    let last = keys.len().saturating_sub(1);
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            keys.iter()
                .enumerate()
                .map(|(i, k)| {
                    let text = row.get(*k).map(scalar).unwrap_or_default();
                    if i == last { text } else { cut(&text, table) }
                })
                .collect()
        })
        .collect();
    if !table {
        return cells.into_iter().map(|row| row.join("\t")).collect();
    }
    let widths: Vec<usize> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| cells.iter().map(|r| r[i].chars().count()).max().unwrap_or(0).max(k.chars().count()))
        .collect();
    let pad = |row: Vec<String>| -> String {
        row.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect::<Vec<_>>().join("  ").trim_end().to_string()
    };
    let mut out = vec![pad(keys.iter().map(|k| k.to_string()).collect())];
    out.extend(cells.into_iter().map(pad));
    out
}

fn cut(text: &str, table: bool) -> String {
    if table && text.chars().count() > MAX_CELL {
        format!("{}…", text.chars().take(MAX_CELL - 1).collect::<String>())
    } else {
        text.to_string()
    }
}

fn flatten(value: &Value, prefix: String, depth: usize, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) if depth < 3 && !map.is_empty() => {
            for (key, field) in map {
                let name = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                flatten(field, name, depth + 1, out);
            }
        }
        other => out.push((prefix, scalar(other))),
    }
}

/// A value as one cell: strings bare, everything else as compact JSON.
pub fn scalar(value: &Value) -> String {
    match value {
        Value::String(text) => text.replace(['\n', '\t'], " "),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_listing_becomes_columns_and_an_object_pairs() {
        let list = json!({"services": [{"ready": true, "name": "a", "nested": {"x": 1}}, {"name": "bb", "ready": false}], "total": 2});
        assert_eq!(render(&list, Mode::Table), ["name  ready", "a     true", "bb    false"]);
        assert_eq!(render(&list, Mode::Plain), ["a\ttrue", "bb\tfalse"]);
        let one = json!({"name": "a", "autoScaling": {"minAgents": 1}});
        assert_eq!(render(&one, Mode::Plain), ["autoScaling.minAgents\t1", "name\ta"]);
    }

    #[test]
    fn tables_lead_with_identity_state_region_and_time_and_wide_shows_the_rest() {
        let sessions = json!({"sessions": [{"botStartSeconds": 2, "coldStart": true, "createdAt": "t1",
            "deploymentId": "d", "sessionId": "s1", "completionStatus": "ok"}], "total_count": 1});
        assert_eq!(
            render(&sessions, Mode::Table)[0].split_whitespace().collect::<Vec<_>>(),
            ["sessionId", "completionStatus", "createdAt"]
        );
        let wide = render(&sessions, Mode::Wide);
        assert!(
            wide[0].starts_with("sessionId") && wide[0].contains("botStartSeconds") && wide[0].contains("deploymentId")
        );
        let logs = json!({"logs": [{"log": "hello", "deploymentId": "d", "timestamp": "t"}], "total": {"value": 1}});
        assert_eq!(render(&logs, Mode::Plain), ["t\thello"]);
        let agents = json!({"services": [{"name": "a", "deletedAt": null, "region": "us-west"}]});
        assert_eq!(
            render(&agents, Mode::Table),
            ["name  region", "a     us-west"],
            "a column empty in every row is left out"
        );
        assert!(render(&agents, Mode::Wide)[0].contains("deletedAt"));
        let none = json!({"builds": [], "total": 0, "limit": 20});
        assert!(render(&none, Mode::Table).is_empty() && render(&none, Mode::Plain).is_empty());
        let builds = json!({"builds": [{"contextHash": "h", "buildDurationSeconds": 3, "status": "success", "region": "us-west", "id": "b1", "createdAt": "t"}]});
        assert_eq!(render(&builds, Mode::Plain), ["b1\tsuccess\tus-west\tt"]);
    }
}
