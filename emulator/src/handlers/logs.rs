//! An agent's log (pipecat-cloud/fundamentals/logging.mdx; the spec's getLogs): lines made from what
//! happened (deployments created, their phases, failures, sessions started, stopped and ended), with
//! the deployment and session each belongs to. `query` matches a substring, case-insensitively;
//! `startTime`/`endTime` are Unix seconds, inclusive; `order` applies before `limit`/`offset`; the
//! total is exact (`relation: eq`).

use serde::Deserialize;
use serde_json::{Value, json};

use super::{Answer, Call, page};
use crate::clock::log_timestamp;
use crate::reply::{Reply, not_found};
use crate::state::{LogLine, State};

/// `getLogs`' query.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LogsQuery {
    limit: Option<i64>,
    offset: Option<i64>,
    deployment_id: Option<String>,
    session_id: Option<String>,
    query: Option<String>,
    order: Option<String>,
    start_time: Option<i64>,
    end_time: Option<i64>,
}

pub(super) fn get(state: &mut State, call: &Call<'_>) -> Answer {
    let request: LogsQuery = call.query_as()?;
    let agent = state.agents.get(call.param("agentName")).ok_or_else(|| not_found("Not found"))?;
    let text = request.query.as_deref().map(str::to_lowercase);
    let keep = |line: &&LogLine| {
        request.deployment_id.as_ref().is_none_or(|d| line.deployment_id.is_some_and(|id| &id.to_string() == d))
            && request.session_id.as_ref().is_none_or(|s| line.session_id.is_some_and(|id| &id.to_string() == s))
            && request.start_time.is_none_or(|t| line.at.timestamp() >= t)
            && request.end_time.is_none_or(|t| line.at.timestamp() <= t)
            && text.as_deref().is_none_or(|q| line.text.to_lowercase().contains(q))
    };
    let total = agent.logs.iter().filter(keep).count();
    let (limit, offset) = (request.limit.unwrap_or(10), request.offset.unwrap_or(0));
    let lines: Vec<&LogLine> = if request.order.as_deref() == Some("asc") {
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
    Ok(Reply::json(200, json!({"total": {"value": total, "relation": "eq"}, "logs": logs})))
}
