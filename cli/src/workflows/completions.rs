//! `completions SHELL`: a completion script for the whole command tree.

use clap::{Arg, ArgMatches, Command, value_parser};

use crate::context::Context;
use crate::exit::refused;

pub fn command() -> Command {
    Command::new("completions")
        .about("Print a shell completion script (bash, zsh, fish, powershell, elvish)")
        .arg(Arg::new("shell").required(true).value_parser(value_parser!(clap_complete::Shell)))
}

pub async fn run(_context: &Context, matches: &ArgMatches) -> anyhow::Result<()> {
    let shell = matches.get_one::<clap_complete::Shell>("shell").copied().ok_or_else(|| refused("name a shell"))?;
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut crate::command_tree::command(), "pipecat-cloud", &mut script);
    crate::output::line(String::from_utf8_lossy(&script).trim_end());
    Ok(())
}
