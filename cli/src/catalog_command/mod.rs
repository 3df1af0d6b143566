//! Commands made from an operation's catalog entry alone: `arguments.rs` declares them from the spec
//! (path parameters, query and header parameters and body fields, with the spec's help and rules), `body.rs` builds
//! the JSON body from `--json-body` and the field flags, `printing.rs` prints the answer or the pages of a
//! paged list. The call goes through [`pipecat_cloud::Client::call`], so keys, path checks, retries and
//! errors are the SDK's.

mod arguments;
mod body;
mod printing;

use clap::{ArgMatches, Command};
use pipecat_cloud::operation::Operation;

pub(crate) use self::arguments::ArgKey;
use crate::context::Context;
use crate::exit::refused;
use crate::messages::about;
use crate::operation_commands::{asks_first, official_names};

/// The command `name` for `operation`.
pub(crate) fn command(name: &'static str, operation: &'static Operation) -> Command {
    let key = match operation.key {
        pipecat_cloud::ApiKeyKind::Public => "your public key (--public-key or PIPECAT_DEFAULT_PUBLIC_KEY)",
        _ => "your private key (--api-key or PIPECAT_API_KEY)",
    };
    let command = Command::new(name)
        .about(operation.summary)
        .long_about(format!(
            "{}.\n\nUses {key}, or the one `pipecat-cloud auth login` stored.",
            operation.summary.trim_end_matches('.')
        ))
        .args(arguments::arguments(operation));
    let mut command = match asks_first(operation.id) {
        Some(_) => command.arg(crate::confirm::yes_flag()),
        None => command,
    };
    let (flags, alias) = official_names(operation.id);
    for habit in flags {
        command = command.mut_arg(ArgKey::Query(habit.param).id(), |arg| {
            let arg = match habit.long {
                Some(long) => arg.visible_alias(long),
                None => arg,
            };
            match habit.short {
                Some(short) => arg.short(short),
                None => arg,
            }
        });
    }
    match alias {
        Some(alias) => command.visible_alias(alias),
        None => command,
    }
}

/// The call of `operation` with its one path parameter set to `value`, whatever the spec names it; an
/// operation with another number of path parameters is refused (the spec changed under the command).
pub(crate) fn call_with_one_path_value<'a>(
    client: &'a pipecat_cloud::Client,
    operation: &'static Operation,
    value: &str,
) -> anyhow::Result<pipecat_cloud::DynamicCall<'a>> {
    call_with_path_values(client, operation, &[value])
}

/// The call of `operation` with its path parameters set to `values`, in path order, whatever the spec
/// names them; another number of values than the operation has parameters is refused (the spec changed
/// under the command).
pub(crate) fn call_with_path_values<'a>(
    client: &'a pipecat_cloud::Client,
    operation: &'static Operation,
    values: &[&str],
) -> anyhow::Result<pipecat_cloud::DynamicCall<'a>> {
    if operation.path_params.len() != values.len() {
        return Err(refused(format!(
            "{} has {} path parameters; this command expects {}",
            operation.id,
            operation.path_params.len(),
            values.len()
        )));
    }
    Ok(operation
        .path_params
        .iter()
        .zip(values)
        .fold(client.call(operation), |call, (param, value)| call.path_param(param.name, *value)))
}

/// Prints an answer as a generated command does.
pub(crate) fn print_answer(context: &Context, answer: &pipecat_cloud::PassThroughResponse) {
    printing::print_answer(context, answer);
}

/// Builds the call of `operation` from `matches`, without sending it.
pub(crate) fn call<'a>(
    client: &'a pipecat_cloud::Client,
    operation: &'static Operation,
    matches: &ArgMatches,
) -> anyhow::Result<pipecat_cloud::DynamicCall<'a>> {
    let mut call = client.call(operation);
    for param in operation.path_params {
        if let Some(value) = ArgKey::Path(param.name).text(matches)? {
            call = call.path_param(param.name, value);
        }
    }
    for param in operation.query_params {
        if let Some(value) = ArgKey::Query(param.name).text(matches)? {
            call = call.query(param.name, value);
        }
    }
    // Checked by the SDK against the header's rules before anything is sent.
    for param in operation.header_params {
        if let Some(value) = ArgKey::Header(param.name).text(matches)? {
            call = call.header(param.name, &value);
        }
    }
    if let Some(body) = body::body(operation, matches)? {
        call = call.json(&body);
    }
    Ok(call)
}

/// Runs a generated command: sends the call and prints the answer; a paged list with `--all` or
/// `--max-items` pages itself.
pub(crate) async fn run(context: &Context, operation: &'static Operation, matches: &ArgMatches) -> anyhow::Result<()> {
    run_with(context, operation, matches, &Adjust::default()).await
}

/// What a hand-written command changes in a generated one's call and printing.
#[derive(Debug, Default)]
pub(crate) struct Adjust {
    /// Query parameters the command sets itself (the user gave none of these).
    pub(crate) query: Vec<(&'static str, &'static str)>,
    /// Print a single page's list in reverse (asked newest first, shown oldest first).
    pub(crate) reverse_page: bool,
}

/// [`run`], with `adjust`.
pub(crate) async fn run_with(
    context: &Context,
    operation: &'static Operation,
    matches: &ArgMatches,
    adjust: &Adjust,
) -> anyhow::Result<()> {
    let mut named: Vec<(&'static str, String)> = Vec::new();
    for param in operation.path_params {
        if let Some(value) = ArgKey::Path(param.name).text(matches)? {
            named.push((param.name, value));
        }
    }
    let names: Vec<(&'static str, &str)> = named.iter().map(|(n, v)| (*n, v.as_str())).collect();
    if let Some(ask) = asks_first(operation.id) {
        crate::confirm::confirm(ask, &names, matches)?;
    }
    sent(context, operation, matches, adjust).await.map_err(|error| about(error, &names))
}

async fn sent(
    context: &Context,
    operation: &'static Operation,
    matches: &ArgMatches,
    adjust: &Adjust,
) -> anyhow::Result<()> {
    let client = context.client()?;
    let mut call = call(&client, operation, matches)?;
    for (name, value) in &adjust.query {
        call = call.query(*name, *value);
    }
    let Some(paging) = arguments::paging(operation, matches)? else {
        let answer = call.send().await?;
        match (adjust.reverse_page, operation.list.as_ref(), answer.json::<serde_json::Value>()) {
            (true, Some(shape), Ok(mut value)) => {
                if let Some(items) = value.get_mut(shape.items).and_then(serde_json::Value::as_array_mut) {
                    items.reverse();
                }
                crate::output::value(context.mode, &value);
            }
            _ => printing::print_answer(context, &answer),
        }
        return Ok(());
    };
    let mut paginator = call.paginate().ok_or_else(|| refused(format!("{} is not a paged list", operation.id)))?;
    if let Some(max) = paging.max_items {
        paginator = paginator.max_items(max);
    }
    let list = operation.list.as_ref().map_or("", |shape| shape.items);
    printing::print_pages(context, list, paginator.pages(), paging.stream).await
}
