//! The session proxy (pipecat-cloud/guides/session-api.mdx; the session-proxy endpoint page): a request
//! to a running session's bot. With a local bot configured (`--bot-url`), the request goes there with
//! its method, sub-path, query, headers (less `host`, `content-length` and `authorization`) and body,
//! and the bot's answer comes back unchanged. Without one, the emulator answers for the bot with an
//! echo: `{"emulator": "echo", "method", "path", "query", "body"}`. An unknown agent, or a session
//! that is unknown or has ended, gets 404.

use bytes::Bytes;
use hyper::header::{CONTENT_TYPE, HeaderMap};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{Answer, Call};
use crate::reply::{Dialect, Reply, ReplyBody, error_in};
use crate::state::State;

pub(super) fn forward(state: &mut State, call: &Call<'_>) -> Answer {
    let agent = state
        .agents
        .get(call.param("serviceName"))
        .ok_or_else(|| error_in(Dialect::Numeric, 404, "Service not found"))?;
    let id: Option<Uuid> = call.param("sessionId").parse().ok();
    if !agent.sessions.iter().any(|s| Some(s.id) == id && s.ended_at.is_none()) {
        return Err(error_in(Dialect::Numeric, 404, "Session not found or has ended"));
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
        return Ok(Reply {
            status: 200,
            body: ReplyBody::Forward(format!("{}/{path}{query}", bot.trim_end_matches('/'))),
            headers: Vec::new(),
        });
    }
    match method {
        "HEAD" => return Ok(Reply::empty(200)),
        "OPTIONS" => {
            return Ok(Reply::empty(200).with_header("allow", "GET, POST, PUT, PATCH, DELETE, OPTIONS, HEAD"));
        }
        _ => {}
    }
    let query: Map<String, Value> = call.query.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    let body = match call.body {
        Some(json) => json.clone(),
        None if call.raw_body.is_empty() => Value::Null,
        None => json!(String::from_utf8_lossy(call.raw_body)),
    };
    Ok(Reply::json(200, json!({"emulator": "echo", "method": method, "path": path, "query": query, "body": body})))
}

/// Headers a proxy never forwards: the documented three (`host`, `content-length`, `authorization`, the
/// gateway's own), and the hop-by-hop ones.
const NOT_FORWARDED: [&str; 11] = [
    "host",
    "content-length",
    "authorization",
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "proxy-authorization",
    "proxy-connection",
];

/// Sends a session proxy request on to the local bot at `url` and answers with what it said.
pub(crate) async fn send_to_bot(
    http: Option<&reqwest::Client>,
    method: &str,
    url: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Reply {
    let Ok(method) = reqwest::Method::from_bytes(method.as_bytes()) else {
        return error_in(Dialect::Numeric, 400, "unsupported method");
    };
    let Some(http) = http else {
        return error_in(Dialect::Numeric, 500, "no bot is configured to forward to");
    };
    let mut request = http.request(method, url).body(body);
    for (name, value) in headers.iter().filter(|(name, _)| !NOT_FORWARDED.contains(&name.as_str())) {
        request = request.header(name.as_str(), value.as_bytes());
    }
    let answer = match request.send().await {
        Ok(answer) => answer,
        Err(e) => return error_in(Dialect::Numeric, 502, format!("the bot did not answer: {e}")),
    };
    let status = answer.status().as_u16();
    let content_type = answer
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_string();
    match answer.bytes().await {
        Ok(bytes) => Reply { status, body: ReplyBody::Raw { content_type, bytes }, headers: Vec::new() },
        Err(e) => error_in(Dialect::Numeric, 502, format!("the bot's answer was cut short: {e}")),
    }
}
