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

/// The command `name` for `operation`.
pub(crate) fn command(name: &'static str, operation: &'static Operation) -> Command {
    Command::new(name)
        .about(operation.summary)
        .long_about(format!(
            "{}\n\nCalls {} ({} {}), with the {} key.",
            operation.summary, operation.id, operation.method, operation.path, operation.key
        ))
        .args(arguments::arguments(operation))
}

/// The call of `operation` with its one path parameter set to `value`, whatever the spec names it; an
/// operation with another number of path parameters is refused (the spec changed under the command).
pub(crate) fn call_with_one_path_value<'a>(
    client: &'a pipecat_cloud::Client,
    operation: &'static Operation,
    value: &str,
) -> anyhow::Result<pipecat_cloud::DynamicCall<'a>> {
    match operation.path_params {
        [only] => Ok(client.call(operation).path_param(only.name, value)),
        other => {
            Err(refused(format!("{} has {} path parameters; this command expects one", operation.id, other.len())))
        }
    }
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
    let client = context.client()?;
    let call = call(&client, operation, matches)?;
    let Some(paging) = arguments::paging(operation, matches)? else {
        let answer = call.send().await?;
        printing::print_answer(context, &answer);
        return Ok(());
    };
    let mut paginator = call.paginate().ok_or_else(|| refused(format!("{} is not a paged list", operation.id)))?;
    if let Some(max) = paging.max_items {
        paginator = paginator.max_items(max);
    }
    printing::print_pages(context, paginator.pages(), paging.stream).await
}
