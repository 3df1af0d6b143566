//! Parsing one file's text into a JSON value, with the file, line and column of any syntax error, and
//! the first check a document must pass: being OpenAPI 3.0.

use std::path::Path;

use serde_json::Value;

use crate::error::{Result, SpecError};

/// Largest spec file read: the published spec is about 100 kB; 16 MB is far beyond any real one and
/// keeps a runaway file from costing minutes and gigabytes in every downstream build.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;
/// Deepest nesting of `[` and `{` accepted. The YAML parser's time grows with the square of the depth
/// (80,000 levels took 24 s before it refused them); real specs nest a few dozen levels.
pub const MAX_FLOW_DEPTH: usize = 256;

/// Parses a file's bytes: refuses a file over 16 MB (`MAX_FILE_BYTES`) before decoding it, and text that is not
/// UTF-8 at the line and column of the first bad byte; then as [`parse_document`].
pub fn parse_file_bytes(path: &Path, bytes: &[u8]) -> Result<Value> {
    if bytes.len() > MAX_FILE_BYTES {
        let (line, column) = line_column(&bytes[..MAX_FILE_BYTES]);
        return Err(SpecError::Syntax {
            path: path.to_path_buf(),
            line,
            column,
            message: format!(
                "the file is {} bytes and passes the {MAX_FILE_BYTES} this tool reads here; is it really the spec?",
                bytes.len()
            ),
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_column(&bytes[..e.valid_up_to()]);
        SpecError::Syntax {
            path: path.to_path_buf(),
            line,
            column: column + 1,
            message: "the text is not UTF-8 here; save the file as UTF-8".into(),
        }
    })?;
    parse_document(path, text)
}

/// The 1-based line and the column of the end of `before`, the bytes in front of a position.
fn line_column(before: &[u8]) -> (usize, usize) {
    let line = 1 + before.iter().filter(|b| **b == b'\n').count();
    let start = before.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    (line, String::from_utf8_lossy(&before[start..]).chars().count())
}

/// Parses `text` (YAML, or JSON, which YAML also reads) and checks that it is an OpenAPI 3.0 document.
pub fn parse_document(path: &Path, text: &str) -> Result<Value> {
    check_bounds(path, text)?;
    let value = parse_text(path, text)?;
    check_version(path, &value)?;
    Ok(value)
}

/// Refuses, before any parsing, a file larger than [`MAX_FILE_BYTES`] or nesting `[`/`{` deeper than
/// [`MAX_FLOW_DEPTH`] (outside quoted strings and comments), with the line and column where it does.
fn check_bounds(path: &Path, text: &str) -> Result<()> {
    if text.len() > MAX_FILE_BYTES {
        let (line, column) = line_column(&text.as_bytes()[..MAX_FILE_BYTES]);
        return Err(SpecError::Syntax {
            path: path.to_path_buf(),
            line,
            column,
            message: format!(
                "the file is {} bytes, more than the {MAX_FILE_BYTES} this tool reads; is it really the spec?",
                text.len()
            ),
        });
    }
    let (mut depth, mut line, mut column) = (0usize, 1usize, 0usize);
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut previous = '\n';
    for c in text.chars() {
        column += 1;
        if c == '\n' {
            line += 1;
            column = 0;
            comment = false;
            // A plain YAML scalar cannot span a quote across lines in practice; a stray quote ends here.
            if quote == Some('\'') {
                quote = None;
            }
        } else if comment {
        } else if let Some(open) = quote {
            if c == open && previous != '\\' {
                quote = None;
            }
        } else if (c == '"' || c == '\'') && !previous.is_alphanumeric() {
            // A quote opens a string only where a scalar starts: in `5"` or `it's` it is a character,
            // and treating it as an opening quote would hide the brackets after it from the bound.
            quote = Some(c);
        } else if c == '#' && (previous.is_whitespace()) {
            comment = true;
        } else if c == '[' || c == '{' {
            depth += 1;
            if depth > MAX_FLOW_DEPTH {
                return Err(SpecError::Syntax {
                    path: path.to_path_buf(),
                    line,
                    column,
                    message: format!("`[`/`{{` nested more than {MAX_FLOW_DEPTH} levels deep; no spec nests so far"),
                });
            }
        } else if c == ']' || c == '}' {
            depth = depth.saturating_sub(1);
        }
        previous = c;
    }
    Ok(())
}

fn parse_text(path: &Path, text: &str) -> Result<Value> {
    let is_json = path.extension().is_some_and(|e| e == "json");
    if is_json {
        let value = serde_json::from_str(text).map_err(|e| SpecError::Syntax {
            path: path.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        if let Some(duplicate) = super::duplicate_keys::first_duplicate_key(text) {
            let (line, column) = duplicate.at;
            return Err(SpecError::Syntax {
                path: path.to_path_buf(),
                line,
                column,
                message: format!(
                    "the key `{}` is written twice in one object (first on line {}); JSON parsers keep only the \
                     last, silently: merge the two or remove one",
                    duplicate.key, duplicate.first_line
                ),
            });
        }
        return Ok(value);
    }
    // serde_yaml checks the YAML; the JSON model then rejects what JSON cannot hold (non-string keys).
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
        // serde_yaml places a duplicate key at the start of its mapping, or nowhere: the second key is
        // the place to fix.
        let message = yaml_message(&e);
        let duplicate = message.split_once("duplicate entry with key ").map(|(_, key)| key.trim_matches('"'));
        let (line, column) = duplicate
            .and_then(|key| second_yaml_key(text, key))
            .or_else(|| e.location().map(|l| (l.line(), l.column())))
            .unwrap_or_else(|| first_alias(text));
        let mut message = yaml_message(&e);
        if message.contains("repetition limit") {
            message.push_str(
                ": the aliases (`*name`) expand past what a spec needs (an alias bomb?); write the values out",
            );
        }
        SpecError::Syntax { path: path.to_path_buf(), line, column, message }
    })?;
    serde_json::to_value(&yaml).map_err(|e| {
        let (line, column) = first_non_string_key(text);
        SpecError::Syntax {
            path: path.to_path_buf(),
            line,
            column,
            message: format!("not representable as JSON ({e}); quote the key"),
        }
    })
}

/// Where a block mapping writes `key` a second time (serde_yaml names the key but not the place): the
/// line and column of the second `key:` at the same indentation in the same mapping.
fn second_yaml_key(text: &str, key: &str) -> Option<(usize, usize)> {
    // The keys seen per open mapping, by the indentation of its keys.
    let mut open: Vec<(usize, Vec<String>)> = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let mut indent = line.len() - trimmed.len();
        let mut rest = trimmed;
        // `- key: value` opens a new mapping inside a list item.
        let mut item = false;
        while let Some(after) = rest.strip_prefix("- ") {
            indent += 2;
            rest = after.trim_start();
            item = true;
        }
        let Some((name, _)) = rest.split_once(':') else { continue };
        let name = name.trim().trim_matches(|c| c == '"' || c == '\'').to_string();
        while open.last().is_some_and(|(level, _)| *level > indent || (item && *level == indent)) {
            open.pop();
        }
        match open.last_mut() {
            Some((level, keys)) if *level == indent => {
                if name == key && keys.contains(&name) {
                    return Some((number + 1, indent + 1));
                }
                keys.push(name);
            }
            _ => open.push((indent, vec![name])),
        }
    }
    None
}

/// Where the first YAML alias (`*name`) is used, or the start of the file: errors serde_yaml reports
/// without a place come from expanding aliases.
fn first_alias(text: &str) -> (usize, usize) {
    for (number, line) in text.lines().enumerate() {
        let bytes = line.as_bytes();
        let alias = (0..bytes.len())
            .find(|&i| bytes[i] == b'*' && bytes.get(i + 1).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_'));
        if let Some(at) = alias {
            return (number + 1, line[..at].chars().count() + 1);
        }
    }
    (1, 1)
}

/// The first line whose mapping key is not a plain string (`? [a]:`, `1.5:`), or the start of the file.
fn first_non_string_key(text: &str) -> (usize, usize) {
    for (number, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('?') || trimmed.starts_with('[') || trimmed.starts_with('{') {
            return (number + 1, line.len() - trimmed.len() + 1);
        }
    }
    (1, 1)
}

/// serde_yaml appends " at line L column C" to its messages; the location is reported separately.
fn yaml_message(error: &serde_yaml::Error) -> String {
    let message = error.to_string();
    match message.find(" at line ") {
        Some(cut) => message[..cut].to_string(),
        None => message,
    }
}

fn check_version(path: &Path, doc: &Value) -> Result<()> {
    let unsupported = |pointer: &'static str, message: String| {
        Err(SpecError::UnsupportedVersion { path: path.to_path_buf(), pointer, message })
    };
    if !doc.is_object() {
        return unsupported(
            "#",
            "the document is not a mapping; an OpenAPI document starts with `openapi: 3.0.x`".into(),
        );
    }
    if let Some(swagger) = doc.get("swagger") {
        return unsupported(
            "#/swagger",
            format!(
                "this is a Swagger {} document; convert it to OpenAPI 3.0 (for example with swagger2openapi) first",
                display(swagger)
            ),
        );
    }
    match doc.get("openapi") {
        None => unsupported(
            "#/openapi",
            "no `openapi` version field; an OpenAPI document starts with `openapi: 3.0.x`".into(),
        ),
        Some(Value::String(v)) if is_3_0_patch(v) => Ok(()),
        Some(Value::String(v)) if v.starts_with("3.1") => unsupported(
            "#/openapi",
            format!(
                "OpenAPI {v} is not supported: progenitor reads OpenAPI 3.0 only; state the document as 3.0.x \
             (replace `type: [x, \"null\"]` with `nullable: true`, `examples` in schemas with `example`)"
            ),
        ),
        Some(other) => unsupported(
            "#/openapi",
            format!(
                "unsupported OpenAPI version {}; write a full 3.0 version such as `3.0.3` (quoted in YAML)",
                display(other)
            ),
        ),
    }
}

/// `3.0.N`, the form progenitor reads (it parses the field as a version: `3.0` alone fails there).
fn is_3_0_patch(version: &str) -> bool {
    version.strip_prefix("3.0.").is_some_and(|patch| !patch.is_empty() && patch.bytes().all(|b| b.is_ascii_digit()))
}

fn display(value: &Value) -> String {
    value.as_str().map(str::to_string).unwrap_or_else(|| value.to_string())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn deep_nesting_and_huge_files_are_refused_before_parsing() {
        let started = std::time::Instant::now();
        let deep = format!("openapi: 3.0.3\nx: {}", "[".repeat(80_000));
        let error = parse_document(Path::new("deep.yaml"), &deep).map(drop).map_err(|e| e.to_string());
        assert!(
            error.as_ref().is_err_and(|e| e.contains("deep.yaml:2:") && e.contains("nested more than 256")),
            "{error:?}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(1), "{:?}", started.elapsed());
        let huge = format!("openapi: 3.0.3\nx: '{}'", "a".repeat(MAX_FILE_BYTES));
        let error = parse_document(Path::new("huge.yaml"), &huge).map(drop).map_err(|e| e.to_string());
        assert!(error.is_err_and(|e| e.contains("more than the")));
        // Brackets inside strings and comments do not count.
        let quoted = format!(
            "openapi: 3.0.3\ninfo: {{title: \"{}\", version: '1'}} # {}\npaths: {{}}\n",
            "[".repeat(300),
            "{".repeat(300)
        );
        assert!(parse_document(Path::new("quoted.yaml"), &quoted).is_ok());
    }

    fn parse(name: &str, text: &str) -> Result<Value> {
        parse_document(&PathBuf::from(name), text)
    }

    #[test]
    fn yaml_syntax_errors_carry_file_line_and_column() {
        let text = "openapi: 3.0.0\ninfo:\n  title: x\n  version: [1\npaths: {}\n";
        let err = parse("spec.yaml", text).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.starts_with("spec.yaml:5:"), "{err}");
    }

    #[test]
    fn json_syntax_errors_carry_line_and_column() {
        let err = parse("spec.json", "{\n  \"openapi\": \"3.0.0\",\n  oops\n}").err().map(|e| e.to_string());
        assert!(err.unwrap_or_default().starts_with("spec.json:3:3:"));
    }

    #[test]
    fn versions_other_than_3_0_are_refused_with_advice() {
        let v31 = parse("a.yaml", "openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths: {}\n");
        assert!(
            v31.err().map(|e| e.to_string()).unwrap_or_default().contains("#/openapi: OpenAPI 3.1.0 is not supported")
        );
        let swagger = parse("a.yaml", "swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n");
        assert!(swagger.err().map(|e| e.to_string()).unwrap_or_default().contains("Swagger 2.0 document"));
        assert!(parse("a.yaml", "openapi: 3.0.3\npaths: {}\n").is_ok());
        for bad in ["'3.0'", "3.0", "'3.0.3-rc'", "'3.0.x'", "''", "~"] {
            let error = parse("a.yaml", &format!("openapi: {bad}\npaths: {{}}\n")).err().map(|e| e.to_string());
            assert!(error.as_ref().is_some_and(|e| e.starts_with("a.yaml: #/openapi: ")), "{bad}: {error:?}");
        }
    }

    #[test]
    fn a_quote_inside_a_word_does_not_hide_a_nesting_bomb() {
        let started = std::time::Instant::now();
        let bomb = format!("openapi: 3.0.3\ninfo: {{title: 5\", version: '1'}}\nx: {}", "[".repeat(80_000));
        let error = parse_document(Path::new("bomb.yaml"), &bomb).map(drop).map_err(|e| e.to_string());
        assert!(
            error.as_ref().is_err_and(|e| e.contains("bomb.yaml:3:") && e.contains("nested more than 256")),
            "{error:?}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(1), "{:?}", started.elapsed());
    }

    #[test]
    fn duplicate_keys_are_refused_in_json_and_in_yaml_where_the_second_is() {
        let json = "{\n  \"openapi\": \"3.0.3\",\n  \"paths\": {\"/a\": {}},\n  \"paths\": {}\n}";
        let text = parse("spec.json", json).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            text.starts_with("spec.json:4:3: the key `paths` is written twice in one object (first on line 3)"),
            "{text}"
        );
        let yaml = "openapi: 3.0.3\npaths:\n  /a:\n    get: {}\n    put: {}\n  /b: {}\n  /a: {}\n";
        let text = parse("spec.yaml", yaml).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(text.starts_with("spec.yaml:7:3: paths: duplicate entry with key \"/a\""), "{text}");
        let yaml = "openapi: 3.0.3\nx:\n  - name: a\n    in: query\n  - name: b\n    in: query\n    in: path\n";
        let text = parse("spec.yaml", yaml).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(text.starts_with("spec.yaml:7:5: x[1]: duplicate entry with key \"in\""), "{text}");
    }

    #[test]
    fn bytes_that_are_not_utf8_are_refused_where_they_are() {
        let error = parse_file_bytes(Path::new("a.yaml"), b"openapi: 3.0.3\ninfo: {title: \xff}\n").err();
        let text = error.map(|e| e.to_string()).unwrap_or_default();
        assert!(text.starts_with("a.yaml:2:15: the text is not UTF-8"), "{text}");
    }

    #[test]
    fn an_alias_bomb_is_refused_at_its_first_alias() {
        let mut text = String::from("openapi: 3.0.3\npaths: {}\nx0: &a0 [l, l, l, l, l, l, l, l, l]\n");
        for level in 1..10 {
            let prev = level - 1;
            text.push_str(&format!("x{level}: &a{level} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"));
        }
        let text = parse("bomb.yaml", &text).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(text.starts_with("bomb.yaml:4:") && text.contains("alias bomb"), "{text}");
    }
}
