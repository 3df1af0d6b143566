//! Which command calls which operation: one row per operationId of the spec, in one exhaustive table
//! (a test fails for an operation without a row, or a row without an operation). Most rows are
//! generated commands (`catalog_command.rs`): path parameters become arguments, query parameters and body
//! fields become flags, from the catalog. A few are written by hand (registered in `workflows/mod.rs`) because people use
//! them differently from the raw call: `agent logs` follows, `secret set` reads .env files, `session
//! start` prints what to join, and the seven session-proxy operations are one `session proxy -X METHOD`.

/// How a command is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Made {
    /// From the catalog entry alone.
    Generated,
    /// By hand, in `workflows/`, on the SDK's typed API.
    ByHand,
}

/// One operation and the command that calls it.
#[derive(Debug, Clone, Copy)]
pub struct OperationCommand {
    /// The spec's operationId.
    pub operation_id: &'static str,
    /// The command's words below `pipecat-cloud`.
    pub command: &'static [&'static str],
    /// For `session proxy`: the `-X` method that picks this operation.
    pub method: Option<&'static str>,
    /// Generated or written by hand.
    pub made: Made,
}

const fn generated(operation_id: &'static str, command: &'static [&'static str]) -> OperationCommand {
    OperationCommand { operation_id, command, method: None, made: Made::Generated }
}

const fn by_hand(operation_id: &'static str, command: &'static [&'static str]) -> OperationCommand {
    OperationCommand { operation_id, command, method: None, made: Made::ByHand }
}

const fn proxy(operation_id: &'static str, method: &'static str) -> OperationCommand {
    OperationCommand { operation_id, command: &["session", "proxy"], method: Some(method), made: Made::ByHand }
}

/// Every operation of the spec, by resource and verb.
pub const OPERATION_COMMANDS: &[OperationCommand] = &[
    generated("listServices", &["agent", "list"]),
    generated("getService", &["agent", "get"]),
    generated("createService", &["agent", "create"]),
    generated("updateService", &["agent", "update"]),
    generated("deleteService", &["agent", "delete"]),
    by_hand("getLogs", &["agent", "logs"]),
    generated("getSessions", &["agent", "session", "list"]),
    generated("getSession", &["agent", "session", "get"]),
    generated("stopSession", &["agent", "session", "stop"]),
    generated("listSecretSets", &["secret", "list"]),
    generated("getSecretSet", &["secret", "get"]),
    by_hand("upsertSecretSet", &["secret", "set"]),
    generated("deleteSecretSet", &["secret", "delete"]),
    generated("deleteSecretFromSet", &["secret", "unset"]),
    generated("listBuilds", &["build", "list"]),
    generated("getBuild", &["build", "get"]),
    generated("getBuildLogs", &["build", "logs"]),
    generated("createBuild", &["build", "create"]),
    generated("getBuildUploadUrl", &["build", "upload-url"]),
    generated("listRegions", &["region", "list"]),
    generated("getProperties", &["property", "get"]),
    generated("updateProperties", &["property", "set"]),
    generated("getPropertiesSchema", &["property", "schema"]),
    by_hand("startService", &["session", "start"]),
    proxy("sessionProxyGet", "GET"),
    proxy("sessionProxyPost", "POST"),
    proxy("sessionProxyPut", "PUT"),
    proxy("sessionProxyPatch", "PATCH"),
    proxy("sessionProxyDelete", "DELETE"),
    proxy("sessionProxyOptions", "OPTIONS"),
    proxy("sessionProxyHead", "HEAD"),
];

/// The row of `operation_id`.
pub fn for_operation(operation_id: &str) -> Option<&'static OperationCommand> {
    OPERATION_COMMANDS.iter().find(|row| row.operation_id == operation_id)
}

/// The generated row whose command is `words`.
pub fn generated_at(words: &[&str]) -> Option<&'static OperationCommand> {
    OPERATION_COMMANDS.iter().find(|row| row.made == Made::Generated && row.command == words)
}

/// For each of `operation_ids` without a row here, what to do, naming this file: the check a new
/// operation meets (its own test, and the scratch "new operation" test, call it).
pub fn missing_rows(operation_ids: &[&str]) -> Vec<String> {
    operation_ids
        .iter()
        .filter(|id| for_operation(id).is_none())
        .map(|id| format!("{id} has no command: add its row to OPERATION_COMMANDS in cli/src/operation_commands.rs"))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_operation_of_the_spec_has_exactly_one_row_and_every_row_an_operation() {
        let spec: BTreeSet<&str> = pipecat_cloud::catalog::OPERATIONS.iter().map(|op| op.id).collect();
        let rows: Vec<&str> = OPERATION_COMMANDS.iter().map(|row| row.operation_id).collect();
        let table: BTreeSet<&str> = rows.iter().copied().collect();
        assert_eq!(rows.len(), table.len(), "an operation has two rows");
        let ids: Vec<&str> = spec.iter().copied().collect();
        let missing = super::missing_rows(&ids);
        assert!(missing.is_empty(), "{}", missing.join("\n"));
        let unknown: Vec<&&str> = table.difference(&spec).collect();
        assert!(unknown.is_empty(), "rows for operations the spec does not have: {unknown:?}");
    }

    #[test]
    fn each_row_names_a_command_that_exists() {
        for row in OPERATION_COMMANDS {
            match row.made {
                Made::ByHand => assert!(
                    crate::workflows::at(row.command).is_some(),
                    "{} is made by hand at `{}`, but workflows::HAND_WRITTEN has no such path",
                    row.operation_id,
                    row.command.join(" ")
                ),
                Made::Generated => assert!(
                    crate::workflows::at(row.command).is_none(),
                    "{} is generated at `{}`, and a hand-written command has the same path",
                    row.operation_id,
                    row.command.join(" ")
                ),
            }
        }
    }

    #[test]
    fn proxy_rows_name_the_method_of_their_operation() {
        for row in OPERATION_COMMANDS.iter().filter(|row| row.method.is_some()) {
            let operation = pipecat_cloud::catalog::by_id(row.operation_id).map(|op| op.method.as_str());
            assert_eq!(operation, row.method, "{}", row.operation_id);
        }
    }
}
