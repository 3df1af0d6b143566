//! Duplicate keys in a JSON document. `serde_json` keeps the last of two equal keys without a word, so
//! a spec with two `paths` objects would silently lose the first one's operations; YAML's parser already
//! refuses duplicates itself.

use std::collections::HashMap;

/// A key written twice in one JSON object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// The key, decoded.
    pub key: String,
    /// The 1-based line and column of its second occurrence.
    pub at: (usize, usize),
    /// The line of its first occurrence.
    pub first_line: usize,
}

/// What the container being scanned is: an object with the keys it has so far (and where each came), or
/// an array.
enum Container {
    Object(HashMap<String, usize>),
    Array,
}

/// The first key that `text`, a JSON document `serde_json` has already parsed, writes twice in one
/// object. Nesting is already bounded by the loader (`MAX_FLOW_DEPTH`), so the stack stays small.
pub fn first_duplicate_key(text: &str) -> Option<DuplicateKey> {
    let bytes = text.as_bytes();
    let mut stack: Vec<Container> = Vec::new();
    let mut expect_key = false;
    // Where the scan is, in lines, counted as it goes: counting from the start at each key would take
    // time quadratic in the file's size. (A JSON string holds no raw line break.)
    let (mut line, mut line_start) = (1, 0);
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            b'{' => {
                stack.push(Container::Object(HashMap::new()));
                expect_key = true;
            }
            b'[' => {
                stack.push(Container::Array);
                expect_key = false;
            }
            b'}' | b']' => {
                stack.pop();
                expect_key = false;
            }
            b',' => expect_key = matches!(stack.last(), Some(Container::Object(_))),
            b':' => expect_key = false,
            b'"' => {
                let start = i;
                i += 1;
                while let Some(&inner) = bytes.get(i) {
                    match inner {
                        b'\\' => i += 2,
                        b'"' => break,
                        _ => i += 1,
                    }
                }
                if expect_key && let Some(Container::Object(keys)) = stack.last_mut() {
                    let raw = text.get(start..=i).unwrap_or_default();
                    // Decoded, so that `"a"` and `"\u0061"` are the same key, as they are to the parser.
                    let key: String = serde_json::from_str(raw).unwrap_or_else(|_| raw.to_string());
                    if let Some(&first_line) = keys.get(&key) {
                        let column = text.get(line_start..start).map_or(0, |before| before.chars().count()) + 1;
                        return Some(DuplicateKey { key, at: (line, column), first_line });
                    }
                    keys.insert(key, line);
                }
                expect_key = false;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_second_of_two_equal_keys_is_found_where_it_is() {
        let text = "{\n  \"paths\": {\"/a\": {}},\n  \"info\": {\"paths\": 1},\n  \"paths\": {}\n}";
        assert_eq!(first_duplicate_key(text), Some(DuplicateKey { key: "paths".into(), at: (4, 3), first_line: 2 }));
    }

    #[test]
    fn equal_keys_in_different_objects_values_and_arrays_are_not_duplicates() {
        let text = r#"{"a": {"a": "a"}, "b": ["a", "a", {"a": 1}, {"a": 2}], "c": "\"a\": 1, \"a\": 2"}"#;
        assert_eq!(first_duplicate_key(text), None);
    }

    #[test]
    fn keys_are_compared_decoded() {
        let found = first_duplicate_key(r#"{"a": 1, "\u0061": 2}"#);
        assert_eq!(found.map(|d| (d.key, d.at)), Some(("a".to_string(), (1, 10))));
    }

    #[test]
    fn a_large_document_is_scanned_once_and_located_exactly() {
        // 50,000 keys on as many lines: counting lines from the start at each key did not end in minutes.
        let mut text = String::from("{\n");
        for n in 0..50_000 {
            text.push_str(&format!("  \"k{n}\": {{\"é\": {n}}},\n"));
        }
        text.push_str("  \"k7\": 0\n}");
        let found = first_duplicate_key(&text);
        assert_eq!(found, Some(DuplicateKey { key: "k7".into(), at: (50_002, 3), first_line: 9 }));
    }
}
