//! The recording format of the conformance tests: one HTTP exchange with the Pipecat Cloud API per YAML
//! file, `<dir>/<operationId>/<status>[-<case>].yaml`, with no key and no secret value in it. The
//! workspace's replay tests read it ([`load_all`]); the maintainers' recorder and the CLI's parity kit
//! (`pipecat-cloud emulator parity --record DIR`) write it ([`Recording::write`]). The README shows the
//! format and says what is scrubbed.
#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Field names whose values are secrets; recordings hold [`SCRUBBED`] in their place.
pub const SECRET_FIELDS: [&str; 5] = ["secretValue", "token", "dailyToken", "credential", "password"];
/// What a scrubbed secret reads as.
pub const SCRUBBED: &str = "<scrubbed>";
/// Request headers a recording may keep; everything else (Authorization first) is dropped.
pub const KEPT_REQUEST_HEADERS: [&str; 1] = ["content-type"];
/// Response headers a recording may keep.
pub const KEPT_RESPONSE_HEADERS: [&str; 4] = ["content-type", "retry-after", "x-request-id", "location"];

/// One recorded exchange.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Recording {
    /// What the exchange shows, in one line.
    pub about: String,
    /// True for exchanges the spec does not document but the API produces (or a proxy in front of it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub beyond_spec: bool,
    /// Where the response came from: `recorded`, `published example`, `synthesized from the schema`...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The request the client must send.
    pub request: RecordedRequest,
    /// The response the server gave.
    pub response: RecordedResponse,
}

/// The request side of a recording.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RecordedRequest {
    /// The method, upper case.
    pub method: String,
    /// The full path, with `/v1` or `/v1/public`, percent-encoded as sent.
    pub path: String,
    /// Query parameters.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub query: BTreeMap<String, String>,
    /// The headers that matter (see [`KEPT_REQUEST_HEADERS`]), lower-case names.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// The JSON body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// The response side of a recording.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RecordedResponse {
    /// The status.
    pub status: u16,
    /// Headers (see [`KEPT_RESPONSE_HEADERS`]), lower-case names.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// A JSON body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// A body that is not JSON (an HTML page from a proxy, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// A recording with where it lives and what it is for.
#[derive(Clone, Debug)]
pub struct RecordingFile {
    /// The file.
    pub path: PathBuf,
    /// The operationId (the folder's name).
    pub operation_id: String,
    /// The status (the file name's first part).
    pub status: u16,
    /// The case (the file name after the status), if any.
    pub case: Option<String>,
    /// The recording.
    pub recording: Recording,
}

impl RecordingFile {
    /// `operationId status[-case]`, how reports name a recording.
    pub fn label(&self) -> String {
        match &self.case {
            Some(case) => format!("{} {}-{case}", self.operation_id, self.status),
            None => format!("{} {}", self.operation_id, self.status),
        }
    }
}

impl Recording {
    /// Writes the recording as `dir/<operation_id>/<status>[-<case>].yaml` and returns that path. The
    /// recording is written as it is: scrub it first ([`RecordedResponse::scrubbed`], [`scrub`]).
    ///
    /// # Errors
    /// The folder or the file could not be written.
    pub fn write(&self, dir: &Path, operation_id: &str, case: Option<&str>) -> io::Result<PathBuf> {
        let folder = dir.join(operation_id);
        std::fs::create_dir_all(&folder)?;
        let status = self.response.status;
        let name = match case {
            Some(case) => format!("{status}-{case}.yaml"),
            None => format!("{status}.yaml"),
        };
        let file = folder.join(name);
        let text = serde_yaml::to_string(self).map_err(io::Error::other)?;
        std::fs::write(&file, text)?;
        Ok(file)
    }
}

impl RecordedResponse {
    /// A response as it came (status, headers, body bytes), scrubbed: only [`KEPT_RESPONSE_HEADERS`]
    /// are kept; a JSON body loses its [`SECRET_FIELDS`]' values and every string holding one of
    /// `keys`; a body that is not JSON is kept as text, scrubbed by [`scrub_text`] for each key.
    pub fn scrubbed<'a>(
        status: u16,
        headers: impl IntoIterator<Item = (&'a str, &'a str)>,
        body: &[u8],
        keys: &[&str],
    ) -> Self {
        let headers = headers
            .into_iter()
            .filter(|(name, _)| KEPT_RESPONSE_HEADERS.iter().any(|kept| kept.eq_ignore_ascii_case(name)))
            .map(|(name, value)| (name.to_ascii_lowercase(), value.to_string()))
            .collect();
        let (body, text) = match serde_json::from_slice::<Value>(body) {
            Ok(mut json) => {
                scrub(&mut json);
                for key in keys {
                    scrub_key(&mut json, key);
                }
                (Some(json), None)
            }
            Err(_) if body.is_empty() => (None, None),
            Err(_) => {
                let text = String::from_utf8_lossy(body);
                let scrubbed = keys.iter().fold(scrub_text(&text, None), |text, key| scrub_text(&text, Some(key)));
                (None, Some(scrubbed))
            }
        };
        RecordedResponse { status, headers, body, text }
    }
}

/// Every recording under `dir`, sorted by operation and file name.
pub fn load_all(dir: &Path) -> Result<Vec<RecordingFile>, String> {
    let read = |p: &Path| std::fs::read_dir(p).map_err(|e| format!("{}: {e}", p.display()));
    let mut files = Vec::new();
    for entry in read(dir)? {
        let folder = entry.map_err(|e| e.to_string())?.path();
        if !folder.is_dir() {
            continue;
        }
        let operation_id = folder.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        for entry in read(&folder)? {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.extension().is_none_or(|e| e != "yaml") {
                continue;
            }
            files.push(load_one(&path, &operation_id)?);
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

fn load_one(path: &Path, operation_id: &str) -> Result<RecordingFile, String> {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    let (status, case) = match stem.split_once('-') {
        Some((status, case)) => (status, Some(case.to_string())),
        None => (stem, None),
    };
    let status: u16 =
        status.parse().map_err(|_| format!("{}: the file name must start with the status", path.display()))?;
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let recording: Recording = serde_yaml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if recording.response.status != status {
        return Err(format!(
            "{}: the file says status {status}, the response {}",
            path.display(),
            recording.response.status
        ));
    }
    Ok(RecordingFile { path: path.to_path_buf(), operation_id: operation_id.to_string(), status, case, recording })
}

/// Replaces the values of [`SECRET_FIELDS`] in `value` with [`SCRUBBED`].
pub fn scrub(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, field) in map.iter_mut() {
                if SECRET_FIELDS.contains(&key.as_str()) && field.is_string() {
                    *field = Value::String(SCRUBBED.to_string());
                } else {
                    scrub(field);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(scrub),
        _ => {}
    }
}

/// A body that is not JSON (an HTML error page, a text log), scrubbed: every occurrence of `key` (the API
/// key the recording was made with), the token after `Bearer `, and the value after any of
/// [`SECRET_FIELDS`] written as `field: value`, `field=value` or `"field": "value"` become [`SCRUBBED`].
pub fn scrub_text(text: &str, key: Option<&str>) -> String {
    let mut out = match key.filter(|k| !k.is_empty()) {
        Some(key) => text.replace(key, SCRUBBED),
        None => text.to_string(),
    };
    for marker in SECRET_FIELDS.iter().copied().chain(["bearer"]) {
        // Field names match in any case (`Password:`, `TOKEN=`); ASCII lower-casing keeps byte offsets.
        let marker = marker.to_ascii_lowercase();
        let marker = marker.as_str();
        let mut lower = out.to_ascii_lowercase();
        let mut from = 0;
        while let Some(found) = lower[from..].find(marker) {
            let name_end = from + found + marker.len();
            let rest = &out[name_end..];
            // The separator: an optional closing quote, then `:`, `=` or (after Bearer) a space, then an
            // optional opening quote.
            let separator: usize = rest
                .char_indices()
                .find(|(_, c)| !matches!(c, '"' | '\'' | ':' | '=' | ' ' | '\\'))
                .map_or(rest.len(), |(i, _)| i);
            let joined = &rest[..separator];
            if !(joined.contains(':')
                || joined.contains('=')
                || (marker.eq_ignore_ascii_case("bearer") && joined == " "))
            {
                from = name_end;
                continue;
            }
            let value_start = name_end + separator;
            let value_len = out[value_start..]
                .char_indices()
                .find(|(_, c)| matches!(c, '"' | '\'' | '\\' | ',' | '&' | '}' | '<' | ';') || c.is_whitespace())
                .map_or(out.len() - value_start, |(i, _)| i);
            if value_len == 0 || out[value_start..].starts_with(SCRUBBED) {
                from = value_start.max(name_end);
                continue;
            }
            out.replace_range(value_start..value_start + value_len, SCRUBBED);
            lower.replace_range(value_start..value_start + value_len, SCRUBBED);
            from = value_start + SCRUBBED.len();
        }
    }
    out
}

/// Replaces `key` wherever it occurs in a string of `value` (an error message that echoes the key, for
/// one): field names alone do not catch it.
pub fn scrub_key(value: &mut Value, key: &str) {
    if key.is_empty() {
        return;
    }
    match value {
        Value::String(text) if text.contains(key) => *text = text.replace(key, SCRUBBED),
        Value::Object(map) => map.values_mut().for_each(|v| scrub_key(v, key)),
        Value::Array(items) => items.iter_mut().for_each(|v| scrub_key(v, key)),
        _ => {}
    }
}

/// The secret fields under `value` that hold something other than [`SCRUBBED`], as JSON pointers.
pub fn unscrubbed_secrets(value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    walk_secrets(value, String::new(), &mut found);
    found
}

fn walk_secrets(value: &Value, at: String, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, field) in map {
                let here = format!("{at}/{key}");
                if SECRET_FIELDS.contains(&key.as_str()) && field.as_str().is_some_and(|s| s != SCRUBBED) {
                    found.push(here);
                } else {
                    walk_secrets(field, here, found);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk_secrets(item, format!("{at}/{i}"), found);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_bodies_lose_the_key_tokens_and_secret_values() {
        let page = "<p>key pk_live_123 refused</p> Authorization: Bearer sk_abc.def\n\
                    {\"secretValue\": \"hunter2\", \"name\": \"x\"} token=tok-9&next=1 password: swordfish Password: Tr0ub4dor";
        let scrubbed = scrub_text(page, Some("pk_live_123"));
        for secret in ["pk_live_123", "sk_abc.def", "hunter2", "tok-9", "swordfish", "Tr0ub4dor"] {
            assert!(!scrubbed.contains(secret), "{secret} left in: {scrubbed}");
        }
        assert!(scrubbed.contains("\"name\": \"x\"") && scrubbed.contains("next=1"), "{scrubbed}");
        assert_eq!(scrub_text(&scrubbed, Some("pk_live_123")), scrubbed, "scrubbing twice changes nothing");
    }

    #[test]
    fn a_key_echoed_in_a_json_string_is_scrubbed() {
        let mut body = serde_json::json!({"error": "key pk_live_123 is revoked", "list": ["pk_live_123"], "n": 1});
        scrub_key(&mut body, "pk_live_123");
        assert_eq!(body, serde_json::json!({"error": "key <scrubbed> is revoked", "list": ["<scrubbed>"], "n": 1}));
    }
}
