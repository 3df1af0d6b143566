//! Commands made from an operation's catalog entry alone: path parameters become positional arguments, query
//! parameters and the top-level fields of a JSON body become flags, each with the spec's description
//! and rules in its help, and a whole body can come from `--json-body FILE` (`-` for stdin). The call
//! goes through [`pipecat_cloud::Client::call`], so keys, path checks, retries and errors are the SDK's.

use clap::{Arg, ArgMatches, Command};
use pipecat_cloud::operation::{BodyField, Operation, PathParam, QueryParam};
use serde_json::{Map, Value};

use crate::context::Context;
use crate::exit::refused;
use crate::output;

/// Flags every command has (global ones) or that generic commands use themselves: a body field or query
/// parameter with one of these names gets a `--body-`/`--query-` prefix.
const TAKEN: [&str; 12] = [
    "api-key",
    "public-key",
    "host",
    "profile",
    "output",
    "verbose",
    "json-body",
    "help",
    "version",
    "all",
    "max-items",
    "stream",
];

/// `kebab-case` of a spec name (`agentName` → `agent-name`).
pub fn kebab(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 && !out.ends_with('-') {
            out.push('-');
        }
        if c == '_' || c == ' ' {
            out.push('-');
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

fn value_name(name: &str) -> String {
    kebab(name).replace('-', "_").to_uppercase()
}

/// The command `name` for `operation`.
pub fn command(name: &'static str, operation: &'static Operation) -> Command {
    let mut command = Command::new(name).about(operation.summary).long_about(format!(
        "{}\n\nCalls {} ({} {}), with the {} key.",
        operation.summary, operation.id, operation.method, operation.path, operation.key
    ));
    for param in operation.path_params {
        command = command.arg(path_arg(param));
    }
    command.args(flags(operation))
}

/// The flags of `operation`: its query parameters, then its body, then paging for a paged list.
pub fn flags(operation: &'static Operation) -> Vec<Arg> {
    let mut args: Vec<Arg> = operation.query_params.iter().map(query_arg).collect();
    if operation.list.is_some() {
        args.extend(paging_args());
    }
    if let Some(body) = &operation.body {
        args.push(Arg::new("json-body").long("json-body").value_name("FILE").help(format!(
            "The request body as JSON, from FILE or `-` for stdin{}; field flags override its fields",
            if body.required { " (required unless the field flags give it)" } else { "" }
        )));
        let queries: Vec<String> = operation.query_params.iter().map(|q| kebab(q.name)).collect();
        for field in body.fields {
            args.push(body_arg(field, &queries));
        }
    }
    args
}

fn path_arg(param: &'static PathParam) -> Arg {
    let mut rules = Vec::new();
    if param.format == Some("uuid") {
        rules.push("a UUID".to_string());
    }
    match (param.min_length, param.max_length) {
        (Some(min), Some(max)) => rules.push(format!("{min} to {max} characters")),
        (Some(min), None) => rules.push(format!("at least {min} characters")),
        (None, Some(max)) => rules.push(format!("at most {max} characters")),
        (None, None) => {}
    }
    if let Some(pattern) = param.pattern {
        rules.push(format!("matches {}", pattern.source()));
    }
    if param.sub_path {
        rules.push("may hold `/`".into());
    }
    let mut arg = Arg::new(format!("path:{}", param.name))
        .value_name(value_name(param.name))
        .required(true)
        .help(with_rules(param.description, &rules));
    if !param.allowed.is_empty() {
        arg = arg.value_parser(param.allowed.to_vec());
    }
    arg
}

fn query_arg(param: &'static QueryParam) -> Arg {
    let mut long = kebab(param.name);
    if TAKEN.contains(&long.as_str()) {
        long = format!("query-{long}");
    }
    let mut rules = vec![param.kind.to_string()];
    match (param.minimum, param.maximum) {
        (Some(min), Some(max)) => rules.push(format!("{min} to {max}")),
        (Some(min), None) => rules.push(format!("at least {min}")),
        (None, Some(max)) => rules.push(format!("at most {max}")),
        (None, None) => {}
    }
    if let Some(default) = param.default {
        rules.push(format!("the server assumes {default}"));
    }
    let mut arg = Arg::new(format!("query:{}", param.name))
        .long(long)
        .value_name(value_name(param.name))
        .required(param.required)
        .help(with_rules(param.description, &rules));
    if !param.allowed.is_empty() {
        arg = arg.value_parser(param.allowed.to_vec());
    } else if matches!(param.kind, "integer" | "number") {
        arg = arg.value_parser(number_text(param.kind == "integer", param.minimum, param.maximum));
    } else if param.kind == "boolean" {
        arg = arg.value_parser(["true", "false"]);
    }
    arg
}

/// A parser that keeps a number's text as given but refuses, before anything is sent, text that is not
/// a number of the kind the spec states or lies outside its `minimum`/`maximum`.
fn number_text(integer: bool, minimum: Option<f64>, maximum: Option<f64>) -> clap::builder::ValueParser {
    clap::builder::ValueParser::new(move |text: &str| -> Result<String, String> {
        let value = if integer {
            text.parse::<i64>().map(|v| v as f64).map_err(|_| format!("`{text}` is not a whole number"))?
        } else {
            text.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| format!("`{text}` is not a number"))?
        };
        if let Some(min) = minimum.filter(|min| value < *min) {
            return Err(format!("{text} is below the minimum, {min}"));
        }
        if let Some(max) = maximum.filter(|max| value > *max) {
            return Err(format!("{text} is above the maximum, {max}"));
        }
        Ok(text.to_string())
    })
}

/// The flag of body field `field`: its kebab-case name, prefixed `body-` where that is taken.
fn body_long(field: &BodyField, queries: &[String]) -> String {
    let long = kebab(field.name);
    if TAKEN.contains(&long.as_str()) || queries.contains(&long) { format!("body-{long}") } else { long }
}

fn body_arg(field: &'static BodyField, queries: &[String]) -> Arg {
    let long = body_long(field, queries);
    let mut rules = Vec::new();
    match field.kind {
        "object" | "array" => rules.push(format!("{} as JSON", field.kind)),
        "" => rules.push("JSON".into()),
        kind => rules.push(kind.to_string()),
    }
    if field.required {
        rules.push("required in the body".into());
    }
    let mut arg = Arg::new(format!("body:{}", field.name))
        .long(long)
        .value_name(value_name(field.name))
        .help(with_rules(field.description, &rules));
    if field.kind == "boolean" {
        arg = arg.value_parser(["true", "false"]);
    } else if !field.allowed.is_empty() {
        arg = arg.value_parser(field.allowed.to_vec());
    }
    arg
}

fn with_rules(description: &str, rules: &[String]) -> String {
    let rules = rules.iter().filter(|r| !r.is_empty()).cloned().collect::<Vec<_>>().join("; ");
    match (description.is_empty(), rules.is_empty()) {
        (true, _) => format!("[{rules}]"),
        (false, true) => description.to_string(),
        (false, false) => format!("{description} [{rules}]"),
    }
}

/// The call of `operation` with its one path parameter set to `value`, whatever the spec names it; an
/// operation with another number of path parameters is refused (the spec changed under the command).
pub fn call_with_one_path_value<'a>(
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
pub fn call<'a>(
    client: &'a pipecat_cloud::Client,
    operation: &'static Operation,
    matches: &ArgMatches,
) -> anyhow::Result<pipecat_cloud::DynamicCall<'a>> {
    let mut call = client.call(operation);
    for param in operation.path_params {
        if let Some(value) = matches.get_one::<String>(&format!("path:{}", param.name)) {
            call = call.path_param(param.name, value.clone());
        }
    }
    for param in operation.query_params {
        if let Some(value) = matches.try_get_one::<String>(&format!("query:{}", param.name)).ok().flatten() {
            call = call.query(param.name, value.clone());
        }
    }
    if let Some(body) = body(operation, matches)? {
        call = call.json(&body);
    }
    Ok(call)
}

/// The JSON body: `--json-body`, with the field flags on top; `None` when neither is given.
pub fn body(operation: &'static Operation, matches: &ArgMatches) -> anyhow::Result<Option<Value>> {
    let Some(spec) = &operation.body else { return Ok(None) };
    let mut object: Option<Map<String, Value>> = None;
    let mut whole: Option<Value> = None;
    if let Some(source) = matches.try_get_one::<String>("json-body").ok().flatten() {
        let value = crate::input::read_json(source)?;
        match value {
            Value::Object(map) => object = Some(map),
            other => whole = Some(other),
        }
    }
    for field in spec.fields {
        let Some(text) = matches.try_get_one::<String>(&format!("body:{}", field.name)).ok().flatten() else {
            continue;
        };
        let value = typed(field, text)?;
        object.get_or_insert_with(Map::new).insert(field.name.to_string(), value);
    }
    if let Some(whole) = whole {
        if object.is_some() {
            return Err(refused("--json-body is not a JSON object, so field flags cannot be added to it"));
        }
        return Ok(Some(whole));
    }
    let Some(object) = object else {
        return if spec.required {
            Err(refused(format!("{} needs a body: give --json-body FILE or the field flags", operation.id)))
        } else {
            Ok(None)
        };
    };
    let queries: Vec<String> = operation.query_params.iter().map(|q| kebab(q.name)).collect();
    let missing: Vec<String> = spec
        .fields
        .iter()
        .filter(|f| f.required && !object.contains_key(f.name))
        .map(|f| format!("--{}", body_long(f, &queries)))
        .collect();
    if !missing.is_empty() {
        return Err(refused(format!("the body lacks required fields; give {}", missing.join(", "))));
    }
    Ok(Some(Value::Object(object)))
}

/// A field flag's text as the JSON value its schema states.
fn typed(field: &BodyField, text: &str) -> anyhow::Result<Value> {
    let flag = kebab(field.name);
    Ok(match field.kind {
        "integer" => Value::from(
            text.parse::<i64>().map_err(|_| refused(format!("--{flag} takes a whole number, not `{text}`")))?,
        ),
        "number" => {
            let number: f64 = text.parse().map_err(|_| refused(format!("--{flag} takes a number, not `{text}`")))?;
            serde_json::Number::from_f64(number)
                .map(Value::Number)
                .ok_or_else(|| refused(format!("--{flag}: `{text}` is not finite")))?
        }
        "boolean" => Value::Bool(text == "true"),
        "string" => Value::String(text.to_string()),
        _ => serde_json::from_str(text).map_err(|e| refused(format!("--{flag} takes JSON: {e}")))?,
    })
}

/// `--all`, `--max-items` and `--stream`, for the commands of paged lists.
fn paging_args() -> Vec<Arg> {
    vec![
        Arg::new("all")
            .long("all")
            .action(clap::ArgAction::SetTrue)
            .help("Every item, page after page (--limit sets the page size, --offset where to start)"),
        Arg::new("max-items")
            .long("max-items")
            .value_name("N")
            .value_parser(clap::value_parser!(u64))
            .help("Page until N items (implies --all)"),
        Arg::new("stream")
            .long("stream")
            .action(clap::ArgAction::SetTrue)
            .help("With --all in JSON mode: one item per line (NDJSON) instead of one array"),
    ]
}

/// Runs a generated command: sends the call and prints the answer; a paged list with `--all` or
/// `--max-items` pages itself.
pub async fn run(context: &Context, operation: &'static Operation, matches: &ArgMatches) -> anyhow::Result<()> {
    let paged = operation.list.is_some()
        && (matches.try_get_one::<bool>("all").ok().flatten() == Some(&true)
            || matches.try_get_one::<u64>("max-items").ok().flatten().is_some());
    if paged {
        return run_paged(context, operation, matches).await;
    }
    let client = context.client()?;
    let answer = call(&client, operation, matches)?.send().await?;
    print_answer(context, &answer);
    Ok(())
}

/// Prints an answer: its JSON in the output mode, else its text; an empty body as its status.
pub fn print_answer(context: &Context, answer: &pipecat_cloud::PassThroughResponse) {
    if answer.bytes().is_empty() {
        match context.mode {
            output::Mode::Json => output::line(&serde_json::json!({"status": answer.status()}).to_string()),
            _ => output::note(&format!("done (HTTP {})", answer.status())),
        }
        return;
    }
    match answer.json::<Value>() {
        Ok(value) => output::value(context.mode, &value),
        Err(_) if context.mode == output::Mode::Json => output::value(context.mode, &output::wrapped(answer)),
        Err(_) => output::bytes(answer.bytes()),
    }
}

/// Prints every item of a paged list as the pages come: memory holds one page whatever the list's size.
/// JSON mode prints one array (or NDJSON with `--stream`); tables and plain text print each page's rows.
/// A failure before the first page prints only the error document; one after it closes the array
/// first (what was printed stays valid JSON).
async fn run_paged(context: &Context, operation: &'static Operation, matches: &ArgMatches) -> anyhow::Result<()> {
    use futures_util::StreamExt;
    let client = context.client()?;
    let mut paginator = call(&client, operation, matches)?
        .paginate()
        .ok_or_else(|| refused(format!("{} is not a paged list", operation.id)))?;
    if let Some(max) = matches.try_get_one::<u64>("max-items").ok().flatten() {
        paginator = paginator.max_items(*max);
    }
    let stream = matches.try_get_one::<bool>("stream").ok().flatten() == Some(&true);
    let mut pages = paginator.pages();
    let mut first = true;
    let array = context.mode == output::Mode::Json && !stream;
    let mut opened = false;
    let mut failure = None;
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(page) => page,
            Err(error) => {
                failure = Some(error);
                break;
            }
        };
        if array && !opened {
            output::bytes(b"[");
            opened = true;
        }
        match context.mode {
            output::Mode::Json if stream => {
                for item in &page.items {
                    output::line(&item.to_string());
                }
            }
            output::Mode::Json => {
                for item in &page.items {
                    let separator: &[u8] = if first { b"\n  " } else { b",\n  " };
                    output::bytes(separator);
                    output::bytes(item.to_string().as_bytes());
                    first = false;
                }
            }
            mode if !page.items.is_empty() => output::value(mode, &Value::Array(page.items)),
            _ => {}
        }
    }
    if array && (opened || failure.is_none()) {
        output::bytes(if !opened {
            b"[]\n"
        } else if first {
            b"]\n"
        } else {
            b"\n]\n"
        });
    }
    match failure {
        Some(error) => Err(error.into()),
        None => Ok(()),
    }
}
