//! The official CLI's commands (pipecatcloud 1.4.0) for calls this tool names by resource and verb, with
//! its arguments: `agent sessions AGENT [--id ID]` is `agent session list` or `get`; `agent stop AGENT
//! --session-id ID` is `agent session stop`, asking first alike. (`agent start` is `session start`, the
//! same command under a second name; `agent status` is its own command.)

use clap::{Arg, ArgMatches, Command};
use pipecat_cloud::operation::OperationId;

use crate::catalog_command;
use crate::confirm::{confirm, yes_flag};
use crate::context::Context;
use crate::exit::refused;
use crate::messages::about;
use crate::operation_commands::asks_first;
use crate::output;

pub fn sessions_command() -> Command {
    Command::new("sessions")
        .about("The official CLI's `agent sessions`: an agent's sessions, or one with --id")
        .arg(Arg::new("agent").value_name("AGENT_NAME").required(true).help("The agent's name"))
        .arg(Arg::new("id").long("id").short('i').value_name("SESSION_ID").help("Only this session"))
}

pub async fn sessions(context: &Context, matches: &ArgMatches) -> anyhow::Result<()> {
    let agent = matches.get_one::<String>("agent").cloned().unwrap_or_default();
    let client = context.client()?;
    let id = matches.get_one::<String>("id").cloned().unwrap_or_default();
    let (operation, call) = match matches.get_one::<String>("id") {
        Some(id) => {
            let operation = OperationId::GetSession.operation();
            (operation, catalog_command::call_with_path_values(&client, operation, &[&agent, id])?)
        }
        None => {
            let operation = OperationId::GetSessions.operation();
            (operation, catalog_command::call_with_path_values(&client, operation, &[&agent])?)
        }
    };
    let names = [("agentName", agent.as_str()), ("sessionId", id.as_str())];
    let answer = call.send().await.map_err(|error| about(error, &names))?;
    match answer.json::<serde_json::Value>() {
        Ok(value) => output::value(context.mode, &value),
        Err(_) => return Err(refused(format!("{} answered something that is not JSON", operation.id))),
    }
    Ok(())
}

pub fn stop_command() -> Command {
    Command::new("stop")
        .about("The official CLI's `agent stop`: stop a session of an agent (asks first)")
        .arg(Arg::new("agent").value_name("AGENT_NAME").required(true).help("The agent's name"))
        .arg(
            Arg::new("session-id")
                .long("session-id")
                .short('s')
                .value_name("SESSION_ID")
                .required(true)
                .help("The session to stop"),
        )
        .arg(yes_flag())
}

pub async fn stop(context: &Context, matches: &ArgMatches) -> anyhow::Result<()> {
    let agent = matches.get_one::<String>("agent").cloned().unwrap_or_default();
    let session = matches.get_one::<String>("session-id").cloned().unwrap_or_default();
    let names = [("agentName", agent.as_str()), ("sessionId", session.as_str())];
    if let Some(ask) = asks_first(OperationId::StopSession) {
        confirm(ask, &names, matches)?;
    }
    let operation = OperationId::StopSession.operation();
    let client = context.client()?;
    let call = catalog_command::call_with_path_values(&client, operation, &[&agent, &session])?;
    let answer = call.send().await.map_err(|error| about(error, &names))?;
    catalog_command::print_answer(context, &answer);
    Ok(())
}
