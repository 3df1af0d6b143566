//! `secret set` and `secret image-pull-secret`: one upsert call for all keys, then a wait until the set
//! is `ready` (a deploy against a set still being provisioned gets a 409).
//!
//! `.env` files are read with dotenvy: single and double quotes, `export`, comments, empty values and
//! multi-line quoted values, as shells and docker compose read them. Values are never printed.

use std::io::{BufRead, IsTerminal};

use base64::Engine;
use clap::{Arg, ArgAction, ArgMatches, Command};
use pipecat_cloud::types::{
    ImagePullSecretRequest, RegularSecretsRequest, RegularSecretsRequestSecretsItem, UpsertSecretSetBody,
};
use serde_json::json;

use super::wait_flags::{wait_args, wait_times};
use crate::context::Context;
use crate::exit::refused;
use crate::messages::about;
use crate::output;
use crate::progress::Reporter;

pub fn set_command() -> Command {
    Command::new("set")
        .about("Add or replace keys of a secret set, from KEY=VALUE arguments and .env files, in one call")
        .long_about(
            "Add or replace keys of a secret set, creating the set if needed, in one call; then \
             wait until the set is ready. KEY=VALUE arguments and --env-file files (`-` for stdin) are read as \
             dotenv: quotes, `export`, comments, empty and multi-line values. Values are never printed.",
        )
        .arg(Arg::new("name").value_name("SET").required(true).help("The secret set's name"))
        .arg(Arg::new("pairs").value_name("KEY=VALUE").num_args(0..).help("Keys to set"))
        .arg(
            Arg::new("env-file")
                .long("env-file")
                .short('f')
                .visible_alias("file")
                .value_name("FILE")
                .action(ArgAction::Append)
                .help("A .env file to read keys from; `-` reads stdin (repeatable)"),
        )
        .arg(Arg::new("region").long("region").short('r').value_name("REGION").help("Region of a new set"))
        .args(wait_args(300, 2.0))
}

pub fn image_pull_secret_command() -> Command {
    Command::new("image-pull-secret")
        .about("Store registry credentials as an image pull secret set")
        .long_about(
            "Store registry credentials as an image pull secret set, for agents whose image is in a private registry. \
             Give USERNAME:PASSWORD, or leave it out to be asked (the password without echo) or to read it from \
             stdin. The API takes base64 of `username:password`; this command encodes it, so pass the plain \
             credentials.",
        )
        .arg(Arg::new("name").value_name("SET").required(true).help("The set's name"))
        .arg(
            Arg::new("registry")
                .value_name("HOST")
                .required(true)
                .help("The registry, e.g. https://index.docker.io/v1/"),
        )
        .arg(Arg::new("credentials").value_name("USERNAME:PASSWORD").help("The credentials, not encoded"))
        .arg(Arg::new("region").long("region").short('r').value_name("REGION").help("Region of a new set"))
        .args(wait_args(300, 2.0))
}

pub async fn set(context: &Context, matches: &ArgMatches) -> anyhow::Result<()> {
    let name = matches.get_one::<String>("name").cloned().unwrap_or_default();
    let mut secrets: Vec<(String, String)> = Vec::new();
    for source in matches.get_many::<String>("env-file").into_iter().flatten() {
        let text = crate::input::read_source(source)?;
        secrets.extend(crate::input::parse_dotenv(&text, source)?);
    }
    for pair in matches.get_many::<String>("pairs").into_iter().flatten() {
        let (key, value) = pair.split_once('=').ok_or_else(|| refused(format!("`{pair}` is not KEY=VALUE")))?;
        secrets.push((key.to_string(), value.to_string()));
    }
    if secrets.is_empty() {
        return Err(refused("no keys to set: give KEY=VALUE or --env-file FILE"));
    }
    // A key given twice: the last one wins, as in a shell.
    let mut unique: Vec<(String, String)> = Vec::new();
    for (key, value) in secrets {
        if key.is_empty() {
            return Err(refused("an empty key name"));
        }
        unique.retain(|(k, _)| *k != key);
        unique.push((key, value));
    }
    let items: Vec<_> = unique.iter().map(|(key, value)| RegularSecretsRequestSecretsItem::new(key, value)).collect();
    let mut body = RegularSecretsRequest::new(items);
    if let Some(region) = matches.get_one::<String>("region") {
        body = body.region(region);
    }
    upsert_and_wait(context, matches, &name, body.into(), SetKind::Secrets)
        .await
        .map_err(|error| about(error, &[("setName", &name)]))?;
    let keys: Vec<&str> = unique.iter().map(|(k, _)| k.as_str()).collect();
    report(context, &name, &keys, matches.get_flag("no-wait"));
    Ok(())
}

pub async fn image_pull_secret(context: &Context, matches: &ArgMatches) -> anyhow::Result<()> {
    let name = matches.get_one::<String>("name").cloned().unwrap_or_default();
    let host = matches.get_one::<String>("registry").cloned().unwrap_or_default();
    let credentials = match matches.get_one::<String>("credentials") {
        Some(given) => given.clone(),
        None if std::io::stdin().is_terminal() => {
            output::note("Username:");
            let mut username = String::new();
            std::io::stdin().lock().read_line(&mut username)?;
            let password = rpassword::prompt_password("Password: ")?;
            format!("{}:{password}", username.trim_end())
        }
        None => {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    if !credentials.contains(':') || credentials.starts_with(':') {
        return Err(refused("the credentials must be USERNAME:PASSWORD"));
    }
    output::note("note: sending the credentials as base64 of `username:password`, the form the API expects");
    let encoded = base64::engine::general_purpose::STANDARD.encode(credentials.as_bytes());
    let mut body = ImagePullSecretRequest::new(host, true, encoded);
    if let Some(region) = matches.get_one::<String>("region") {
        body = body.region(region);
    }
    upsert_and_wait(context, matches, &name, body.into(), SetKind::ImagePull).await?;
    report(context, &name, &[], matches.get_flag("no-wait"));
    Ok(())
}

/// Which kind of set is waited for: the API reads an image pull secret only through the list.
#[derive(Clone, Copy)]
enum SetKind {
    Secrets,
    ImagePull,
}

async fn upsert_and_wait(
    context: &Context,
    matches: &ArgMatches,
    name: &str,
    body: UpsertSecretSetBody,
    kind: SetKind,
) -> anyhow::Result<()> {
    // Checked before the secrets are written: a bad --interval is refused at once.
    let (interval, timeout) = wait_times(matches)?;
    let client = context.client()?;
    client.upsert_secret_set(name, body).await?;
    if matches.get_flag("no-wait") {
        return Ok(());
    }
    let reporter = Reporter::new();
    let options = reporter.options(interval, timeout);
    let waited = match kind {
        SetKind::Secrets => client.wait_until_secret_set_ready(name, &options).await.map(drop),
        SetKind::ImagePull => client.wait_until_image_pull_secret_ready(name, &options).await.map(drop),
    };
    waited.inspect_err(|_| reporter.abandon())?;
    reporter.finish(&format!("secret set {name} is ready"));
    Ok(())
}

fn report(context: &Context, name: &str, keys: &[&str], no_wait: bool) {
    let status = if no_wait { "submitted" } else { "ready" };
    let summary = json!({"name": name, "keys": keys, "status": status});
    match context.mode {
        output::Mode::Json => output::value(context.mode, &summary),
        mode => output::value(mode, &json!({"name": name, "keys": keys.join(","), "status": status})),
    }
}
