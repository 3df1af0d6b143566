//! Which command calls which operation: one arm per operation of the spec in [`command_of`], without a
//! `_` arm, so a new operation in the spec does not compile here until it has its command. Most are
//! generated commands (`catalog_command/`): path parameters become arguments, query parameters and body
//! fields become flags, from the catalog. A few are written by hand (`workflows/`) because people use
//! them differently from the raw call: `agent logs` follows, `secret set` reads .env files, `session
//! start` prints what to join, and the seven session-proxy operations are one `session proxy -X METHOD`.

use pipecat_cloud::operation::OperationId;

use crate::workflows::{self, HandWritten};

/// How an operation's command is made.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Made {
    /// From the catalog entry alone, at these words below `pipecat-cloud`.
    Generated(&'static [&'static str]),
    /// By hand, on the SDK's typed API.
    ByHand(&'static HandWritten),
    /// `session proxy`, with `-X` set to the operation's method.
    Proxy,
}

impl Made {
    /// The command's words below `pipecat-cloud`.
    pub(crate) fn words(&self) -> &'static [&'static str] {
        match self {
            Made::Generated(words) => words,
            Made::ByHand(entry) => entry.path,
            Made::Proxy => workflows::SESSION_PROXY.path,
        }
    }
}

/// The command of `operation`, by resource and verb.
pub(crate) fn command_of(operation: OperationId) -> Made {
    use Made::{ByHand, Generated};
    use OperationId as Op;
    match operation {
        Op::ListServices => Generated(&["agent", "list"]),
        Op::GetService => Generated(&["agent", "get"]),
        Op::CreateService => Generated(&["agent", "create"]),
        Op::UpdateService => Generated(&["agent", "update"]),
        Op::DeleteService => Generated(&["agent", "delete"]),
        Op::GetLogs => ByHand(&workflows::AGENT_LOGS),
        Op::GetSessions => Generated(&["agent", "session", "list"]),
        Op::GetSession => Generated(&["agent", "session", "get"]),
        Op::StopSession => Generated(&["agent", "session", "stop"]),
        Op::ListSecretSets => Generated(&["secret", "list"]),
        Op::GetSecretSet => Generated(&["secret", "get"]),
        Op::UpsertSecretSet => ByHand(&workflows::SECRET_SET),
        Op::DeleteSecretSet => Generated(&["secret", "delete"]),
        Op::DeleteSecretFromSet => Generated(&["secret", "unset"]),
        Op::ListBuilds => Generated(&["build", "list"]),
        Op::GetBuild => Generated(&["build", "get"]),
        Op::GetBuildLogs => Generated(&["build", "logs"]),
        Op::CreateBuild => Generated(&["build", "create"]),
        Op::GetBuildUploadUrl => Generated(&["build", "upload-url"]),
        Op::ListRegions => Generated(&["region", "list"]),
        Op::GetProperties => Generated(&["property", "get"]),
        Op::UpdateProperties => Generated(&["property", "set"]),
        Op::GetPropertiesSchema => Generated(&["property", "schema"]),
        Op::StartService => ByHand(&workflows::SESSION_START),
        Op::SessionProxyGet
        | Op::SessionProxyPost
        | Op::SessionProxyPut
        | Op::SessionProxyPatch
        | Op::SessionProxyDelete
        | Op::SessionProxyOptions
        | Op::SessionProxyHead => Made::Proxy,
    }
}

/// The generated command whose words are `words`, if any.
pub(crate) fn generated_at(words: &[&str]) -> Option<OperationId> {
    OperationId::ALL.into_iter().find(|id| matches!(command_of(*id), Made::Generated(at) if at == words))
}

/// The session-proxy operation of `method`, if the proxy takes it.
pub(crate) fn proxy_operation(method: &str) -> Option<OperationId> {
    OperationId::ALL
        .into_iter()
        .find(|id| matches!(command_of(*id), Made::Proxy) && id.operation().method.as_str() == method)
}

/// The methods `session proxy -X` takes: those of the operations made as the proxy.
pub(crate) fn proxy_methods() -> Vec<&'static str> {
    OperationId::ALL
        .into_iter()
        .filter(|id| matches!(command_of(*id), Made::Proxy))
        .map(|id| id.operation().method.as_str())
        .collect()
}

/// The words that call `operation` from the command line: the command, and `-X METHOD` for the proxy.
pub fn command_words(operation: OperationId) -> Vec<String> {
    let made = command_of(operation);
    let mut words: Vec<String> = made.words().iter().map(|w| w.to_string()).collect();
    if matches!(made, Made::Proxy) {
        words.extend(["-X".to_string(), operation.operation().method.as_str().to_string()]);
    }
    words
}
