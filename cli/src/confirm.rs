//! Asking before something is destroyed, as gh and the official CLI do: in a terminal the command asks
//! and waits for `y`; `--yes`/`-y` (or the official CLI's `--force`/`-f`) answers for scripts; without a
//! terminal and without either flag it refuses, naming the flag, and sends nothing.

use std::io::{BufRead, IsTerminal, Write};

use clap::{Arg, ArgAction, ArgMatches};

use crate::exit::refused;
use crate::operation_commands::Ask;

/// The id of `--yes`.
pub(crate) const YES: &str = "yes";

/// `--yes`/`-y`, with the official CLI's `--force`/`-f` (agents, sessions) and `--skip` (secrets) as its
/// aliases.
pub(crate) fn yes_flag() -> Arg {
    Arg::new(YES)
        .long("yes")
        .short('y')
        .visible_aliases(["force", "skip"])
        .visible_short_alias('f')
        .action(ArgAction::SetTrue)
        .help("Do not ask first (for scripts; without a terminal the command refuses unless given this)")
}

/// Asks `ask` (its names filled from `names`) unless `matches` answer it with `--yes`; `Ok` to go on.
pub(crate) fn confirm(ask: Ask, names: &[(&'static str, &str)], matches: &ArgMatches) -> anyhow::Result<()> {
    if matches.try_get_one::<bool>(YES).ok().flatten() == Some(&true) {
        return Ok(());
    }
    let (question, action) = (filled(ask.question, names), filled(ask.action, names));
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(refused(format!(
            "refusing to {action} without a confirmation (there is no terminal to ask in); nothing was sent: pass --yes to go ahead"
        )));
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(refused("not confirmed: nothing was sent"))
    }
}

/// `question` with `{name}` replaced by each name's value.
fn filled(question: &str, names: &[(&'static str, &str)]) -> String {
    names.iter().fold(question.to_string(), |text, (name, value)| text.replace(&format!("{{{name}}}"), value))
}
