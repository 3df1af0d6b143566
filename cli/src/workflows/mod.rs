//! The commands written by hand, each on the SDK's public API: the ones people use differently from
//! the raw call (`agent logs --follow`, `secret set --env-file`, `session start`, `session proxy`) and
//! the workflows that chain calls (`deploy`, `build run`, `auth`), and the local emulator.
//!
//! Each is a named static with its path written once; [`HAND_WRITTEN`] lists them for the command tree
//! and the dispatch, and the operation table names the ones that call an operation.

mod auth;
mod background;
mod build;
mod completions;
mod deploy;
mod deploy_file;
mod emulator;
mod logs;
mod official_names;
mod parity;
mod secrets;
mod session;
mod status;
mod wait_flags;

use std::future::Future;
use std::pin::Pin;

use clap::{ArgMatches, Command};

use crate::context::Context;

/// What running a hand-written command gives: a boxed future, so that every command fits one table.
pub(crate) type Running<'a> = Pin<Box<dyn Future<Output = anyhow::Result<()>> + 'a>>;

/// One hand-written command: where it sits, how it is declared, how it runs.
pub(crate) struct HandWritten {
    /// The command's words below `pipecat-cloud`; the last one is its name (the declared name is
    /// replaced by it).
    pub(crate) path: &'static [&'static str],
    /// Its arguments and help.
    pub(crate) command: fn() -> Command,
    /// Runs it with the parsed arguments of its leaf.
    pub(crate) run: for<'a> fn(&'a Context, &'a ArgMatches) -> Running<'a>,
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

/// `deploy`: create or update an agent, then wait until it runs the new deployment.
pub(crate) static DEPLOY: HandWritten = hand_written!(["deploy"], deploy::command, deploy::run);
/// `agent status`: a rollout at a glance.
pub(crate) static AGENT_STATUS: HandWritten = hand_written!(["agent", "status"], status::command, status::run);
/// `agent sessions`: the official CLI's name for `agent session list|get`.
pub(crate) static AGENT_SESSIONS: HandWritten =
    hand_written!(["agent", "sessions"], official_names::sessions_command, official_names::sessions);
/// `agent stop`: the official CLI's name for `agent session stop`.
pub(crate) static AGENT_STOP: HandWritten =
    hand_written!(["agent", "stop"], official_names::stop_command, official_names::stop);
/// `agent start`: the official CLI's name for `session start`.
pub(crate) static AGENT_START: HandWritten = hand_written!(["agent", "start"], session::start_command, session::start);
/// `agent logs`: `getLogs`, with `--follow`.
pub(crate) static AGENT_LOGS: HandWritten = hand_written!(["agent", "logs"], logs::command, logs::run);
/// `secret set`: `upsertSecretSet` from pairs or a .env file, then a wait until the set is ready.
pub(crate) static SECRET_SET: HandWritten = hand_written!(["secret", "set"], secrets::set_command, secrets::set);
/// `secret image-pull-secret`: `upsertSecretSet` with registry credentials.
pub(crate) static IMAGE_PULL_SECRET: HandWritten =
    hand_written!(["secret", "image-pull-secret"], secrets::image_pull_secret_command, secrets::image_pull_secret);
/// `session start`: `startService`, printing what to join.
pub(crate) static SESSION_START: HandWritten =
    hand_written!(["session", "start"], session::start_command, session::start);
/// `session proxy`: the seven session-proxy operations, one per `-X` method.
pub(crate) static SESSION_PROXY: HandWritten =
    hand_written!(["session", "proxy"], session::proxy_command, session::proxy);
/// `build run`: pack, upload, build and wait.
pub(crate) static BUILD_RUN: HandWritten = hand_written!(["build", "run"], build::command, build::run);
/// `auth login`.
pub(crate) static AUTH_LOGIN: HandWritten = hand_written!(["auth", "login"], auth::login_command, auth::login);
/// `auth status`.
pub(crate) static AUTH_STATUS: HandWritten = hand_written!(["auth", "status"], auth::status_command, auth::status);
/// `emulator serve`.
pub(crate) static EMULATOR_SERVE: HandWritten =
    hand_written!(["emulator", "serve"], emulator::serve_command, emulator::serve);
/// `emulator start`: `emulator serve` in the background, printing the exports.
pub(crate) static EMULATOR_START: HandWritten =
    hand_written!(["emulator", "start"], background::start_command, background::start);
/// `emulator stop`: ends what `emulator start` started.
pub(crate) static EMULATOR_STOP: HandWritten =
    hand_written!(["emulator", "stop"], background::stop_command, background::stop);
/// `emulator parity`: the emulator measured against an account.
pub(crate) static EMULATOR_PARITY: HandWritten = hand_written!(["emulator", "parity"], parity::command, parity::run);
/// `completions`.
pub(crate) static COMPLETIONS: HandWritten = hand_written!(["completions"], completions::command, completions::run);

/// Every hand-written command: the command tree and the dispatch read this list.
pub(crate) static HAND_WRITTEN: [&HandWritten; 18] = [
    &DEPLOY,
    &AGENT_STATUS,
    &AGENT_SESSIONS,
    &AGENT_STOP,
    &AGENT_START,
    &AGENT_LOGS,
    &SECRET_SET,
    &IMAGE_PULL_SECRET,
    &SESSION_START,
    &SESSION_PROXY,
    &BUILD_RUN,
    &AUTH_LOGIN,
    &AUTH_STATUS,
    &EMULATOR_SERVE,
    &EMULATOR_START,
    &EMULATOR_STOP,
    &EMULATOR_PARITY,
    &COMPLETIONS,
];

/// The hand-written command at `words`.
pub(crate) fn at(words: &[&str]) -> Option<&'static HandWritten> {
    HAND_WRITTEN.iter().copied().find(|entry| entry.path == words)
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
