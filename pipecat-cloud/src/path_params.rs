//! Where a path segment is checked. Every text path parameter of every operation passes through
//! [`check`] before it is written into a URL (by [`crate::request::OutgoingRequest::segment`], which then
//! escapes it). A value is refused when a URL parser or
//! a server could read it as something other than one name (empty, `.`, `..` in any spelling, `\`,
//! control characters, and `/` outside the session proxy's sub-path, since servers that decode `%2F`
//! before routing would read it as a separator) or when it breaks the spec's own rules (length, pattern,
//! enum, uuid format). Anything else is sent as exactly one escaped segment; the session proxy's sub-path
//! is checked segment by segment and keeps its `/`s.

use pipecat_cloud_generated::operation::{Operation, PathParam};

use crate::error::Error;

/// Longest value accepted for a single segment: no Pipecat resource name comes close, and a longer value
/// would only produce URLs that servers and proxies reject.
pub(crate) const MAX_SEGMENT_BYTES: usize = 1024;
/// Longest sub-path accepted for the session proxy.
pub(crate) const MAX_SUB_PATH_BYTES: usize = 2048;

/// Checks path parameter `index` of `operation`; returns the parameter's rules when the value may be sent.
pub(crate) fn check(operation: &'static Operation, index: usize, value: &str) -> Result<&'static PathParam, Error> {
    let Some(param) = operation.path_params.get(index) else {
        return Err(Error::InvalidRequest {
            operation: operation.id.as_str(),
            message: format!("path parameter #{index} is not in the catalog"),
        });
    };
    let refuse = |problem: String, rule: String| Error::InvalidParameter {
        operation: operation.id.as_str(),
        parameter: param.name,
        problem,
        rule,
    };
    if param.sub_path {
        if value.len() > MAX_SUB_PATH_BYTES {
            return Err(refuse(
                format!("is {} bytes long", value.len()),
                format!("at most {MAX_SUB_PATH_BYTES} bytes"),
            ));
        }
        for (position, segment) in value.split('/').enumerate() {
            check_structure(segment)
                .map_err(|(problem, rule)| refuse(format!("has a segment #{} that {problem}", position + 1), rule))?;
        }
        // The spec's rules are about the whole value, `/`s included.
        check_rules(param, value).map_err(|(problem, rule)| refuse(problem, rule))?;
    } else {
        if value.contains('/') {
            return Err(refuse(
                "contains `/`".into(),
                "one path segment; servers that decode %2F would read `/` as a separator".into(),
            ));
        }
        check_structure(value)
            .and_then(|()| check_rules(param, value))
            .map_err(|(problem, rule)| refuse(problem, rule))?;
    }
    if !param.allowed.is_empty() && !param.allowed.contains(&value) {
        return Err(refuse(
            "is not one of the values the API accepts".into(),
            format!("one of {}", param.allowed.join(", ")),
        ));
    }
    Ok(param)
}

/// `Err((problem, rule))` when `segment` cannot be sent as one path segment at all.
fn check_structure(segment: &str) -> Result<(), (String, String)> {
    let one_segment = "a path segment must name exactly one thing".to_string();
    if segment.is_empty() {
        return Err(("is empty".into(), one_segment));
    }
    if is_dot_segment(segment) {
        return Err((
            "is a dot segment (`.` or `..`, possibly percent-encoded)".into(),
            "URL parsers resolve dot segments, which would send the request to another route".into(),
        ));
    }
    if segment.contains('\\') {
        return Err(("contains a backslash".into(), "URL parsers read `\\` as `/`".into()));
    }
    if let Some(c) = segment.chars().find(|c| c.is_control()) {
        return Err((format!("contains the control character U+{:04X}", u32::from(c)), "no control characters".into()));
    }
    if segment.len() > MAX_SEGMENT_BYTES {
        return Err((format!("is {} bytes long", segment.len()), format!("at most {MAX_SEGMENT_BYTES} bytes")));
    }
    Ok(())
}

/// `1 character`, `2 characters`.
fn characters(count: usize) -> String {
    if count == 1 { "1 character".to_string() } else { format!("{count} characters") }
}

/// `Err((problem, rule))` when `value` breaks the spec's rules for `param` (length, pattern, format).
fn check_rules(param: &PathParam, value: &str) -> Result<(), (String, String)> {
    let chars = value.chars().count();
    if let Some(min) = param.min_length.filter(|min| chars < *min) {
        return Err((format!("is {} long", characters(chars)), format!("at least {}", characters(min))));
    }
    if let Some(max) = param.max_length.filter(|max| chars > *max) {
        return Err((format!("is {} long", characters(chars)), format!("at most {}", characters(max))));
    }
    if let Some(pattern) = param.pattern.filter(|p| !p.is_match(value)) {
        return Err(("does not match the required pattern".into(), format!("pattern {}", pattern.source())));
    }
    if param.format == Some("uuid") && uuid::Uuid::parse_str(value).is_err() {
        return Err(("is not a UUID".into(), "a UUID such as 1d6f6c4a-3f5e-4d7b-9a65-0c9b9e2f4a10".into()));
    }
    Ok(())
}

/// True for `.` and `..` in any spelling a URL parser treats as a dot segment (`%2e`, `.%2E`, ...).
pub(crate) fn is_dot_segment(segment: &str) -> bool {
    // The longest spelling is `%2e%2e`; anything longer cannot be one (and needs no allocation).
    if segment.len() > 6 || !segment.starts_with(['.', '%']) {
        return false;
    }
    let lowered = segment.to_ascii_lowercase().replace("%2e", ".");
    lowered == "." || lowered == ".."
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_segments_are_recognized_in_every_spelling() {
        assert!(is_dot_segment("%2E%2e") && is_dot_segment(".%2E") && is_dot_segment(".") && is_dot_segment(".."));
        assert!(!is_dot_segment("...") && !is_dot_segment("a."));
    }
}
