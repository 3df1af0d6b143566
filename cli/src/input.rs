//! Where a command's input comes from besides its flags: a file or stdin (`-`), JSON, and dotenv text.
//! Every failure is a refusal (exit 2, nothing sent) that names the source.

use std::io::Read;

use anyhow::Context as _;
use serde_json::Value;

use crate::exit::refused;

/// The text of a file, or of stdin for `-`.
pub fn read_source(source: &str) -> anyhow::Result<String> {
    if source == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).context("cannot read stdin")?;
        return Ok(text);
    }
    std::fs::read_to_string(source).map_err(|e| refused(format!("cannot read {source}: {e}")))
}

/// JSON from a file, or from stdin for `-`.
pub fn read_json(source: &str) -> anyhow::Result<Value> {
    let text = read_source(source)?;
    serde_json::from_str(&text).map_err(|e| refused(format!("{source} is not JSON: {e}")))
}

/// `KEY=VALUE` pairs from dotenv text (quotes, `export`, comments, empty and multi-line values, as
/// shells and docker compose read them), naming `source` in errors. An error never quotes the line: it
/// may hold a secret.
pub fn parse_dotenv(text: &str, source: &str) -> anyhow::Result<Vec<(String, String)>> {
    dotenvy::from_read_iter(text.as_bytes()).map(|item| item.map_err(|e| refused(format!("{source}: {e}")))).collect()
}
