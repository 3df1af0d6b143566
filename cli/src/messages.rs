//! What a person reads when a command fails: the resource, what went wrong, and the next step, in the
//! command's own terms (`agent 'nosuch' not found (pipecat-cloud agent list shows your agents)`). The
//! API's terms (the operationId, the HTTP status and code, the request id, the parameter's spec name)
//! stay available: `-v` prints them under the line, and JSON mode's error document carries them as
//! fields.
//!
//! A command says what it was about by wrapping its errors with [`about`] (the path values it sent, by
//! their spec names); [`explain`] reads that, the SDK's error and where the keys came from.

use std::fmt;

use heck::ToShoutySnakeCase;
use pipecat_cloud::operation::{ApiKeyKind, OperationId};
use pipecat_cloud::wait::WaitError;
use pipecat_cloud::{ApiError, Error};

use crate::credentials::Source;

/// What a failed command was about: the values it named, by the spec's names (`agentName`, `setName`).
#[derive(Debug, Clone)]
pub(crate) struct Subject {
    names: Vec<(&'static str, String)>,
}

impl fmt::Display for Subject {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A layer for [`explain`], not for the error's text.
        Ok(())
    }
}

/// `error`, noted as being about `names`.
pub(crate) fn about(error: impl Into<anyhow::Error>, names: &[(&'static str, &str)]) -> anyhow::Error {
    let names = names.iter().map(|(name, value)| (*name, value.to_string())).collect();
    error.into().context(Subject { names })
}

/// Where each key of the run came from, for the message of a refused key, and the host it talked to,
/// for the message of one that could not be reached.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeySources {
    /// The private key's.
    pub(crate) private: Option<Source>,
    /// The public key's.
    pub(crate) public: Option<Source>,
    /// The host, and where it was set (`None`: the default).
    pub(crate) host: Option<(String, Source)>,
}

impl fmt::Display for KeySources {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        Ok(())
    }
}

/// A failure, explained.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Explained {
    /// The line a person reads.
    pub(crate) line: String,
    /// The operationId, when an operation failed.
    pub(crate) operation: Option<&'static str>,
    /// The HTTP status, when the API answered.
    pub(crate) status: Option<u16>,
    /// The API's error code.
    pub(crate) code: Option<String>,
    /// The request id the API gave.
    pub(crate) request_id: Option<String>,
    /// The spec's name of the parameter that was refused.
    pub(crate) parameter: Option<&'static str>,
}

/// The SDK's error in `error`'s chain, with the wait that surfaced it if any.
fn sdk_error(error: &anyhow::Error) -> Option<&Error> {
    error.chain().find_map(|layer| {
        layer.downcast_ref::<Error>().or_else(|| match layer.downcast_ref::<WaitError>() {
            Some(WaitError::Api(api)) => Some(api),
            _ => None,
        })
    })
}

fn named<'a>(subject: Option<&'a Subject>, name: &str) -> Option<&'a str> {
    subject?.names.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
}

/// Explains `error`; `technical` is its one-line chain, kept for what no rule below covers.
pub(crate) fn explain(error: &anyhow::Error, technical: String) -> Explained {
    // Context layers: anyhow finds them through every layer above the error.
    let subject = error.downcast_ref::<Subject>();
    let sources = error.downcast_ref::<KeySources>();
    match sdk_error(error) {
        Some(Error::Api(api)) => {
            let operation = OperationId::ALL.into_iter().find(|id| id.as_str() == api.operation);
            Explained {
                line: api_line(api, operation, subject, sources),
                operation: Some(api.operation),
                status: Some(api.status),
                code: api.code.clone(),
                request_id: api.request_id.clone(),
                parameter: None,
            }
        }
        Some(Error::InvalidParameter { operation, parameter, problem, rule, .. }) => Explained {
            line: parameter_line(operation, parameter, problem, rule, subject),
            operation: Some(operation),
            parameter: Some(parameter),
            ..Explained::default()
        },
        Some(error @ (Error::Transport { operation, .. } | Error::Timeout { operation, .. })) => {
            let host = sources.and_then(|s| s.host.as_ref());
            let (host, from) = match host {
                Some((host, source)) => (host.clone(), format!(" (from {})", short(source))),
                None => (pipecat_cloud::DEFAULT_HOST.to_string(), String::new()),
            };
            let cause = std::iter::successors(std::error::Error::source(error), |c| c.source())
                .last()
                .map(|c| c.to_string())
                .unwrap_or_else(|| error.to_string());
            let what =
                if matches!(error, Error::Timeout { .. }) { "did not answer in time" } else { "could not be reached" };
            Explained {
                line: format!("{host}{from} {what}: {cause}; pipecat-cloud auth status shows the host in use"),
                operation: Some(operation),
                status: error.status(),
                ..Explained::default()
            }
        }
        _ => Explained { line: technical, ..Explained::default() },
    }
}

/// How the command line names a parameter: a path value as its argument (`SET_NAME`), anything else as
/// its flag.
fn argument_name(operation: &str, parameter: &str) -> String {
    let is_path = OperationId::ALL
        .into_iter()
        .find(|id| id.as_str() == operation)
        .is_some_and(|id| id.operation().path_params.iter().any(|p| p.name == parameter));
    if is_path {
        parameter.to_shouty_snake_case()
    } else {
        format!("--{}", heck::ToKebabCase::to_kebab_case(parameter))
    }
}

fn parameter_line(operation: &str, parameter: &str, problem: &str, rule: &str, subject: Option<&Subject>) -> String {
    let name = argument_name(operation, parameter);
    let value = named(subject, parameter).map(|v| format!(" '{v}'")).unwrap_or_default();
    let what = if problem.contains("characters long") && rule.starts_with("at least") {
        format!("is too short: {rule}")
    } else if problem.contains("long") && rule.starts_with("at most") {
        format!("is too long: {rule}")
    } else {
        format!("{problem} ({rule})")
    };
    format!("{name}{value} {what}; nothing was sent")
}

/// The short form of where a key came from: `--api-key`, `PIPECAT_API_KEY`, `profile 'default'`.
fn short(source: &Source) -> String {
    match source {
        Source::Flag(flag) => (*flag).to_string(),
        Source::Env(variable) => (*variable).to_string(),
        Source::File(profile) => format!("profile '{profile}' of the credentials file"),
    }
}

fn api_line(
    api: &ApiError,
    operation: Option<OperationId>,
    subject: Option<&Subject>,
    sources: Option<&KeySources>,
) -> String {
    use OperationId as Op;
    let name = |param: &str| named(subject, param).unwrap_or("?").to_string();
    let message = api.message.clone().or_else(|| api.body.clone()).unwrap_or_default();
    let said_session = message.to_ascii_lowercase().contains("session");
    match (api.status, operation) {
        (401, Some(op)) => {
            let (kind, source) = match op.operation().key {
                ApiKeyKind::Public => ("public", sources.and_then(|s| s.public.as_ref())),
                _ => ("private", sources.and_then(|s| s.private.as_ref())),
            };
            let from = source.map(|s| format!(" from {}", short(s))).unwrap_or_default();
            format!("the {kind} key{from} was refused (401): check it with pipecat-cloud auth status")
        }
        (404, Some(Op::GetSession | Op::StopSession)) if said_session => {
            let agent = name("agentName");
            format!(
                "session '{}' of agent '{agent}' not found (pipecat-cloud agent session list {agent} shows its sessions)",
                name("sessionId")
            )
        }
        (
            404,
            Some(
                Op::SessionProxyGet
                | Op::SessionProxyPost
                | Op::SessionProxyPut
                | Op::SessionProxyPatch
                | Op::SessionProxyDelete
                | Op::SessionProxyOptions
                | Op::SessionProxyHead,
            ),
        ) => {
            let agent = name("serviceName");
            format!(
                "no running session '{}' of agent '{agent}' (pipecat-cloud agent session list {agent} --status active shows them)",
                name("sessionId")
            )
        }
        (
            404,
            Some(
                Op::GetService
                | Op::UpdateService
                | Op::DeleteService
                | Op::GetLogs
                | Op::GetSessions
                | Op::GetSession
                | Op::StopSession
                | Op::StartService,
            ),
        ) => format!("agent '{}' not found (pipecat-cloud agent list shows your agents)", name("agentName")),
        (404, Some(Op::DeleteSecretFromSet)) if message.to_ascii_lowercase().contains("secret not found") => {
            let set = name("setName");
            format!(
                "secret '{}' not found in set '{set}' (pipecat-cloud secret get {set} lists its keys)",
                name("secretKey")
            )
        }
        (404, Some(Op::GetSecretSet | Op::DeleteSecretSet | Op::DeleteSecretFromSet | Op::UpsertSecretSet)) => {
            let set = name("setName");
            format!("secret set '{set}' not found: create it with pipecat-cloud secret set {set} KEY=VALUE")
        }
        (404, Some(Op::GetBuild | Op::GetBuildLogs)) => {
            format!("build '{}' not found (pipecat-cloud build list shows your builds)", name("buildId"))
        }
        (429, Some(Op::StartService)) => {
            let agent = name("agentName");
            format!(
                "agent '{agent}' is at capacity (its maxAgents sessions are running): stop one (pipecat-cloud agent session list {agent} --status active), or raise --max-agents with pipecat-cloud deploy"
            )
        }
        (409, _) => format!("{message} (pipecat-cloud secret list shows each set's status)"),
        (400, Some(Op::StartService)) if api.code.as_deref() == Some("PCC-1001") => {
            let agent = name("agentName");
            format!(
                "agent '{agent}' has no deployment ready to start sessions: pipecat-cloud agent status {agent} shows why"
            )
        }
        (status, _) if status >= 500 => {
            let id = api.request_id.as_deref().map(|id| format!(" (request id {id})")).unwrap_or_default();
            format!(
                "Pipecat Cloud failed to answer (HTTP {status}){id}: try again; if it keeps failing, send the request id to support"
            )
        }
        (_, _) if !message.is_empty() => format!("refused by Pipecat Cloud: {message}"),
        (status, _) => format!("refused by Pipecat Cloud (HTTP {status})"),
    }
}

/// The line `-v` adds under the person's line: the API's terms.
pub(crate) fn details(explained: &Explained, technical: &str) -> String {
    let mut parts = Vec::new();
    if let Some(operation) = explained.operation {
        parts.push(format!("operation {operation}"));
    }
    if let Some(status) = explained.status {
        parts.push(format!("HTTP {status}"));
    }
    if let Some(code) = &explained.code {
        parts.push(format!("code {code}"));
    }
    if let Some(parameter) = explained.parameter {
        parts.push(format!("parameter {parameter}"));
    }
    if let Some(id) = &explained.request_id {
        parts.push(format!("request id {id}"));
    }
    parts.push(technical.to_string());
    format!("  ({})", parts.join("; "))
}
