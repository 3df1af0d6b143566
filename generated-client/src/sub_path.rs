//! Restoring the session proxy's sub-path. progenitor escapes every path parameter as one segment, so the
//! proxy's `{path}` value `api/offer` is built as `api%2Foffer`. For an operation whose last parameter is
//! a sub-path, the last segment is split back on `%2F` into one segment per part.
//!
//! Dot segments and empty parts are refused here too, although the wrapper already refuses them before
//! the request is built: a URL parser would resolve `..` against the route and reach another endpoint.

use crate::operation::Operation;

/// Splits the escaped sub-path at the end of `request`'s URL back into segments.
pub fn restore(operation: &Operation, request: &mut reqwest::Request) -> Result<(), String> {
    let Some(param) = operation.sub_path_param() else { return Ok(()) };
    let url = request.url_mut();
    let path = url.path().to_string();
    let Some((head, last)) = path.rsplit_once('/') else { return Ok(()) };
    let parts: Vec<&str> = split_escaped_slashes(last);
    for part in &parts {
        if part.is_empty() || is_dot_segment(part) {
            return Err(format!(
                "path parameter `{}` has an empty, `.` or `..` segment; each segment must name something",
                param.name
            ));
        }
    }
    url.set_path(&format!("{head}/{}", parts.join("/")));
    Ok(())
}

fn split_escaped_slashes(segment: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = segment;
    while let Some(at) = rest.find("%2F").or_else(|| rest.find("%2f")) {
        parts.push(&rest[..at]);
        rest = &rest[at + 3..];
    }
    parts.push(rest);
    parts
}

/// True for `.` and `..` in any spelling a URL parser treats as a dot segment (`%2e`, `.%2E`, ...).
pub fn is_dot_segment(segment: &str) -> bool {
    let lowered = segment.to_ascii_lowercase().replace("%2e", ".");
    lowered == "." || lowered == ".."
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_slashes_split_and_dot_segments_are_recognized() {
        assert_eq!(split_escaped_slashes("api%2Foffer"), vec!["api", "offer"]);
        assert_eq!(split_escaped_slashes("status"), vec!["status"]);
        assert!(is_dot_segment("%2E%2e") && is_dot_segment(".%2E") && is_dot_segment("."));
        assert!(!is_dot_segment("...") && !is_dot_segment("a."));
    }
}
