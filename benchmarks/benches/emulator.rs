//! The emulator's throughput, start-up and memory, with ratios against baselines measured in the same
//! run on the same machine:
//!
//! - the limit: a server that answers canned bytes (the emulator's own answers, prepared once) and does
//!   nothing else;
//! - Prism 5.16 (`benchmarks/prism/`, installed with `npm ci` from its pinned lock file) mocking the same
//!   spec with its request validation on; skipped, with a message, when npm is absent.
//!
//! Each server gets `getService`, `listSecretSets` and `startService` at 1 and 64 requests in flight
//! from the same load generator (`src/load.rs`). The emulator checks every request against the spec;
//! it is measured with its answer checks off (what `--no-response-check` serves) and on (its default).
//! Start-up is the time from `start()` to the first answer; memory is the resident size of a process
//! holding 10,000 sessions and 100,000 log lines.
//!
//! `cargo bench -p pipecat-cloud-benchmarks --bench emulator` (`BENCH_SECONDS`, default 3, per measure;
//! `BENCH_PARTS` and `BENCH_OPS` choose what runs).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use pipecat_cloud_benchmarks::CannedServer;
use pipecat_cloud_benchmarks::load::{LoadReport, Prepared, run};
use pipecat_cloud_emulator::snapshot::{LogLine, Session};
use pipecat_cloud_emulator::{Emulator, Progression, Snapshot};

/// Agents the start benchmark spreads its sessions over, so none reaches its cap of 50.
const AGENTS: usize = 4000;
const IN_FLIGHT: [usize; 2] = [1, 64];
const OPS: [&str; 3] = ["getService", "listSecretSets", "startService"];

/// True unless the environment variable `filter` (comma-separated words) is set and lacks `word`.
fn listed(filter: &str, word: &str) -> bool {
    std::env::var(filter).map_or(true, |only| only.split(',').any(|w| w.trim() == word))
}

/// `BENCH_PARTS`: `emulator`, `canned`, `prism`, `startup`, `memory` (default: all).
fn wanted(part: &str) -> bool {
    listed("BENCH_PARTS", part)
}

/// `BENCH_OPS`: the operations measured (default: all three).
fn op_wanted(op: &&str) -> bool {
    listed("BENCH_OPS", op)
}

fn main() {
    if std::env::args().any(|a| a == "--footprint") {
        footprint();
        return;
    }
    let seconds: f64 = std::env::var("BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(3.0);
    let duration = Duration::from_secs_f64(seconds);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    runtime.block_on(throughput(duration));
    if wanted("startup") {
        runtime.block_on(startup());
    }
    if wanted("memory") {
        memory();
    }
}

/// A fresh emulator with one agent per name in `names`, ready, and three secret sets.
async fn populated(check_answers: bool) -> Emulator {
    let emulator = Emulator::builder()
        .progression(Progression::Immediate)
        .check_responses(check_answers)
        .start()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let client = emulator.client();
    for set in ["bot-secrets", "voice-secrets", "other-secrets"] {
        let secrets = vec![pipecat_cloud::types::RegularSecretsRequestSecretsItem::new("A", "1")];
        client
            .upsert_secret_set(set, pipecat_cloud::types::RegularSecretsRequest::new(secrets))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let name: pipecat_cloud::types::CreateServiceRequestServiceName = "bot-0".parse().unwrap_or_else(|e| panic!("{e}"));
    client
        .create_service(pipecat_cloud::types::CreateServiceRequest::new(name).image("acme/bot:1"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    client.get_service("bot-0").await.unwrap_or_else(|e| panic!("{e}"));
    // The other agents are copies of the first, made in the state directly: thousands of creates would
    // cost more than the measurement.
    let mut state: Snapshot = emulator.snapshot();
    let template = state.agents.get("bot-0").cloned().unwrap_or_else(|| panic!("bot-0 was created"));
    for i in 1..AGENTS {
        let mut agent = template.clone();
        agent.name = format!("bot-{i}");
        state.agents.insert(agent.name.clone(), agent);
    }
    emulator.restore(state);
    emulator
}

fn requests(op: &str, host: &str, key_private: &str, key_public: &str, prism: bool) -> Vec<Prepared> {
    let base = if prism { "" } else { "/v1" };
    match op {
        "getService" => vec![Prepared::new("GET", &format!("{base}/agents/bot-0"), host, key_private, None, 200)],
        "listSecretSets" => vec![Prepared::new("GET", &format!("{base}/secrets"), host, key_private, None, 200)],
        _ => {
            let public = if prism { "" } else { "/v1/public" };
            (0..AGENTS)
                .map(|i| {
                    Prepared::new(
                        "POST",
                        &format!("{public}/bot-{i}/start"),
                        host,
                        key_public,
                        Some("{\"createDailyRoom\":true}"),
                        200,
                    )
                })
                .collect()
        }
    }
}

async fn measure(address: SocketAddr, prepared: Vec<Prepared>, in_flight: usize, duration: Duration) -> LoadReport {
    let prepared = Arc::new(prepared);
    let _ = run(address, Arc::clone(&prepared), in_flight, duration / 6).await;
    run(address, prepared, in_flight, duration).await.unwrap_or_else(|e| panic!("{address}: {e}"))
}

fn show(server: &str, op: &str, in_flight: usize, report: &LoadReport) {
    println!(
        "{server:<26} {op:<15} {in_flight:>3} in flight: {:>9.0} req/s  p50 {:>8.3} ms  p99 {:>8.3} ms{}",
        report.per_second,
        report.p50.as_secs_f64() * 1000.0,
        report.p99.as_secs_f64() * 1000.0,
        if report.unexpected > 0 { format!("  ({} unexpected statuses)", report.unexpected) } else { String::new() }
    );
}

async fn throughput(duration: Duration) {
    println!(
        "== throughput ({} s per measure, one load generator, 2 cores shared with the server)",
        duration.as_secs_f64()
    );
    let mut table: Vec<(String, &str, usize, LoadReport)> = Vec::new();
    // Fresh emulators per operation, so the sessions one measure starts do not weigh on the next.
    for op in OPS.into_iter().filter(op_wanted) {
        for (label, check) in [("emulator", false), ("emulator + answer checks", true)] {
            for in_flight in IN_FLIGHT {
                if !wanted("emulator") {
                    continue;
                }
                let emulator = populated(check).await;
                let host = emulator.address().to_string();
                let prepared = requests(op, &host, emulator.private_key(), emulator.public_key(), false);
                let report = measure(emulator.address(), prepared, in_flight, duration).await;
                show(label, op, in_flight, &report);
                table.push((label.to_string(), op, in_flight, report));
            }
        }
    }
    // The limit: the emulator's own answers, served as canned bytes.
    let emulator = populated(false).await;
    let client = emulator.client();
    let agent =
        serde_json::to_string(&client.get_service("bot-0").await.unwrap_or_else(|e| panic!("{e}"))).unwrap_or_default();
    let sets =
        serde_json::to_string(&client.list_secret_sets().await.unwrap_or_else(|e| panic!("{e}"))).unwrap_or_default();
    let start = r#"{"sessionId":"3ae25dd2-07f7-4785-b062-5482268e31f7","dailyRoom":"https://emulator.daily.co/3ae25dd207f7","dailyToken":"emulator-meeting-token-3ae25dd207f74785b0625482268e31f7"}"#;
    let mut routes = vec![("/v1/agents/bot-0".to_string(), agent), ("/v1/secrets".to_string(), sets)];
    routes.extend((0..AGENTS).map(|i| (format!("/v1/public/bot-{i}/start"), start.to_string())));
    let canned = CannedServer::start(routes).await.unwrap_or_else(|e| panic!("{e}"));
    let canned_address: SocketAddr =
        canned.url().trim_start_matches("http://").parse().unwrap_or_else(|e| panic!("{e}"));
    for op in OPS.into_iter().filter(op_wanted).filter(|_| wanted("canned")) {
        for in_flight in IN_FLIGHT {
            let prepared = requests(op, &canned_address.to_string(), "k", "k", false);
            let report = measure(canned_address, prepared, in_flight, duration).await;
            show("canned bytes (the limit)", op, in_flight, &report);
            table.push(("canned".into(), op, in_flight, report));
        }
    }
    match if wanted("prism") { Prism::start() } else { Err("not in BENCH_PARTS".into()) } {
        Ok(prism) => {
            for op in OPS.into_iter().filter(op_wanted) {
                for in_flight in IN_FLIGHT {
                    let prepared = requests(op, &prism.address.to_string(), "k", "k", true);
                    let report = measure(prism.address, prepared, in_flight, duration).await;
                    show("prism 5.16", op, in_flight, &report);
                    table.push(("prism".into(), op, in_flight, report));
                }
            }
        }
        Err(why) => println!("prism: skipped ({why})"),
    }
    println!("\n== ratios (the emulator with request checks, answer checks off)");
    let rate = |server: &str, op: &str, n: usize| {
        table.iter().find(|(s, o, i, _)| s == server && *o == op && *i == n).map(|(_, _, _, r)| r.per_second)
    };
    for op in OPS {
        for in_flight in IN_FLIGHT {
            let emulator = rate("emulator", op, in_flight).unwrap_or(f64::NAN);
            let limit = rate("canned", op, in_flight).map_or(String::from("-"), |c| format!("{:.2}", emulator / c));
            let prism = rate("prism", op, in_flight).map_or(String::from("-"), |p| format!("{:.1}", emulator / p));
            println!("{op:<15} {in_flight:>3} in flight: emulator / limit {limit:>5}   emulator / prism {prism:>6}");
        }
    }
}

async fn startup() {
    let mut times = Vec::new();
    for _ in 0..20 {
        let began = Instant::now();
        let emulator = Emulator::builder().start().await.unwrap_or_else(|e| panic!("{e}"));
        let prepared = Arc::new(vec![Prepared::new("GET", "/v1/regions", "x", emulator.private_key(), None, 200)]);
        // With no time, `run` sends one request per lane.
        run(emulator.address(), prepared, 1, Duration::ZERO).await.unwrap_or_else(|e| panic!("{e}"));
        times.push(began.elapsed());
    }
    times.sort_unstable();
    println!(
        "\n== start-up to the first answer: median {:.1} ms, slowest {:.1} ms (20 starts)",
        times[10].as_secs_f64() * 1000.0,
        times[19].as_secs_f64() * 1000.0
    );
}

/// Runs [`footprint`] in a process of its own and prints what it measured.
fn memory() {
    let Ok(me) = std::env::current_exe() else { return };
    match Command::new(me).arg("--footprint").output() {
        Ok(out) => print!("{}", String::from_utf8_lossy(&out.stdout)),
        Err(e) => println!("memory: could not run the footprint process: {e}"),
    }
}

/// In this process alone: an emulator holding 10,000 sessions and 100,000 log lines, then its resident size.
fn footprint() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    runtime.block_on(async {
        let before = resident_kib();
        let emulator = Emulator::builder()
            .progression(Progression::Immediate)
            .check_responses(false)
            .start()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let client = emulator.client();
        let name: pipecat_cloud::types::CreateServiceRequestServiceName =
            "bot".parse().unwrap_or_else(|e| panic!("{e}"));
        client
            .create_service(pipecat_cloud::types::CreateServiceRequest::new(name).image("acme/bot:1"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        client.get_service("bot").await.unwrap_or_else(|e| panic!("{e}"));
        let mut state = emulator.snapshot();
        let agent = state.agents.get_mut("bot").unwrap_or_else(|| panic!("bot"));
        let deployment = agent.deployments[0].id;
        let now = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now());
        for i in 0..10_000i64 {
            let at = now - chrono::Duration::seconds(10_000 - i);
            let mut session = Session::new(deployment, at);
            session.ended_at = Some(at + chrono::Duration::seconds(60));
            session.cold_start = i % 3 == 0;
            session.completion_status = Some("STOPPED".into());
            let id = session.id;
            agent.sessions.push(session);
            for line in 0..10 {
                let text = format!("session {id}: line {line} of the bot's log, as loguru writes it");
                agent.logs.push(LogLine::new(
                    at + chrono::Duration::milliseconds(line),
                    Some(deployment),
                    Some(id),
                    text,
                ));
            }
        }
        emulator.restore(state);
        let sessions = client.get_sessions("bot").limit(100).await.unwrap_or_else(|e| panic!("{e}"));
        let logs = client.get_logs("bot").limit(100).await.unwrap_or_else(|e| panic!("{e}"));
        let after = resident_kib();
        println!(
            "\n== memory: resident {:.1} MB with {} sessions and {} log lines ({:.1} MB before the emulator started)",
            after as f64 / 1024.0,
            sessions.total_count.unwrap_or_default(),
            logs.total.and_then(|t| t.value).unwrap_or_default(),
            before as f64 / 1024.0
        );
    });
}

/// The process's resident size in KiB (Linux), 0 elsewhere.
fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Prism mocking the spec, in its own process, stopped when dropped.
struct Prism {
    child: Child,
    address: SocketAddr,
}

impl Prism {
    fn start() -> Result<Prism, String> {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("prism");
        if Command::new("npm").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_err() {
            return Err("npm is not installed; install Node.js to compare with Prism".into());
        }
        let binary = folder.join("node_modules/.bin/prism");
        if !binary.exists() {
            let installed = Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&folder).status();
            if !installed.is_ok_and(|s| s.success()) {
                return Err("`npm ci` in benchmarks/prism failed".into());
            }
        }
        let port =
            std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
        let spec: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/pipecat-cloud.yaml");
        let child = Command::new(&binary)
            .args(["mock", "--host", "127.0.0.1", "-p", &port.to_string()])
            .arg(&spec)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run prism: {e}"))?;
        let address: SocketAddr = format!("127.0.0.1:{port}").parse().map_err(|e| format!("{e}"))?;
        let began = Instant::now();
        while std::net::TcpStream::connect(address).is_err() {
            if began.elapsed() > Duration::from_secs(60) {
                return Err("prism did not start within 60 s".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(Prism { child, address })
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
