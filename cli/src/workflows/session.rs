//! `session start` (prints the session id and where to join) and `session proxy` (talks to a running
//! session's bot through the API; the seven session-proxy operations, one per method).

use clap::{Arg, ArgAction, ArgMatches, Command};
use serde_json::{Map, Value, json};

use crate::context::Context;
use crate::exit::refused;
use crate::messages::about;
use crate::operation_commands::{proxy_methods, proxy_operation};
use crate::output::{self, Mode};
use crate::{catalog_command, input};

pub fn start_command() -> Command {
    Command::new("start")
        .about("Start a session of an agent; prints the session id and the room to join")
        .long_about(
            "Start a session of an agent with your public key, and print its session id and the Daily room URL or \
             WebSocket URL to join. The full answer, tokens included, is printed with --output json. `agent start` is \
             the same command, under the official CLI's name.",
        )
        .arg(
            Arg::new("force")
                .long("force")
                .short('f')
                .action(ArgAction::SetTrue)
                .hide(true)
                .help("Accepted for the official CLI's habit; this command asks nothing"),
        )
        .arg(Arg::new("agent").value_name("AGENT").required(true).help("The agent's name"))
        .arg(
            Arg::new("data")
                .long("data")
                .short('d')
                .value_name("JSON|@FILE")
                .help("The body your bot receives (`@file` or `-` to read it)"),
        )
        .arg(
            Arg::new("daily-room")
                .long("daily-room")
                .visible_alias("use-daily")
                .short('D')
                .action(ArgAction::SetTrue)
                .help("Create a Daily room for the session"),
        )
        .arg(
            Arg::new("daily-room-properties")
                .long("daily-room-properties")
                .visible_alias("daily-properties")
                .short('p')
                .value_name("JSON")
                .help("Properties of the Daily room"),
        )
        .arg(Arg::new("transport").long("transport").value_name("TRANSPORT").help("The transport, e.g. websocket"))
        .arg(
            Arg::new("json-body")
                .long("json-body")
                .value_name("FILE")
                .help("The whole request body as JSON (`-` for stdin)"),
        )
}

pub fn proxy_command() -> Command {
    let methods = proxy_methods();
    Command::new("proxy")
        .about("Send a request to a running session's bot and print its answer as it came")
        .arg(Arg::new("agent").value_name("AGENT").required(true).help("The agent's name"))
        .arg(Arg::new("session").value_name("SESSION_ID").required(true).help("The session's id (a UUID)"))
        .arg(
            Arg::new("path")
                .value_name("PATH")
                .required(true)
                .help("The path on the bot, e.g. api/offer (may hold `/`)"),
        )
        .arg(
            Arg::new("method")
                .long("request")
                .short('X')
                .value_name("METHOD")
                .default_value("GET")
                .value_parser(methods)
                .help("The HTTP method"),
        )
        .arg(
            Arg::new("data")
                .long("data")
                .short('d')
                .value_name("DATA|@FILE")
                .help("The body: text, `@file`, or `-` for stdin"),
        )
        .arg(
            Arg::new("content-type")
                .long("content-type")
                .value_name("TYPE")
                .default_value("application/json")
                .help("The body's content type"),
        )
        .arg(
            Arg::new("query")
                .long("query")
                .short('q')
                .value_name("NAME=VALUE")
                .action(ArgAction::Append)
                .help("A query parameter (repeatable)"),
        )
        .arg(
            Arg::new("header")
                .long("header")
                .short('H')
                .value_name("NAME: VALUE")
                .action(ArgAction::Append)
                .help("A header (repeatable)"),
        )
}

/// `@file` read, `-` from stdin, anything else as given.
fn data(text: &str) -> anyhow::Result<String> {
    match text.strip_prefix('@') {
        Some(file) => input::read_source(file),
        None if text == "-" => input::read_source("-"),
        None => Ok(text.to_string()),
    }
}

pub async fn start(context: &Context, matches: &ArgMatches) -> anyhow::Result<()> {
    let operation = pipecat_cloud::catalog::START_SERVICE;
    let agent = matches.get_one::<String>("agent").cloned().unwrap_or_default();
    let mut body = match matches.get_one::<String>("json-body") {
        Some(source) => match input::read_json(source)? {
            Value::Object(map) => map,
            _ => return Err(refused("--json-body must be a JSON object")),
        },
        None => Map::new(),
    };
    if let Some(text) = matches.get_one::<String>("data") {
        let text = data(text)?;
        body.insert(
            "body".into(),
            serde_json::from_str(&text).map_err(|e| refused(format!("--data is not JSON: {e}")))?,
        );
    }
    if matches.get_flag("daily-room") {
        body.insert("createDailyRoom".into(), json!(true));
    }
    if let Some(text) = matches.get_one::<String>("daily-room-properties") {
        body.insert(
            "dailyRoomProperties".into(),
            serde_json::from_str(text).map_err(|e| refused(format!("--daily-room-properties is not JSON: {e}")))?,
        );
    }
    if let Some(transport) = matches.get_one::<String>("transport") {
        body.insert("transport".into(), json!(transport));
    }
    let client = context.client()?;
    let answer = catalog_command::call_with_one_path_value(&client, operation, &agent)?
        .json(&Value::Object(body))
        .send()
        .await
        .map_err(|error| about(error, &[("agentName", &agent)]))?;
    let started: Value = answer.json().unwrap_or(Value::Null);
    if context.mode == Mode::Json {
        output::value(Mode::Json, &started);
        return Ok(());
    }
    let shown: Map<String, Value> = ["sessionId", "dailyRoom", "wsUrl"]
        .iter()
        .filter_map(|k| started.get(*k).filter(|v| !v.is_null()).map(|v| (k.to_string(), v.clone())))
        .collect();
    output::value(context.mode, &Value::Object(shown));
    if started.get("dailyToken").is_some() || started.get("token").is_some() {
        output::note("the session's join token is in the JSON answer: --output json");
    }
    Ok(())
}

pub async fn proxy(context: &Context, matches: &ArgMatches) -> anyhow::Result<()> {
    // As curl does: data without -X is a POST.
    let method = match (
        matches.value_source("method"),
        matches.contains_id("data") && matches.get_one::<String>("data").is_some(),
    ) {
        (Some(clap::parser::ValueSource::DefaultValue) | None, true) => "POST".to_string(),
        _ => matches.get_one::<String>("method").cloned().unwrap_or_else(|| "GET".into()),
    };
    let operation =
        proxy_operation(&method).ok_or_else(|| refused(format!("the proxy does not take {method}")))?.operation();
    let client = context.client()?;
    let names: Vec<&str> = operation.path_params.iter().map(|p| p.name).collect();
    let [agent_param, session_param, path_param] = names.as_slice() else {
        return Err(refused(format!("{} no longer has three path parameters", operation.id)));
    };
    let text = |id: &str| matches.get_one::<String>(id).cloned().unwrap_or_default();
    let mut call = client
        .call(operation)
        .path_param(*agent_param, text("agent"))
        .path_param(*session_param, text("session"))
        .path_param(*path_param, text("path"));
    for pair in matches.get_many::<String>("query").into_iter().flatten() {
        let (name, value) =
            pair.split_once('=').ok_or_else(|| refused(format!("--query `{pair}` is not NAME=VALUE")))?;
        call = call.query(name, value);
    }
    for header in matches.get_many::<String>("header").into_iter().flatten() {
        let (name, value) =
            header.split_once(':').ok_or_else(|| refused(format!("--header `{header}` is not `NAME: VALUE`")))?;
        call = call.header(name.trim(), value.trim());
    }
    if let Some(given) = matches.get_one::<String>("data") {
        let content_type = text("content-type");
        call = call.bytes(&content_type, data(given)?.into_bytes());
    }
    let answer = call.send().await?;
    if context.verbose > 0 {
        output::note(&format!("HTTP {} {}", answer.status(), answer.content_type().unwrap_or("")));
    }
    // The bot's bytes as they came; in JSON mode, one document that carries them.
    match context.mode {
        Mode::Json => output::value(Mode::Json, &output::wrapped(&answer)),
        _ => output::bytes(answer.bytes()),
    }
    Ok(())
}
