//! The scripted scenario a parity run plays on both sides: the main job and its errors, in order. Each
//! step is one request (or one request polled until a state is reached), made of what earlier steps
//! answered on the same side (the session ids, the agent's region).

use std::time::{Duration, Instant};

use pipecat_cloud::operation::OperationId;
use serde_json::{Value, json};

use super::compare::Observed;
use super::target::{Exchange, Key, Target};

/// An image reference no registry can serve: `.invalid` is reserved never to resolve (RFC 2606). The
/// "failing image" step deploys it.
pub(crate) const UNPULLABLE_IMAGE: &str = "registry.invalid/pipecat-parity/missing:0";

/// The names a run creates, all under one prefix no one else uses.
#[derive(Debug, Clone)]
pub(crate) struct Names {
    /// `parity-` and six random hex digits.
    pub(crate) prefix: String,
    /// The secret set.
    pub(crate) set: String,
    /// The agent that runs.
    pub(crate) agent: String,
    /// The agent whose image cannot be pulled.
    pub(crate) broken: String,
}

impl Names {
    /// Names under `prefix`.
    pub(crate) fn under(prefix: &str) -> Self {
        Names {
            prefix: prefix.to_string(),
            set: format!("{prefix}-secrets"),
            agent: format!("{prefix}-agent"),
            broken: format!("{prefix}-broken"),
        }
    }

    /// Names under a fresh `parity-XXXXXX` prefix.
    pub(crate) fn fresh() -> Self {
        Names::under(&format!("parity-{:06x}", fastrand::u32(..0x0100_0000)))
    }
}

/// What a run uses and what its steps found, on one side.
#[derive(Debug)]
pub(crate) struct Run {
    /// The names it creates.
    pub(crate) names: Names,
    /// The image the agent runs.
    pub(crate) image: String,
    /// The image pull secret set it names, if any.
    pub(crate) image_pull_secret: Option<String>,
    /// The value of the one secret: random, never printed.
    secret_value: String,
    /// The agent's region, once the deploy answered.
    region: Option<String>,
    /// Every session started, for the clean-up.
    pub(crate) sessions: Vec<String>,
    /// The session the "stop" step stops.
    first_session: Option<String>,
    /// The session started before the agent is deleted.
    outliving_session: Option<String>,
}

impl Run {
    /// A run creating `names`, deploying `image`.
    pub(crate) fn new(names: Names, image: &str, image_pull_secret: Option<&str>) -> Self {
        Run {
            names,
            image: image.to_string(),
            image_pull_secret: image_pull_secret.map(str::to_string),
            secret_value: format!("parity-{:016x}", fastrand::u64(..)),
            region: None,
            sessions: Vec::new(),
            first_session: None,
            outliving_session: None,
        }
    }
}

/// `session`, or an id no session has when the start that would have given it failed.
fn or_no_session(session: &Option<String>) -> String {
    session.clone().unwrap_or_else(|| "00000000-0000-4000-8000-000000000000".to_string())
}

/// One request of a step.
pub(crate) struct Request {
    pub(crate) method: &'static str,
    pub(crate) path: String,
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) key: Key,
    pub(crate) body: Option<Value>,
}

fn request(method: &'static str, path: String, key: Key, body: Option<Value>) -> Request {
    Request { method, path, query: Vec::new(), key, body }
}

/// A start of the scenario's agent.
fn start(run: &Run) -> Request {
    request("POST", format!("/v1/public/{}/start", run.names.agent), Key::Public, Some(json!({})))
}

/// How a step that waits reads its answers.
pub(crate) struct Wait {
    /// The state an answer shows.
    state: fn(&Value) -> String,
    /// True when the answer is the one waited for.
    done: fn(&Value) -> bool,
    /// What is waited for, for a report that timed out.
    what: &'static str,
}

/// One step of the scenario.
pub(crate) struct Step {
    /// What it does, in a person's words.
    pub(crate) name: &'static str,
    /// The operation it calls.
    pub(crate) operation: OperationId,
    /// Its request.
    request: fn(&Run) -> Request,
    /// For a step that waits: how.
    wait: Option<Wait>,
    /// What it keeps of the answer for later steps.
    keep: fn(&mut Run, &Value),
    /// Whether its exchange may become a recording: not for a request the SDK itself would refuse to
    /// send (the recordings are replayed through it).
    pub(crate) recordable: bool,
}

fn nothing(_: &mut Run, _: &Value) {}

/// Keeps a started session for the clean-up; its id.
fn keep_session(run: &mut Run, answer: &Value) -> Option<String> {
    let id = answer.get("sessionId").and_then(Value::as_str)?.to_string();
    run.sessions.push(id.clone());
    Some(id)
}

fn revision_phase(agent: &Value) -> String {
    agent.pointer("/currentRevision/phase").and_then(Value::as_str).unwrap_or("no revision").to_string()
}

fn reconciled(agent: &Value) -> bool {
    let desired = agent.get("desiredDeploymentId").and_then(Value::as_str);
    desired.is_some() && agent.get("reconciledDeploymentId").and_then(Value::as_str) == desired
}

fn set_status(set: &Value) -> String {
    set.get("status").and_then(Value::as_str).unwrap_or("no status").to_string()
}

const ONE_AGENT_AT_MOST: i64 = 1;

impl Step {
    /// A step making one request, keeping nothing of the answer, recorded.
    const fn call(name: &'static str, operation: OperationId, request: fn(&Run) -> Request) -> Self {
        Step { name, operation, request, wait: None, keep: nothing, recordable: true }
    }

    /// This step, repeating its request until `wait` says it is done.
    const fn until(self, wait: Wait) -> Self {
        Step { wait: Some(wait), ..self }
    }

    /// This step, keeping what `keep` takes of its answer.
    const fn keeping(self, keep: fn(&mut Run, &Value)) -> Self {
        Step { keep, ..self }
    }

    /// This step, never recorded: the SDK refuses to send its request, and recordings are replayed
    /// through the SDK.
    const fn not_recorded(self) -> Self {
        Step { recordable: false, ..self }
    }
}

/// Reads agent `name`.
fn get_agent(name: &str) -> Request {
    request("GET", format!("/v1/agents/{name}"), Key::Private, None)
}

/// Waits until the agent's desired deployment is reconciled, passing its revision's phases.
const fn until_reconciled(what: &'static str) -> Wait {
    Wait { state: revision_phase, done: reconciled, what }
}

/// The scenario, in order.
pub(crate) static STEPS: [Step; 21] = [
    Step::call("create a secret set", OperationId::UpsertSecretSet, |run| {
        let body = json!({"secrets": [{"secretKey": "PARITY_CHECK", "secretValue": run.secret_value}]});
        request("PUT", format!("/v1/secrets/{}", run.names.set), Key::Private, Some(body))
    }),
    Step::call("wait until the secret set is ready", OperationId::GetSecretSet, |run| {
        request("GET", format!("/v1/secrets/{}", run.names.set), Key::Private, None)
    })
    .until(Wait {
        state: set_status,
        done: |set| matches!(set.get("status").and_then(Value::as_str), Some("ready" | "failed")),
        what: "the set to be ready",
    }),
    Step::call("deploy an agent", OperationId::CreateService, |run| {
        let mut body = json!({
            "serviceName": run.names.agent,
            "image": run.image,
            "secretSet": run.names.set,
            "autoScaling": {"minAgents": 0, "maxAgents": ONE_AGENT_AT_MOST},
        });
        if let Some(set) = &run.image_pull_secret {
            body["imagePullSecretSet"] = json!(set);
        }
        request("POST", "/v1/agents".into(), Key::Private, Some(body))
    })
    .keeping(|run, agent| run.region = agent.get("region").and_then(Value::as_str).map(str::to_string)),
    Step::call("wait until the agent is ready", OperationId::GetService, |run| get_agent(&run.names.agent))
        .until(until_reconciled("the deployment to be reconciled")),
    Step::call("deploy an image that cannot be pulled", OperationId::CreateService, |run| {
        let body = json!({"serviceName": run.names.broken, "image": UNPULLABLE_IMAGE, "autoScaling": {"maxAgents": 1}});
        request("POST", "/v1/agents".into(), Key::Private, Some(body))
    }),
    Step::call("wait until the failed deployment is reconciled", OperationId::GetService, |run| {
        get_agent(&run.names.broken)
    })
    .until(until_reconciled("the failed deployment to be reconciled")),
    Step::call("start a session", OperationId::StartService, start)
        .keeping(|run, answer| run.first_session = keep_session(run, answer)),
    // Refused where the cap holds; a session where it does not, which the clean-up stops.
    Step::call("start one past maxAgents", OperationId::StartService, start).keeping(|run, answer| {
        keep_session(run, answer);
    }),
    Step::call("list the sessions", OperationId::GetSessions, |run| {
        request("GET", format!("/v1/agents/{}/sessions", run.names.agent), Key::Private, None)
    }),
    Step::call("stop the session", OperationId::StopSession, |run| stop(run, &run.first_session)),
    Step::call("read the agent's logs", OperationId::GetLogs, |run| Request {
        query: vec![("limit", "20".into())],
        ..request("GET", format!("/v1/agents/{}/logs", run.names.agent), Key::Private, None)
    }),
    Step::call("list builds", OperationId::ListBuilds, |_| Request {
        query: vec![("limit", "5".into())],
        ..request("GET", "/v1/builds".into(), Key::Private, None)
    }),
    Step::call("ask for a build upload URL", OperationId::GetBuildUploadUrl, |run| {
        let region = run.region.clone().unwrap_or_else(|| "us-west".into());
        request("POST", "/v1/builds/upload-url".into(), Key::Private, Some(json!({"region": region})))
    }),
    Step::call("read an agent that does not exist", OperationId::GetService, |run| {
        get_agent(&format!("{}-nosuch", run.names.prefix))
    }),
    Step::call("create an agent with a bad name", OperationId::CreateService, |run| {
        let body = json!({"serviceName": "Parity_Bad_Name", "image": run.image});
        request("POST", "/v1/agents".into(), Key::Private, Some(body))
    })
    .not_recorded(),
    Step::call("list agents with a wrong key", OperationId::ListServices, |_| {
        request("GET", "/v1/agents".into(), Key::Wrong, None)
    }),
    Step::call("start a session that outlives its agent", OperationId::StartService, start)
        .keeping(|run, answer| run.outliving_session = keep_session(run, answer)),
    Step::call("delete the agent", OperationId::DeleteService, |run| delete_agent(&run.names.agent)),
    Step::call("stop a session of the deleted agent", OperationId::StopSession, |run| {
        stop(run, &run.outliving_session)
    }),
    Step::call("delete the agent that failed", OperationId::DeleteService, |run| delete_agent(&run.names.broken)),
    Step::call("delete the secret set", OperationId::DeleteSecretSet, |run| {
        request("DELETE", format!("/v1/secrets/{}", run.names.set), Key::Private, None)
    }),
];

/// Stops `session` of the scenario's agent (an id no session has when its start failed).
fn stop(run: &Run, session: &Option<String>) -> Request {
    request("DELETE", format!("/v1/agents/{}/sessions/{}", run.names.agent, or_no_session(session)), Key::Private, None)
}

/// Deletes agent `name`.
fn delete_agent(name: &str) -> Request {
    request("DELETE", format!("/v1/agents/{name}"), Key::Private, None)
}

/// What one side did at one step: what it saw, and the last exchange.
#[derive(Debug)]
pub(crate) struct StepResult {
    pub(crate) observed: Observed,
    pub(crate) exchange: Option<Exchange>,
}

/// Plays every step on `target`, in order; a step that cannot be made is a result too, and the run
/// goes on.
pub(crate) async fn play(target: &Target, run: &mut Run, timeout: Duration) -> Vec<StepResult> {
    let mut results = Vec::with_capacity(STEPS.len());
    for step in &STEPS {
        results.push(play_step(target, run, step, timeout).await);
    }
    results
}

async fn play_step(target: &Target, run: &mut Run, step: &Step, timeout: Duration) -> StepResult {
    let began = Instant::now();
    let mut states: Vec<String> = Vec::new();
    loop {
        let Request { method, path, query, key, body } = (step.request)(run);
        let exchange = match target.send(method, &path, &query, key, body).await {
            Ok(exchange) => exchange,
            Err(error) => return StepResult { observed: Observed::failed(error.to_string()), exchange: None },
        };
        let answer = exchange.json.clone().unwrap_or(Value::Null);
        let mut observed = Observed::answer(exchange.status, exchange.json.as_ref());
        let Some(wait) = &step.wait else {
            (step.keep)(run, &answer);
            return StepResult { observed, exchange: Some(exchange) };
        };
        let state = if exchange.status == 200 { (wait.state)(&answer) } else { format!("HTTP {}", exchange.status) };
        if states.last() != Some(&state) {
            states.push(state.clone());
        }
        let finished = exchange.status != 200 || (wait.done)(&answer);
        if finished || began.elapsed() >= timeout {
            if !finished {
                observed.failure = Some(format!(
                    "gave up waiting for {} after {} s (last state: {state})",
                    wait.what,
                    timeout.as_secs()
                ));
            }
            observed.states = states;
            (step.keep)(run, &answer);
            return StepResult { observed, exchange: Some(exchange) };
        }
        tokio::time::sleep(target.interval).await;
    }
}

/// Deletes what the run created on `target`, whatever happened: stops its sessions, deletes both agents
/// and the set. Each request is made once; what is already gone answers 404, which is fine.
pub(crate) async fn clean_up(target: &Target, run: &Run) {
    for session in &run.sessions {
        let path = format!("/v1/agents/{}/sessions/{session}", run.names.agent);
        let _ = target.send("DELETE", &path, &[], Key::Private, None).await;
    }
    for agent in [&run.names.agent, &run.names.broken] {
        let _ = target.send("DELETE", &format!("/v1/agents/{agent}"), &[], Key::Private, None).await;
    }
    let _ = target.send("DELETE", &format!("/v1/secrets/{}", run.names.set), &[], Key::Private, None).await;
}
