//! `emulator start` and `emulator stop`: the emulator in the background, so the tour needs one shell.
//! `start` runs `pipecat-cloud emulator serve` (with the flags given to it) as a process of its own group,
//! its log in the config folder, and prints the exports, so `eval "$(pipecat-cloud emulator start)"`
//! points the shell at it. What it started is kept in `emulator.json` beside the credentials file (mode
//! 0600: it holds the emulator's own keys); `stop` asks that emulator to stop through its control API
//! and waits until it has.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use clap::{ArgMatches, Command};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::emulator::serve_command;
use crate::context::Context;
use crate::exit::refused;
use crate::output::{self, Mode};

/// What `start` started.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Started {
    pid: u32,
    host: String,
    private_key: String,
    public_key: String,
    log: PathBuf,
}

/// How long `start` waits for the emulator to listen, and `stop` for it to end.
const PATIENCE: Duration = Duration::from_secs(15);

fn state_file() -> anyhow::Result<PathBuf> {
    let credentials = crate::credentials::path()?;
    let folder = credentials.parent().map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
    Ok(folder.join("emulator.json"))
}

fn read_started() -> anyhow::Result<Option<Started>> {
    let path = state_file()?;
    match std::fs::read(&path) {
        Ok(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(refused(format!("cannot read {}: {error}", path.display()))),
    }
}

fn write_started(started: &Started) -> anyhow::Result<()> {
    let path = state_file()?;
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path).map_err(|e| refused(format!("cannot write {}: {e}", path.display())))?;
    std::io::Write::write_all(&mut file, &serde_json::to_vec(started)?)?;
    Ok(())
}

/// True when something listens at `host` (`http://127.0.0.1:PORT`).
fn listening(host: &str) -> bool {
    let address = host.trim_start_matches("http://");
    address
        .parse::<std::net::SocketAddr>()
        .is_ok_and(|address| std::net::TcpStream::connect_timeout(&address, Duration::from_millis(300)).is_ok())
}

fn print_exports(mode: Mode, started: &Started) {
    let exports = [
        ("PIPECAT_API_HOST", started.host.as_str()),
        (pipecat_cloud::ENV_PRIVATE_KEY, started.private_key.as_str()),
        (pipecat_cloud::ENV_PUBLIC_KEY, started.public_key.as_str()),
    ];
    match mode {
        Mode::Json => output::line(
            &json!({"host": started.host, "privateKey": started.private_key, "publicKey": started.public_key})
                .to_string(),
        ),
        _ => {
            for (name, value) in exports {
                output::line(&format!("export {name}={value}"));
            }
        }
    }
}

pub fn start_command() -> Command {
    serve_command()
        .about("Run the emulator in the background and print the exports: eval \"$(pipecat-cloud emulator start)\"")
        .long_about(
            "Start a local Pipecat Cloud in the background (as `emulator serve` does, with the same flags) and print \
             the `export` lines that point this shell at it: eval \"$(pipecat-cloud emulator start)\". \
             `pipecat-cloud emulator stop` ends it. Run again while it runs, it prints the same exports.",
        )
}

/// The flags `emulator start` was given, as `emulator serve` takes them: everything after `start`.
fn serve_flags() -> Vec<std::ffi::OsString> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let at = args.windows(2).position(|w| w[0] == "emulator" && w[1] == "start").map(|i| i + 2);
    at.map(|at| args[at..].to_vec()).unwrap_or_default()
}

pub async fn start(context: &Context, _matches: &ArgMatches) -> anyhow::Result<()> {
    if let Some(started) = read_started()?.filter(|s| listening(&s.host)) {
        output::note(&format!(
            "an emulator started before runs at {} (pipecat-cloud emulator stop ends it)",
            started.host
        ));
        print_exports(context.mode, &started);
        return Ok(());
    }
    let log = state_file()?.with_file_name("emulator.log");
    if let Some(folder) = log.parent() {
        std::fs::create_dir_all(folder).map_err(|e| refused(format!("cannot create {}: {e}", folder.display())))?;
    }
    let log_file = std::fs::File::create(&log).map_err(|e| refused(format!("cannot write {}: {e}", log.display())))?;
    let mut command = std::process::Command::new(std::env::current_exe()?);
    command
        .args(["--output", "json", "emulator", "serve"])
        .args(serve_flags())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log_file);
    // A group of its own: the shell's Ctrl-C and hang-up go to the shell's jobs, not to it.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command.spawn().map_err(|e| refused(format!("cannot start the emulator: {e}")))?;
    let stdout = child.stdout.take().ok_or_else(|| refused("the emulator's output cannot be read"))?;
    let first = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    });
    let line = tokio::time::timeout(PATIENCE, first).await.ok().and_then(|joined| joined.ok()).and_then(Result::ok);
    let exports: Option<serde_json::Value> = line.as_deref().and_then(|l| serde_json::from_str(l).ok());
    let field = |name: &str| exports.as_ref().and_then(|e| e.get(name)).and_then(|v| v.as_str()).map(str::to_string);
    let (Some(host), Some(private_key), Some(public_key)) = (field("host"), field("privateKey"), field("publicKey"))
    else {
        let _ = child.kill();
        let why = std::fs::read_to_string(&log).unwrap_or_default();
        return Err(refused(format!("the emulator did not start: {}", why.lines().last().unwrap_or("no output"))));
    };
    let started = Started { pid: child.id(), host, private_key, public_key, log: log.clone() };
    write_started(&started)?;
    print_exports(context.mode, &started);
    output::note(&format!(
        "emulator running at {} in the background (its log: {}); pipecat-cloud emulator stop ends it",
        started.host,
        log.display()
    ));
    Ok(())
}

pub fn stop_command() -> Command {
    Command::new("stop").about("Stop the emulator `emulator start` started")
}

pub async fn stop(_context: &Context, _matches: &ArgMatches) -> anyhow::Result<()> {
    let Some(started) = read_started()? else {
        output::note("no emulator started with `pipecat-cloud emulator start`: nothing to stop");
        return Ok(());
    };
    let path = state_file()?;
    if listening(&started.host) {
        pipecat_cloud::tls::install_provider();
        reqwest::Client::new()
            .post(format!("{}/_emulator/shutdown", started.host))
            .bearer_auth(&started.private_key)
            .send()
            .await
            .map_err(|e| refused(format!("the emulator at {} did not answer: {}", started.host, e.without_url())))?;
        let began = Instant::now();
        while listening(&started.host) {
            if began.elapsed() > PATIENCE {
                return Err(refused(format!(
                    "the emulator at {} (process {}) did not stop within {} s",
                    started.host,
                    started.pid,
                    PATIENCE.as_secs()
                )));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let _ = std::fs::remove_file(path);
    output::note(&format!("emulator at {} stopped", started.host));
    Ok(())
}
