//! Where a parsed command goes: the context is resolved once, then the hand-written registry or the
//! operation table picks what runs.

use clap::ArgMatches;

use crate::context::Context;
use crate::credentials::{self, Flags};
use crate::exit::refused;
use crate::messages::KeySources;
use crate::operation_commands::generated_at;
use crate::output::Mode;
use crate::{catalog_command, workflows};

/// The words of the command `matches` chose, and the leaf's own matches.
fn chosen(matches: &ArgMatches) -> (Vec<&str>, &ArgMatches) {
    let mut words = Vec::new();
    let mut current = matches;
    while let Some((name, sub)) = current.subcommand() {
        words.push(name);
        current = sub;
    }
    (words, current)
}

/// Runs the command `matches` chose.
pub async fn run(matches: &ArgMatches) -> anyhow::Result<()> {
    let (words, leaf) = chosen(matches);
    // `auth login --profile NEW` creates the profile every other command would refuse as unknown.
    let creating = words == ["auth", "login"];
    let settings = credentials::resolve(&Flags {
        api_key: matches.get_one::<String>("api-key").cloned(),
        public_key: matches.get_one::<String>("public-key").cloned(),
        host: matches.get_one::<String>("host").cloned(),
        profile: matches.get_one::<String>("profile").cloned(),
        new_profile_allowed: creating,
    })?;
    // Where the keys came from, for the message when one is refused.
    let sources = KeySources {
        private: settings.api_key.as_ref().map(|(_, source)| source.clone()),
        public: settings.public_key.as_ref().map(|(_, source)| source.clone()),
        host: settings.host.clone(),
    };
    let context = Context {
        mode: Mode::choose(matches.get_one::<String>("output").map(String::as_str)),
        settings,
        verbose: matches.get_count("verbose"),
    };
    let ran = match workflows::at(&words) {
        Some(entry) => (entry.run)(&context, leaf).await,
        None => match generated_at(&words) {
            Some(operation) => catalog_command::run(&context, operation.operation(), leaf).await,
            None => Err(refused(format!("no command `{}`", words.join(" ")))),
        },
    };
    ran.map_err(|error| error.context(sources))
}
