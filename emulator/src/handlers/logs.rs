//! An agent's log (pipecat-cloud/fundamentals/logging.mdx; the spec's getLogs): lines made from what
//! happened (deployments created, their phases, failures, sessions started, stopped and ended), with
//! the deployment and session each belongs to. `query` matches a substring, case-insensitively;
//! `startTime`/`endTime` are Unix seconds, inclusive; `order` applies before `limit`/`offset`; the
//! total is exact (`relation: eq`).

use serde_json::{Value, json};

use super::{Call, page};
use crate::clock::log_timestamp;
use crate::reply::{Reply, not_found};
use crate::state::{LogLine, State};

pub fn get(state: &mut State, call: &Call<'_>) -> Reply {
    let Some(agent) = state.agents.get(call.param("agentName")) else { return not_found("Not found") };
    let query = call.query("query").map(str::to_lowercase);
    let after = call.query_int("startTime");
    let before = call.query_int("endTime");
    let keep = |line: &&LogLine| {
        call.query("deploymentId").is_none_or(|d| line.deployment_id.is_some_and(|id| id.to_string() == d))
            && call.query("sessionId").is_none_or(|s| line.session_id.is_some_and(|id| id.to_string() == s))
            && after.is_none_or(|t| line.at.timestamp() >= t)
            && before.is_none_or(|t| line.at.timestamp() <= t)
            && query.as_deref().is_none_or(|q| line.text.to_lowercase().contains(q))
    };
    let total = agent.logs.iter().filter(keep).count();
    let (limit, offset) = (call.query_int("limit").unwrap_or(10), call.query_int("offset").unwrap_or(0));
    let lines: Vec<&LogLine> = if call.query("order") == Some("asc") {
        page(agent.logs.iter().filter(keep), limit, offset)
    } else {
        page(agent.logs.iter().rev().filter(keep), limit, offset)
    };
    let logs: Vec<Value> = lines
        .into_iter()
        .map(|line| {
            json!({
                "log": line.text,
                "timestamp": log_timestamp(line.at),
                "deploymentId": line.deployment_id.map(|id| id.to_string()),
            })
        })
        .collect();
    Reply::json(200, json!({"total": {"value": total, "relation": "eq"}, "logs": logs}))
}
