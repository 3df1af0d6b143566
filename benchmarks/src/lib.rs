//! What the benchmarks share: a local server answering with bodies from the recordings, and the two
//! ways to make the same call (the wrapper, and a hand-written reqwest + serde call with the same
//! timeouts: the floor).
#![forbid(unsafe_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

mod canned_server;
pub mod load;
pub mod paged_server;

pub use canned_server::CannedServer;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use serde::Deserialize;
use serde_json::{Value, json};

/// Log entries in the large `getLogs` answer.
pub const LOG_ENTRIES: usize = 10_000;
/// Calls in flight at once in the concurrent benchmarks.
pub const IN_FLIGHT: usize = 64;

const KEY: &str = "benchmark-private-key";
const SET: &str = "voice-bot-secrets";
const SECRET_KEY: &str = "OPENAI_API_KEY";
const AGENT: &str = "support-bot";

/// The operations measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Op {
    /// `deleteSecretFromSet`: a small answer.
    DeleteSecretFromSet,
    /// `listSecretSets`: a list of sets.
    ListSecretSets,
    /// `getLogs` with [`LOG_ENTRIES`] entries.
    GetLogs,
}

impl Op {
    /// All of them.
    pub const ALL: [Op; 3] = [Op::DeleteSecretFromSet, Op::ListSecretSets, Op::GetLogs];

    /// The operationId.
    pub fn id(self) -> &'static str {
        match self {
            Op::DeleteSecretFromSet => "deleteSecretFromSet",
            Op::ListSecretSets => "listSecretSets",
            Op::GetLogs => "getLogs",
        }
    }
}

/// The ways to make a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Variant {
    /// A hand-written reqwest call decoding with serde_json: the floor.
    HandWritten,
    /// `pipecat_cloud::Client`.
    Wrapper,
}

impl Variant {
    /// All of them, the baseline first.
    pub const ALL: [Variant; 2] = [Variant::HandWritten, Variant::Wrapper];

    /// A short name.
    pub fn name(self) -> &'static str {
        match self {
            Variant::HandWritten => "hand-written",
            Variant::Wrapper => "wrapper",
        }
    }
}

/// The server and the two clients, each on its own kept-alive connection pool.
pub struct Fixture {
    /// The local server, when this fixture started it (stops when dropped).
    pub server: Option<CannedServer>,
    wrapper: pipecat_cloud::Client,
    hand: reqwest::Client,
    base: String,
}

/// Response bodies: the recordings' for `deleteSecretFromSet` and `listSecretSets`, and a `getLogs`
/// answer of [`LOG_ENTRIES`] entries built from the recording's entry.
pub fn bodies() -> (String, String, String) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("tests").join("recordings");
    let body = |id: &str| -> Value {
        let text = std::fs::read_to_string(dir.join(id).join("200.yaml")).unwrap_or_default();
        let recording: serde_yaml::Value = serde_yaml::from_str(&text).unwrap_or(serde_yaml::Value::Null);
        let body = recording.get("response").and_then(|r| r.get("body")).cloned().unwrap_or_default();
        serde_json::to_value(body).unwrap_or(Value::Null)
    };
    let logs = body("getLogs");
    let entry =
        logs.pointer("/logs/0").cloned().unwrap_or_else(|| json!({"log": "line", "timestamp": "2026-11-01T12:00:00Z"}));
    let entries: Vec<Value> = (0..LOG_ENTRIES)
        .map(|i| {
            let mut e = entry.clone();
            e["log"] = json!(format!("{} #{i}", e["log"].as_str().unwrap_or("line")));
            e
        })
        .collect();
    let large = json!({"total": {"value": LOG_ENTRIES, "relation": "eq"}, "logs": entries});
    (body("deleteSecretFromSet").to_string(), body("listSecretSets").to_string(), large.to_string())
}

impl Fixture {
    /// Starts a server and connects the three clients to it.
    pub async fn start() -> Fixture {
        let server = Self::server().await;
        let mut fixture = Self::connect(&server.url()).await;
        fixture.server = Some(server);
        fixture
    }

    /// Starts the local server that answers the benchmarked calls with canned bytes.
    ///
    /// # Panics
    /// When it cannot bind 127.0.0.1: the benchmark cannot run.
    pub async fn server() -> CannedServer {
        let (delete, sets, logs) = bodies();
        CannedServer::start(vec![
            (format!("/v1/secrets/{SET}/{SECRET_KEY}"), delete),
            ("/v1/secrets".to_string(), sets),
            (format!("/v1/agents/{AGENT}/logs"), logs),
        ])
        .await
        .unwrap_or_else(|e| panic!("the benchmark server could not start: {e}"))
    }

    /// The two clients, talking to the server at `url`.
    ///
    /// # Panics
    /// When a client cannot be built: the benchmark cannot run.
    pub async fn connect(url: &str) -> Fixture {
        // The wrapper as users get it: its default retry policy (3 attempts for idempotent calls) is
        // part of what a call costs, even when no attempt fails.
        let wrapper =
            pipecat_cloud::Client::builder().private_key(KEY).host(url).build().unwrap_or_else(|e| panic!("{e}"));
        let mut headers = HeaderMap::new();
        let mut auth = HeaderValue::from_str(&format!("Bearer {KEY}")).unwrap_or_else(|e| panic!("{e}"));
        auth.set_sensitive(true);
        headers.insert(AUTHORIZATION, auth);
        let base = format!("{url}/v1");
        // The wrapper's own timeouts and user agent, so that both clients do the same work per request.
        pipecat_cloud::tls::install_provider();
        let hand = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(pipecat_cloud::USER_AGENT)
            .connect_timeout(pipecat_cloud::DEFAULT_CONNECT_TIMEOUT)
            .read_timeout(pipecat_cloud::DEFAULT_READ_TIMEOUT)
            .timeout(pipecat_cloud::DEFAULT_TIMEOUT)
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        Fixture { server: None, wrapper, hand, base }
    }

    /// Makes one call; returns how many items it decoded, so the work cannot be optimized away.
    ///
    /// # Panics
    /// When the call fails: the benchmark measures successful calls only.
    pub async fn call(&self, variant: Variant, op: Op) -> usize {
        let result: Result<usize, String> = match (variant, op) {
            (Variant::Wrapper, Op::DeleteSecretFromSet) => self
                .wrapper
                .delete_secret_from_set(SET, SECRET_KEY)
                .send()
                .await
                .map(|r| usize::from(r.status.is_some()))
                .map_err(|e| e.to_string()),
            (Variant::Wrapper, Op::ListSecretSets) => {
                self.wrapper.list_secret_sets().send().await.map(|r| r.sets.len()).map_err(|e| e.to_string())
            }
            (Variant::Wrapper, Op::GetLogs) => {
                self.wrapper.get_logs(AGENT).send().await.map(|r| r.logs.len()).map_err(|e| e.to_string())
            }
            (Variant::HandWritten, op) => self.hand_written(op).await.map_err(|e| e.to_string()),
        };
        result.unwrap_or_else(|e| panic!("{} through {} failed: {e}", op.id(), variant.name()))
    }

    /// The same request as the client's, and serde_json decoding into hand-written types.
    async fn hand_written(&self, op: Op) -> reqwest::Result<usize> {
        let request = match op {
            Op::DeleteSecretFromSet => self.hand.delete(format!("{}/secrets/{SET}/{SECRET_KEY}", self.base)),
            Op::ListSecretSets => self.hand.get(format!("{}/secrets", self.base)),
            Op::GetLogs => self.hand.get(format!("{}/agents/{AGENT}/logs", self.base)),
        };
        let bytes = request.header("accept", "application/json").send().await?.error_for_status()?.bytes().await?;
        let decoded = match op {
            Op::DeleteSecretFromSet => {
                serde_json::from_slice::<HandStatus>(&bytes).map(|r| usize::from(r.status.is_some()))
            }
            Op::ListSecretSets => serde_json::from_slice::<HandSets>(&bytes).map(|r| r.sets.len()),
            Op::GetLogs => serde_json::from_slice::<HandLogs>(&bytes).map(|r| r.logs.len()),
        };
        Ok(decoded.unwrap_or_else(|e| panic!("hand-written decoding failed: {e}")))
    }
}

/// The body of a `--serve` child process: serves the benchmark bodies, prints the server's URL, and
/// stops when the parent closes its stdin. Measuring processes keep the server out of their counts.
///
/// # Panics
/// When the runtime or the server cannot start: the benchmark cannot run.
pub fn serve_until_stdin_closes() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    runtime.block_on(async {
        let server = Fixture::server().await;
        println!("{}", server.url());
        // Blocking stdin off the runtime's thread, so that the server keeps serving.
        let _ = tokio::task::spawn_blocking(|| std::io::stdin().lines().count()).await;
        drop(server);
    });
}

/// Starts this executable again with `--serve`; returns the child and its server's URL. Dropping the
/// child's stdin (or the child) stops it.
///
/// # Panics
/// When the child cannot be started: the benchmark cannot run.
pub fn spawn_server_process() -> (Child, String) {
    let exe = std::env::current_exe().unwrap_or_default();
    let mut child = Command::new(exe)
        .arg("--serve")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let url =
        child.stdout.take().and_then(|out| BufReader::new(out).lines().next()).and_then(Result::ok).unwrap_or_default();
    (child, url)
}

#[derive(Deserialize)]
struct HandStatus {
    status: Option<String>,
}

#[derive(Deserialize)]
struct HandSets {
    #[serde(default)]
    sets: Vec<HandSet>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct HandSet {
    name: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    region: Option<String>,
    status: Option<String>,
    #[serde(rename = "errorMessage")]
    error_message: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct HandLogs {
    total: Option<HandTotal>,
    #[serde(default)]
    logs: Vec<HandLog>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct HandTotal {
    value: Option<i64>,
    relation: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct HandLog {
    log: Option<String>,
    timestamp: Option<String>,
    #[serde(rename = "deploymentId")]
    deployment_id: Option<String>,
}
