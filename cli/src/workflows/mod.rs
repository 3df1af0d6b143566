//! The commands written by hand, each on the SDK's public API: the ones people use differently from
//! the raw call (`agent logs --follow`, `secret set --env-file`, `session start`, `session proxy`) and
//! the workflows that chain calls (`deploy`, `build run`, `auth`), and the local emulator.
//!
//! [`HAND_WRITTEN`] is their one registry: each command's path is written there once, and the command
//! tree, the dispatch and the operation table's test all read it.

mod auth;
mod build;
mod completions;
mod deploy;
mod emulator;
mod logs;
mod secrets;
mod session;
mod wait_flags;

use std::future::Future;
use std::pin::Pin;

use clap::{ArgMatches, Command};

use crate::context::Context;

/// What running a hand-written command gives: a boxed future, so that every command fits one table.
pub type Running<'a> = Pin<Box<dyn Future<Output = anyhow::Result<()>> + 'a>>;

/// One hand-written command: where it sits, how it is declared, how it runs.
pub struct HandWritten {
    /// The command's words below `pipecat-cloud`; the last one is its name (the declared name is
    /// replaced by it).
    pub path: &'static [&'static str],
    /// Its arguments and help.
    pub command: fn() -> Command,
    /// Runs it with the parsed arguments of its leaf.
    pub run: for<'a> fn(&'a Context, &'a ArgMatches) -> Running<'a>,
}

impl std::fmt::Debug for HandWritten {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HandWritten").field("path", &self.path).finish_non_exhaustive()
    }
}

/// One registry row: `path`, the function declaring the command, the async function running it.
macro_rules! hand_written {
    ([$($word:literal),+], $command:path, $run:path) => {
        HandWritten { path: &[$($word),+], command: $command, run: |context, matches| Box::pin($run(context, matches)) }
    };
}

/// Every hand-written command.
pub const HAND_WRITTEN: &[HandWritten] = &[
    hand_written!(["deploy"], deploy::command, deploy::run),
    hand_written!(["agent", "logs"], logs::command, logs::run),
    hand_written!(["secret", "set"], secrets::set_command, secrets::set),
    hand_written!(["secret", "image-pull-secret"], secrets::image_pull_secret_command, secrets::image_pull_secret),
    hand_written!(["session", "start"], session::start_command, session::start),
    hand_written!(["session", "proxy"], session::proxy_command, session::proxy),
    hand_written!(["build", "run"], build::command, build::run),
    hand_written!(["auth", "login"], auth::login_command, auth::login),
    hand_written!(["auth", "status"], auth::status_command, auth::status),
    hand_written!(["emulator", "serve"], emulator::serve_command, emulator::serve),
    hand_written!(["completions"], completions::command, completions::run),
];

/// The hand-written command at `words`.
pub fn at(words: &[&str]) -> Option<&'static HandWritten> {
    HAND_WRITTEN.iter().find(|entry| entry.path == words)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn each_path_is_registered_once() {
        let paths: BTreeSet<_> = HAND_WRITTEN.iter().map(|entry| entry.path).collect();
        assert_eq!(paths.len(), HAND_WRITTEN.len(), "a path is registered twice");
    }
}
