#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod catalog_command;
mod command_tree;
mod confirm;
mod context;
mod credentials;
mod dispatch;
mod exit;
mod input;
mod messages;
mod operation_commands;
mod output;
mod progress;
mod run;
mod times;
mod verbose;
mod workflows;

pub use operation_commands::command_words;

/// Whether the command of `operation` asks before it runs (it destroys something): in a terminal it
/// asks, `--yes` answers, and without either it refuses and sends nothing.
pub fn asks_before_running(operation: pipecat_cloud::operation::OperationId) -> bool {
    operation_commands::asks_first(operation).is_some()
}
pub use run::main;

/// The whole command tree as text, one line per command and argument: what `tests/command-tree.txt`
/// holds.
pub fn command_tree() -> String {
    command_tree::tree_text()
}
