//! What goes to stdout, in the mode asked for: a table for people in a terminal, tab-separated plain
//! text when piped, or exactly one JSON document (NDJSON for `agent logs --follow`). Every write goes
//! through [`line`]: a reader that closes the pipe early (`| head -1`) ends the program quietly instead
//! of a panic.

use std::io::{IsTerminal, Write};

use chrono::{DateTime, Utc};
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

/// The rows of `value`: a list answer as columns (or, a list of text, one line each), any other object
/// as a record, a scalar as itself.
fn render(value: &Value, mode: Mode) -> Vec<String> {
    render_at(value, mode, crate::times::now())
}

fn render_at(value: &Value, mode: Mode, now: DateTime<Utc>) -> Vec<String> {
    if let Some((list, rows)) = listing(value) {
        return match rows.iter().all(Value::is_object) || rows.is_empty() {
            true => columns(list, rows, mode, now),
            // A list of text (a build's log): one line each, whole.
            false => rows.iter().map(|row| shown(list, "", row, mode, now)).collect(),
        };
    }
    match value {
        Value::Object(_) if mode == Mode::Plain => {
            let mut pairs = Vec::new();
            flatten(value, String::new(), &mut pairs);
            pairs.into_iter().map(|(key, text)| format!("{key}\t{text}")).collect()
        }
        Value::Object(_) => {
            let mut lines = Vec::new();
            record(value, "", 0, now, &mut lines);
            lines
        }
        other => vec![scalar(other)],
    }
}

/// The fields a list answer holds beside its list: its paging and totals.
const PAGING_FIELDS: [&str; 8] =
    ["total", "total_count", "totalCount", "limit", "offset", "nextToken", "next_token", "relation"];

/// The list `value` is, or holds as a list answer (one list, the rest paging), with the list's name
/// (`sessions`) when it has one. A record that happens to hold a list (a session's `meetingIds`) is
/// not one.
fn listing(value: &Value) -> Option<(&str, &Vec<Value>)> {
    match value {
        Value::Array(items) if !items.is_empty() => Some(("", items)),
        Value::Object(map) => {
            let lists: Vec<(&str, &Vec<Value>)> =
                map.iter().filter_map(|(name, field)| Some((name.as_str(), field.as_array()?))).collect();
            let only_paging_besides =
                map.keys().filter(|k| !map[*k].is_array()).all(|k| PAGING_FIELDS.contains(&k.as_str()));
            match lists.as_slice() {
                [only] if only_paging_besides => Some(*only),
                _ => None,
            }
        }
        _ => None,
    }
}

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
        "id" | "sessionId" => Some(2),
        _ if own_id.as_deref() == Some(key) => Some(2),
        "status" | "state" | "phase" => Some(3),
        "ready" | "completionStatus" | "type" => Some(4),
        "region" => Some(5),
        _ if is_time_key(key) => Some(6),
        "log" | "message" | "display_name" | "description" => Some(7),
        _ => None,
    }
}

fn is_time_key(key: &str) -> bool {
    key.ends_with("At") || key.ends_with("Time") || key == "timestamp"
}

/// A state the list's answer does not carry, derived from what it does: an agent whose reconciled
/// deployment is its desired one is up to date, else rolling out; a session without an end is active.
fn derived_state(list: &str, row: &Value) -> Option<(&'static str, String)> {
    let field = |name: &str| row.get(name).filter(|v| !v.is_null());
    match list {
        "services" if field("state").is_none() => {
            let up_to_date = field("desiredDeploymentId").is_some()
                && field("reconciledDeploymentId") == field("desiredDeploymentId");
            Some(("state", if up_to_date { "up to date" } else { "rolling out" }.to_string()))
        }
        "sessions" if field("status").is_none() => {
            Some(("status", if field("endedAt").is_some() { "ended" } else { "active" }.to_string()))
        }
        _ => None,
    }
}

/// A column's header: the field's words in capitals, a time without its `At` (`createdAt` → `CREATED`).
fn header(key: &str) -> String {
    let words = heck::ToShoutySnakeCase::to_shouty_snake_case(key).replace('_', " ");
    match words.strip_suffix(" AT") {
        Some(stem) if !stem.is_empty() => stem.to_string(),
        _ => words,
    }
}

/// A cell: a time as an age in a table (absolute in a log), in the one time format elsewhere; any other
/// value as [`scalar`].
fn shown(list: &str, key: &str, value: &Value, mode: Mode, now: DateTime<Utc>) -> String {
    let time = value.as_str().filter(|_| is_time_key(key)).and_then(crate::times::parse);
    match time {
        Some(time) if mode == Mode::Table && list != "logs" => crate::times::age(time, now),
        Some(time) => crate::times::canonical(time),
        None => scalar(value),
    }
}

fn columns(list: &str, rows: &[Value], mode: Mode, now: DateTime<Utc>) -> Vec<String> {
    let table = mode != Mode::Plain;
    if rows.is_empty() {
        // An empty list prints nothing a script would read; a person is told.
        if table {
            note(&format!("no {}", if list.is_empty() { "items" } else { list }));
        }
        return Vec::new();
    }
    let rows: Vec<Value> = rows
        .iter()
        .map(|row| match (derived_state(list, row), row) {
            (Some((key, state)), Value::Object(fields)) => {
                let mut fields = fields.clone();
                fields.insert(key.to_string(), Value::String(state));
                Value::Object(fields)
            }
            _ => row.clone(),
        })
        .collect();
    let mut keys: Vec<&str> = Vec::new();
    for row in &rows {
        for (key, field) in row.as_object().into_iter().flatten() {
            // In the table, a field no row has a value for (`deletedAt` of live agents) is no column.
            let valued = mode == Mode::Wide || rows.iter().any(|r| r.get(key).is_some_and(|v| !v.is_null()));
            let ranked = mode == Mode::Wide || column_rank(list, key).is_some();
            if ranked && valued && !field.is_object() && !field.is_array() && !keys.contains(&key.as_str()) {
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
    // In a table, cells are cut to keep the columns after them readable; the last column has none after
    // it, so a log line or a message shows whole. `wide` and plain never cut.
    let last = keys.len().saturating_sub(1);
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            keys.iter()
                .enumerate()
                .map(|(i, k)| {
                    let text = row.get(*k).map(|v| shown(list, k, v, mode, now)).unwrap_or_default();
                    if i == last || mode != Mode::Table { text } else { cut(&text) }
                })
                .collect()
        })
        .collect();
    if !table {
        return cells.into_iter().map(|row| row.join("\t")).collect();
    }
    let headers: Vec<String> = keys.iter().map(|k| header(k)).collect();
    let widths: Vec<usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| cells.iter().map(|r| r[i].chars().count()).max().unwrap_or(0).max(h.chars().count()))
        .collect();
    let pad = |row: Vec<String>| -> String {
        row.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect::<Vec<_>>().join("  ").trim_end().to_string()
    };
    let mut out = vec![pad(headers)];
    out.extend(cells.into_iter().map(pad));
    out
}

const MAX_CELL: usize = 48;
/// Columns shown for a list whose fields the rule does not know.
const FALLBACK_COLUMNS: usize = 6;

fn cut(text: &str) -> String {
    if text.chars().count() > MAX_CELL {
        format!("{}…", text.chars().take(MAX_CELL - 1).collect::<String>())
    } else {
        text.to_string()
    }
}

/// A record as a person reads it: its scalars first as `key: value`, in the order [`column_rank`] gives
/// (a time with its age), then each nested object as an indented section and each list as its items;
/// never JSON in a cell.
fn record(value: &Value, list: &str, depth: usize, now: DateTime<Utc>, out: &mut Vec<String>) {
    let Value::Object(map) = value else { return };
    let indent = "  ".repeat(depth);
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort_by_key(|k| column_rank(list, k).unwrap_or(u8::MAX));
    let scalars: Vec<&String> = keys.iter().copied().filter(|k| !map[*k].is_object() && !map[*k].is_array()).collect();
    let width = scalars.iter().map(|k| k.chars().count()).max().unwrap_or(0) + 1;
    for key in scalars {
        let field = &map[key];
        let mut text = if field.is_null() { "none".to_string() } else { shown("", key, field, Mode::Wide, now) };
        if let Some(time) = field.as_str().filter(|_| is_time_key(key)).and_then(crate::times::parse) {
            text = format!("{text} ({})", crate::times::age(time, now));
        }
        out.push(format!("{indent}{:<width$} {text}", format!("{key}:")).trim_end().to_string());
    }
    for key in keys.iter().filter(|k| map[**k].is_object() || map[**k].is_array()) {
        match &map[*key] {
            Value::Object(fields) if fields.is_empty() => {}
            Value::Object(_) => {
                out.push(format!("{indent}{key}:"));
                record(&map[*key], key, depth + 1, now, out);
            }
            Value::Array(items) if items.is_empty() => out.push(format!("{indent}{key}: none")),
            Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
                out.push(format!("{indent}{key}: {}", items.iter().map(scalar).collect::<Vec<_>>().join(", ")));
            }
            Value::Array(items) => {
                out.push(format!("{indent}{key}:"));
                for item in items {
                    let mut lines = Vec::new();
                    record(item, key, depth + 2, now, &mut lines);
                    // Each item under a dash: its first line carries it.
                    if let Some(first) = lines.first_mut() {
                        let at = depth * 2 + 2;
                        first.replace_range(at..at + 1, "-");
                    }
                    out.extend(lines);
                }
            }
            _ => {}
        }
    }
}

/// A record as `key<TAB>value` lines for scripts: nested keys as dotted paths, list items by index, a
/// list of scalars joined with commas, times in the one format.
fn flatten(value: &Value, prefix: String, out: &mut Vec<(String, String)>) {
    let join = |key: &str| if prefix.is_empty() { key.to_string() } else { format!("{prefix}.{key}") };
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, field) in map {
                flatten(field, join(key), out);
            }
        }
        Value::Array(items) if items.iter().any(|i| i.is_object() || i.is_array()) => {
            for (i, item) in items.iter().enumerate() {
                flatten(item, join(&i.to_string()), out);
            }
        }
        Value::Array(items) => out.push((prefix, items.iter().map(scalar).collect::<Vec<_>>().join(","))),
        other => {
            let key = prefix.rsplit('.').next().unwrap_or_default().to_string();
            out.push((prefix, shown("", &key, other, Mode::Plain, crate::times::now())));
        }
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

/// Prints the items of a list called `list` (`sessions`) in `mode`, as one page of a listing.
pub fn list(mode: Mode, list: &str, items: Vec<Value>) {
    let mut wrapped = serde_json::Map::new();
    wrapped.insert(list.to_string(), Value::Array(items));
    value(mode, &Value::Object(wrapped));
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        crate::times::parse(text).unwrap_or_default()
    }

    #[test]
    fn a_list_answer_becomes_columns_and_a_record_reads_as_keys_and_sections() {
        let now = at("2026-12-08T10:00:00Z");
        let list = json!({"services": [{"ready": true, "name": "a", "nested": {"x": 1}}, {"name": "bb", "ready": false}], "total": 2});
        assert_eq!(
            render_at(&list, Mode::Table, now),
            ["NAME  STATE        READY", "a     rolling out  true", "bb    rolling out  false"]
        );
        assert_eq!(render_at(&list, Mode::Plain, now), ["a\trolling out\ttrue", "bb\trolling out\tfalse"]);
        let one = json!({"name": "a", "createdAt": "2026-12-08T09:57:00Z", "autoScaling": {"minAgents": 1}, "tags": ["x", "y"], "gone": null});
        assert_eq!(
            render_at(&one, Mode::Table, now),
            [
                "name:      a",
                "createdAt: 2026-12-08T09:57:00.000Z (3m ago)",
                "gone:      none",
                "autoScaling:",
                "  minAgents: 1",
                "tags: x, y"
            ]
        );
        assert_eq!(
            render_at(&one, Mode::Plain, now),
            ["autoScaling.minAgents\t1", "createdAt\t2026-12-08T09:57:00.000Z", "gone\t", "name\ta", "tags\tx,y"]
        );
        // A record holding a list is a record, not a listing (a session's `meetingIds`).
        let session = json!({"sessionId": "s1", "meetingIds": [], "endedAt": null});
        assert_eq!(render_at(&session, Mode::Table, now), ["sessionId: s1", "endedAt:   none", "meetingIds: none"]);
        // A list of text (a build's log): one line each.
        let log = json!({"logs": ["[Container] one", "[Container] two"], "nextToken": "t"});
        assert_eq!(render_at(&log, Mode::Plain, now), ["[Container] one", "[Container] two"]);
    }

    #[test]
    fn tables_lead_with_identity_state_region_and_time_and_wide_shows_the_rest() {
        let now = at("2026-12-08T10:00:00Z");
        let sessions = json!({"sessions": [{"botStartSeconds": 2, "coldStart": true, "createdAt": "2026-12-08T09:00:00Z",
            "deploymentId": "d", "sessionId": "s1", "completionStatus": "ok", "endedAt": "2026-12-08T09:30:00Z"}], "total_count": 1});
        assert_eq!(
            render_at(&sessions, Mode::Table, now),
            [
                "SESSION ID  STATUS  COMPLETION STATUS  CREATED  ENDED",
                "s1          ended   ok                 1h ago   30m ago"
            ]
        );
        let wide = render_at(&sessions, Mode::Wide, now);
        assert!(
            wide[0].starts_with("SESSION ID")
                && wide[0].contains("BOT START SECONDS")
                && wide[0].contains("DEPLOYMENT ID")
        );
        assert!(wide[1].contains("2026-12-08T09:00:00.000Z"), "wide shows times: {wide:?}");
        let text = "x".repeat(80);
        let logs = json!({"logs": [{"log": text, "deploymentId": "d", "timestamp": "2026-12-08T09:59:00.123456789Z"}], "total": {"value": 1}});
        assert_eq!(render_at(&logs, Mode::Plain, now), [format!("2026-12-08T09:59:00.123Z\t{text}")]);
        let wide_logs = render_at(&logs, Mode::Wide, now);
        assert!(wide_logs[1].contains(&text), "wide never cuts: {wide_logs:?}");
        let agents = json!({"services": [{"name": "a", "deletedAt": null, "region": "us-west", "desiredDeploymentId": "d", "reconciledDeploymentId": "d"}]});
        assert_eq!(
            render_at(&agents, Mode::Table, now),
            ["NAME  STATE       REGION", "a     up to date  us-west"],
            "a column empty in every row is left out; the state is derived"
        );
        assert!(render_at(&agents, Mode::Wide, now)[0].contains("DELETED"));
        let none = json!({"builds": [], "total": 0, "limit": 20});
        assert!(render_at(&none, Mode::Table, now).is_empty() && render_at(&none, Mode::Plain, now).is_empty());
    }
}
