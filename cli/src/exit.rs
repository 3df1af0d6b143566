//! Exit codes, and how a failure maps to one. Scripts can tell "try again later" (429), "someone else
//! holds it" (409) and "still not ready" (a wait that timed out) apart from other API errors, and a
//! refused input (nothing sent) from a failure on the server.

use pipecat_cloud::Error;
use pipecat_cloud::wait::WaitError;

/// Success.
pub const SUCCESS: u8 = 0;
/// The API answered with an error, or could not be reached.
pub const API_ERROR: u8 = 1;
/// Bad usage or an input refused before anything was sent.
pub const USAGE: u8 = 2;
/// A wait (deploy, build, secret set) ended without the resource being ready in time.
pub const WAIT_TIMED_OUT: u8 = 3;
/// The API answered 409 Conflict (for example a deploy against a secret set that is not ready).
pub const CONFLICT: u8 = 4;
/// The API answered 429 Too Many Requests.
pub const RATE_LIMITED: u8 = 5;

/// Every exit code with what it means: the one place they are stated. `--help` and both READMEs show
/// [`summary`], and a test holds the READMEs to it.
pub const CODES: [(u8, &str); 6] = [
    (SUCCESS, "success"),
    (API_ERROR, "API error"),
    (USAGE, "usage or refused input (nothing sent)"),
    (WAIT_TIMED_OUT, "wait timed out"),
    (CONFLICT, "conflict (409)"),
    (RATE_LIMITED, "rate limited (429)"),
];

/// `0 success, 1 API error, ...`: the codes in one line.
pub fn summary() -> String {
    CODES.iter().map(|(code, meaning)| format!("{code} {meaning}")).collect::<Vec<_>>().join(", ")
}

/// The line `--help` ends with.
pub fn help() -> String {
    format!("Exit codes: {}.", summary())
}

/// Input this tool refused before sending anything: a bad file, a missing value, a malformed flag.
#[derive(Debug)]
pub struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// A command that ran to its end with a result that is not a success (a parity run that found
/// differences, an agent whose revision failed): exit 1, with this line.
#[derive(Debug)]
pub struct Negative(pub String);

impl std::fmt::Display for Negative {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Negative {}

/// Shorthand for an [`anyhow::Error`] holding a [`Negative`].
pub fn negative(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Negative(message.into()))
}

/// Shorthand for an [`anyhow::Error`] holding a [`Refused`].
pub fn refused(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Refused(message.into()))
}

/// The exit code of `error`.
pub fn code(error: &anyhow::Error) -> u8 {
    if error.downcast_ref::<Refused>().is_some() {
        return USAGE;
    }
    if let Some(wait) = error.downcast_ref::<WaitError>() {
        return match wait {
            WaitError::TimedOut { .. } => WAIT_TIMED_OUT,
            WaitError::Api(api) => sdk_code(api),
            _ => API_ERROR,
        };
    }
    error.downcast_ref::<Error>().map_or(API_ERROR, sdk_code)
}

fn sdk_code(error: &Error) -> u8 {
    if error.is_refused_before_sending() {
        return USAGE;
    }
    match error {
        Error::Api(api) if api.status == 409 => CONFLICT,
        Error::Api(api) if api.status == 429 => RATE_LIMITED,
        _ => API_ERROR,
    }
}

/// `error` in one line: each layer this tool and the SDK wrote, then, below the SDK's error, only the
/// innermost cause (the socket's `Connection refused`, the decoder's place): the layers of the HTTP
/// stack in between repeat each other. Each part once.
pub fn describe(error: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut add = |text: String| {
        if !text.is_empty() && !parts.iter().any(|part| part.contains(&text)) {
            parts.push(text);
        }
    };
    for layer in error.chain() {
        add(layer.to_string());
        let from_the_sdk = layer.is::<Error>() || layer.is::<WaitError>() || layer.is::<pipecat_cloud::ConfigError>();
        if from_the_sdk {
            if let Some(innermost) = std::iter::successors(layer.source(), |cause| cause.source()).last() {
                add(innermost.to_string());
            }
            break;
        }
    }
    parts.join(": ")
}

/// The one document JSON mode prints for a failure: `{"error": {"message", "status", "code",
/// "operation", "requestId", "parameter", "detail"}}`. `message` is the line a person reads; the others
/// are the API's terms, `null` where they do not apply, and `detail` the whole technical chain.
pub(crate) fn error_json(
    error: &anyhow::Error,
    explained: &crate::messages::Explained,
    technical: &str,
) -> serde_json::Value {
    let kind = match code(error) {
        USAGE => "REFUSED",
        WAIT_TIMED_OUT => "WAIT_TIMED_OUT",
        _ => "ERROR",
    };
    serde_json::json!({"error": {
        "message": explained.line,
        "status": explained.status,
        "code": explained.code.clone().unwrap_or_else(|| kind.to_string()),
        "operation": explained.operation,
        "requestId": explained.request_id,
        "parameter": explained.parameter,
        "detail": technical,
    }})
}

#[cfg(test)]
mod tests {
    /// Both READMEs state the codes as [`super::summary`] does, word for word.
    #[test]
    fn the_readmes_state_the_exit_codes_as_the_code_does() {
        let summary = super::summary();
        for (name, text) in
            [("README.md", include_str!("../../README.md")), ("cli/README.md", include_str!("../README.md"))]
        {
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(
                flat.contains(&format!("**Exit codes**: {summary}.")),
                "{name} should say `**Exit codes**: {summary}.`"
            );
        }
    }
}
