//! Where a header value is checked. A header parameter's value passes through [`check`] before it is
//! set on a request (by [`crate::request::OutgoingRequest::header`], for the typed builders, and by
//! [`crate::DynamicCall`]): refused when HTTP cannot carry it as one header value (CR, LF, NUL or another
//! control character, which could split the request or cut the header; more than [`MAX_HEADER_BYTES`])
//! or when it breaks the spec's own rules (length, pattern, enum, bounds). The value itself is never
//! repeated in the error: a header may carry a secret.

use pipecat_cloud_generated::operation::{HeaderParam, Operation};
use reqwest::header::{HeaderName, HeaderValue};

use crate::error::Error;

/// The longest header value sent: servers and proxies refuse longer headers (8 KB is the smallest limit
/// common in front of APIs).
pub(crate) const MAX_HEADER_BYTES: usize = 8 * 1024;

/// Checks `value` for header parameter `index` of `operation`; the header's name and value, ready to
/// send, when it may be sent.
pub(crate) fn check(
    operation: &'static Operation,
    index: usize,
    value: &str,
) -> Result<(HeaderName, HeaderValue), Error> {
    let Some(param) = operation.header_params.get(index) else {
        return Err(Error::InvalidRequest {
            operation: operation.id.as_str(),
            message: format!("header parameter #{index} is not in the catalog"),
        });
    };
    let refuse = |problem: String, rule: String| Error::InvalidParameter {
        operation: operation.id.as_str(),
        parameter: param.name,
        problem,
        rule,
    };
    check_value(param, value).map_err(|(problem, rule)| refuse(problem, rule))?;
    let name = HeaderName::from_bytes(param.name.as_bytes())
        .map_err(|_| refuse("names no header HTTP takes".into(), "a header name (the spec's)".into()))?;
    let value = HeaderValue::from_str(value).map_err(|_| {
        refuse("holds a character a header cannot carry".into(), "visible ASCII, spaces and tabs".into())
    })?;
    Ok((name, value))
}

/// `Err((problem, rule))` when `value` cannot be sent as `param`.
fn check_value(param: &HeaderParam, value: &str) -> Result<(), (String, String)> {
    if let Some(c) = value.chars().find(|c| c.is_control() && *c != '\t') {
        let what = match c {
            '\r' => "a carriage return (CR)".to_string(),
            '\n' => "a line feed (LF)".to_string(),
            '\0' => "a NUL".to_string(),
            other => format!("the control character U+{:04X}", u32::from(other)),
        };
        return Err((
            format!("contains {what}"),
            "one header value: no CR, LF, NUL or other control characters, which would end the header".into(),
        ));
    }
    if value.len() > MAX_HEADER_BYTES {
        return Err((format!("is {} bytes long", value.len()), format!("at most {MAX_HEADER_BYTES} bytes")));
    }
    let chars = value.chars().count();
    if let Some(min) = param.min_length.filter(|min| chars < *min) {
        return Err((format!("is {chars} characters long"), format!("at least {min} characters")));
    }
    if let Some(max) = param.max_length.filter(|max| chars > *max) {
        return Err((format!("is {chars} characters long"), format!("at most {max} characters")));
    }
    if let Some(pattern) = param.pattern.filter(|p| !p.is_match(value)) {
        return Err(("does not match the required pattern".into(), format!("pattern {}", pattern.source())));
    }
    if !param.allowed.is_empty() && !param.allowed.contains(&value) {
        return Err((
            "is not one of the values the API accepts".into(),
            format!("one of {}", param.allowed.join(", ")),
        ));
    }
    if matches!(param.kind, "integer" | "number") {
        let number = if param.kind == "integer" {
            value.parse::<i64>().ok().map(|v| v as f64)
        } else {
            value.parse::<f64>().ok().filter(|v| v.is_finite())
        };
        let Some(number) = number else {
            return Err((
                format!("is not {}", if param.kind == "integer" { "a whole number" } else { "a number" }),
                param.kind.into(),
            ));
        };
        if let Some(min) = param.minimum.filter(|min| number < *min) {
            return Err(("is below the minimum".into(), format!("at least {min}")));
        }
        if let Some(max) = param.maximum.filter(|max| number > *max) {
            return Err(("is above the maximum".into(), format!("at most {max}")));
        }
    }
    if param.kind == "boolean" && value != "true" && value != "false" {
        return Err(("is not true or false".into(), "boolean".into()));
    }
    Ok(())
}
