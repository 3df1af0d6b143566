//! The session proxy (pipecat-cloud/guides/session-api.mdx; the session-proxy endpoint page): a request
//! to a running session's bot. With a local bot configured (`--bot-url`), the request goes there with
//! its method, sub-path, query, headers (less `host`, `content-length` and `authorization`) and body,
//! and the bot's answer comes back unchanged. Without one, the emulator answers for the bot with an
//! echo: `{"emulator": "echo", "method", "path", "query", "body"}`. An unknown agent, or a session
//! that is unknown or has ended, gets 404.

use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::Call;
use crate::reply::{Dialect, Reply, ReplyBody, error_in};
use crate::state::State;

pub fn forward(state: &mut State, call: &Call<'_>) -> Reply {
    let Some(agent) = state.agents.get(call.param("serviceName")) else {
        return error_in(Dialect::Numeric, 404, "Service not found");
    };
    let id: Option<Uuid> = call.param("sessionId").parse().ok();
    if !agent.sessions.iter().any(|s| Some(s.id) == id && s.ended_at.is_none()) {
        return error_in(Dialect::Numeric, 404, "Session not found or has ended");
    }
    let path = call.param("path");
    let method = call.op.method.as_str();
    if let Some(bot) = &call.settings.bot_url {
        let query: Vec<String> = call
            .query
            .iter()
            .map(|(k, v)| {
                let encode =
                    |s: &str| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string();
                format!("{}={}", encode(k), encode(v))
            })
            .collect();
        let query = if query.is_empty() { String::new() } else { format!("?{}", query.join("&")) };
        return Reply {
            status: 200,
            body: ReplyBody::Forward(format!("{}/{path}{query}", bot.trim_end_matches('/'))),
            headers: Vec::new(),
        };
    }
    match method {
        "HEAD" => return Reply::empty(200),
        "OPTIONS" => return Reply::empty(200).with_header("allow", "GET, POST, PUT, PATCH, DELETE, OPTIONS, HEAD"),
        _ => {}
    }
    let query: Map<String, Value> = call.query.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    let body = match call.body {
        Some(json) => json.clone(),
        None if call.raw_body.is_empty() => Value::Null,
        None => json!(String::from_utf8_lossy(call.raw_body)),
    };
    Reply::json(200, json!({"emulator": "echo", "method": method, "path": path, "query": query, "body": body}))
}
