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

/// What a destructive command asks before it runs: what it does, as a question and as the words of a
/// refusal, with the names the command was given (`{agentName}`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ask {
    /// `Delete agent 'bot'? ...`
    pub(crate) question: &'static str,
    /// `delete agent 'bot'`
    pub(crate) action: &'static str,
}

/// What a command asks before it runs, when it destroys something. Every operation has its row, so a
/// new destructive operation in the spec is a decision here, not a default.
pub(crate) fn asks_first(operation: OperationId) -> Option<Ask> {
    use OperationId as Op;
    let ask = |question, action| Some(Ask { question, action });
    match operation {
        Op::DeleteService => ask(
            "Delete agent '{agentName}'? Its deployments and logs go; running sessions keep running. This cannot be undone.",
            "delete agent '{agentName}'",
        ),
        Op::DeleteSecretSet => ask(
            "Delete secret set '{setName}' and every secret in it? This cannot be undone.",
            "delete secret set '{setName}'",
        ),
        Op::DeleteSecretFromSet => ask(
            "Delete secret '{secretKey}' from set '{setName}'? This cannot be undone.",
            "delete secret '{secretKey}' from set '{setName}'",
        ),
        Op::StopSession => ask(
            "Stop session '{sessionId}' of agent '{agentName}'? Its instance stops at once.",
            "stop session '{sessionId}' of agent '{agentName}'",
        ),
        Op::ListServices
        | Op::GetService
        | Op::CreateService
        | Op::UpdateService
        | Op::GetLogs
        | Op::GetSessions
        | Op::GetSession
        | Op::ListSecretSets
        | Op::GetSecretSet
        | Op::UpsertSecretSet
        | Op::ListBuilds
        | Op::GetBuild
        | Op::GetBuildLogs
        | Op::CreateBuild
        | Op::GetBuildUploadUrl
        | Op::ListRegions
        | Op::GetProperties
        | Op::UpdateProperties
        | Op::GetPropertiesSchema
        | Op::StartService
        | Op::SessionProxyGet
        | Op::SessionProxyPost
        | Op::SessionProxyPut
        | Op::SessionProxyPatch
        | Op::SessionProxyDelete
        | Op::SessionProxyOptions
        | Op::SessionProxyHead => None,
    }
}

/// A flag of a generated command under another name too: the official CLI's (`agent logs -n 20`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct FlagHabit {
    /// The query parameter the flag carries.
    pub(crate) param: &'static str,
    /// The official CLI's long name, where it differs.
    pub(crate) long: Option<&'static str>,
    /// The official CLI's short name.
    pub(crate) short: Option<char>,
}

/// The official CLI's (pipecatcloud 1.4.0) names for the flags of an operation's command, and for the
/// command itself (`build status` is `build get`).
pub(crate) fn official_names(operation: OperationId) -> (&'static [FlagHabit], Option<&'static str>) {
    use OperationId as Op;
    const fn flag(param: &'static str, long: Option<&'static str>, short: Option<char>) -> FlagHabit {
        FlagHabit { param, long, short }
    }
    const LOGS: [FlagHabit; 4] = [
        flag("limit", None, Some('n')),
        flag("deploymentId", Some("deployment"), Some('d')),
        flag("sessionId", None, Some('s')),
        // Its --level keeps the lines holding the level's name: the API's text filter does that.
        flag("query", Some("level"), Some('l')),
    ];
    const BUILDS: [FlagHabit; 3] =
        [flag("limit", None, Some('n')), flag("status", None, Some('s')), flag("region", None, Some('r'))];
    const BUILD_LOGS: [FlagHabit; 1] = [flag("limit", None, Some('n'))];
    const AGENTS: [FlagHabit; 1] = [flag("region", None, Some('r'))];
    match operation {
        Op::GetLogs => (&LOGS, None),
        Op::ListBuilds => (&BUILDS, None),
        Op::GetBuildLogs => (&BUILD_LOGS, None),
        Op::GetBuild => (&[], Some("status")),
        Op::ListServices => (&AGENTS, None),
        Op::GetService
        | Op::CreateService
        | Op::UpdateService
        | Op::DeleteService
        | Op::GetSessions
        | Op::GetSession
        | Op::StopSession
        | Op::ListSecretSets
        | Op::GetSecretSet
        | Op::UpsertSecretSet
        | Op::DeleteSecretSet
        | Op::DeleteSecretFromSet
        | Op::CreateBuild
        | Op::GetBuildUploadUrl
        | Op::ListRegions
        | Op::GetProperties
        | Op::UpdateProperties
        | Op::GetPropertiesSchema
        | Op::StartService
        | Op::SessionProxyGet
        | Op::SessionProxyPost
        | Op::SessionProxyPut
        | Op::SessionProxyPatch
        | Op::SessionProxyDelete
        | Op::SessionProxyOptions
        | Op::SessionProxyHead => (&[], None),
    }
}
