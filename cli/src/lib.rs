#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod catalog_command;
mod command_tree;
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
pub use run::main;

/// The whole command tree as text, one line per command and argument: what `tests/command-tree.txt`
/// holds.
pub fn command_tree() -> String {
    command_tree::tree_text()
}
