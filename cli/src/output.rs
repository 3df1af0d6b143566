//! What goes to stdout, in the mode asked for: a table for people in a terminal, tab-separated plain
//! text when piped, or exactly one JSON document (NDJSON for `agent logs --follow`). Every write goes
//! through [`line`]: a reader that closes the pipe early (`| head -1`) ends the program quietly instead
//! of a panic.

use std::io::{IsTerminal, Write};

use serde_json::Value;

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Aligned columns with a header.
    Table,
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
        Mode::Table | Mode::Plain => {
            for row in render(value, mode == Mode::Table) {
                line(&row);
            }
        }
    }
}

/// The rows of `value`: a list of objects as columns, an object holding one such list as that list,
/// any other object as `key value` pairs (nested fields dotted), a scalar as itself.
fn render(value: &Value, table: bool) -> Vec<String> {
    if let Some(rows) = listing(value) {
        return columns(rows, table);
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

/// The list of objects `value` is, or holds as its only list.
fn listing(value: &Value) -> Option<&Vec<Value>> {
    match value {
        Value::Array(items) if items.iter().all(Value::is_object) && !items.is_empty() => Some(items),
        Value::Object(map) => {
            let lists: Vec<&Vec<Value>> = map
                .values()
                .filter_map(Value::as_array)
                .filter(|items| !items.is_empty() && items.iter().all(Value::is_object))
                .collect();
            match lists.as_slice() {
                [only] => Some(only),
                _ => None,
            }
        }
        _ => None,
    }
}

const MAX_COLUMNS: usize = 8;
const MAX_CELL: usize = 48;

fn columns(rows: &[Value], table: bool) -> Vec<String> {
    let mut keys: Vec<&str> = Vec::new();
    for row in rows {
        for (key, field) in row.as_object().into_iter().flatten() {
            if !field.is_object() && !field.is_array() && !keys.contains(&key.as_str()) && keys.len() < MAX_COLUMNS {
                keys.push(key);
            }
        }
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| keys.iter().map(|k| cut(&row.get(*k).map(scalar).unwrap_or_default(), table)).collect())
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
        let list = json!({"services": [{"name": "a", "ready": true, "nested": {"x": 1}}, {"name": "bb", "ready": false}], "total": 2});
        assert_eq!(render(&list, true), ["name  ready", "a     true", "bb    false"]);
        assert_eq!(render(&list, false), ["a\ttrue", "bb\tfalse"]);
        let one = json!({"name": "a", "autoScaling": {"minAgents": 1}});
        assert_eq!(render(&one, false), ["autoScaling.minAgents\t1", "name\ta"]);
    }
}
