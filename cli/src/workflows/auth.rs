//! `auth login` stores keys in the credentials file; `auth status` says where each setting comes from
//! and checks the private key with a cheap call. Neither ever prints a key.

use std::io::{BufRead, IsTerminal};

use clap::{Arg, ArgAction, ArgMatches, Command};
use serde_json::json;

use crate::context::Context;
use crate::credentials::{self, Profile};
use crate::exit::refused;
use crate::output;

pub fn login_command() -> Command {
    Command::new("login")
        .about("Store API keys in the credentials file (asked for without echo, or read from stdin)")
        .long_about(
            "Store API keys for a profile (--profile, else `default`) in the credentials file, written atomically \
             with mode 0600. In a terminal the keys are asked for without echo; otherwise stdin gives the private key \
             on its first line and, optionally, the public key on its second.",
        )
        .arg(
            Arg::new("no-public-key")
                .long("no-public-key")
                .action(ArgAction::SetTrue)
                .help("Do not ask for a public key"),
        )
}

pub fn status_command() -> Command {
    Command::new("status")
        .about("Say which keys and host are in effect and where they come from, and check the private key")
}

pub async fn login(context: &Context, matches: &ArgMatches) -> anyhow::Result<()> {
    let (private, public) = if std::io::stdin().is_terminal() {
        let private = rpassword::prompt_password("Private API key: ")?;
        let public = if matches.get_flag("no-public-key") {
            String::new()
        } else {
            rpassword::prompt_password("Public API key (Enter to skip): ")?
        };
        (private, public)
    } else {
        let mut lines = std::io::stdin().lock().lines();
        let private = lines.next().transpose()?.unwrap_or_default();
        let public = lines.next().transpose()?.unwrap_or_default();
        (private, public)
    };
    let (private, public) = (private.trim().to_string(), public.trim().to_string());
    if private.is_empty() {
        return Err(refused("no private key given"));
    }
    let check = |key: &str, which: &str| {
        pipecat_cloud::ApiKey::new(key).map(drop).map_err(|e| refused(format!("the {which} key: {e}")))
    };
    check(&private, "private")?;
    if !public.is_empty() {
        check(&public, "public")?;
    }
    let profile = Profile {
        api_key: Some(credentials::Secret::new(private)),
        public_key: (!public.is_empty()).then(|| credentials::Secret::new(public)),
        host: context
            .settings
            .host
            .as_ref()
            .filter(|(_, s)| matches!(s, credentials::Source::Flag(_)))
            .map(|(h, _)| h.clone()),
    };
    let path = credentials::store(&context.settings.profile, profile)?;
    let stored =
        json!({"profile": context.settings.profile, "file": path.display().to_string(), "stored": "keys saved"});
    output::value(context.mode, &stored);
    Ok(())
}

pub async fn status(context: &Context, _matches: &ArgMatches) -> anyhow::Result<()> {
    let settings = &context.settings;
    let source = |found: Option<String>| found.unwrap_or_else(|| "not set".into());
    let mut report = json!({
        "profile": settings.profile,
        "privateKey": source(settings.api_key.as_ref().map(|(_, s)| format!("set, from {s}"))),
        "publicKey": source(settings.public_key.as_ref().map(|(_, s)| format!("set, from {s}"))),
        "host": settings.host.as_ref().map(|(h, s)| format!("{h} (from {s})")).unwrap_or_else(|| pipecat_cloud::DEFAULT_HOST.into()),
    });
    let mut failure = None;
    if settings.api_key.is_some() {
        let client = context.client()?;
        report["privateKeyCheck"] = match client.list_regions().send().await {
            Ok(_) => json!("accepted (listRegions)"),
            Err(error) => {
                let text = format!("refused: {error}");
                failure = Some(error);
                json!(text)
            }
        };
    }
    if settings.api_key.is_none() && settings.public_key.is_none() {
        output::value(context.mode, &report);
        return Err(crate::exit::negative(
            "no key is set: store one with pipecat-cloud auth login, or set PIPECAT_API_KEY (and PIPECAT_DEFAULT_PUBLIC_KEY)",
        ));
    }
    match failure {
        // JSON mode prints one document: the error, which names the refusal.
        Some(error) if context.mode == output::Mode::Json => Err(error.into()),
        Some(error) => {
            output::value(context.mode, &report);
            Err(error.into())
        }
        None => {
            output::value(context.mode, &report);
            Ok(())
        }
    }
}
