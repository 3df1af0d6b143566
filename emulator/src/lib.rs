#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
// Internals are `pub(crate)`: the crate's API is what `lib.rs` exports, and nothing leaks past it.
#![warn(unreachable_pub)]

mod clock;
mod control;
pub mod faults;
mod handlers;
pub mod journal;
mod persistence;
pub mod progression;
mod reply;
mod request_path;
mod routing;
pub mod rules;
mod server;
pub mod snapshot;
mod spec_check;
mod state;
mod upload_form;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

pub use clock::{MAX_ADVANCE, TooFar};
pub use faults::{Fault, FaultEffect};
pub use journal::JournalEntry;
pub use persistence::StateFileError;
pub use progression::Progression;
pub use rules::{BuildRule, CapacityAnswer, ImageRule, Rules};
pub use snapshot::Snapshot;

use crate::handlers::Settings;
use crate::server::{Keys, Shared, SharedParts, lock};
use crate::state::State;

/// The emulator could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// The address could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address.
        address: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// A non-loopback address was asked for without [`EmulatorBuilder::allow_remote`].
    #[error(
        "refusing to listen on {0}: the emulator accepts any request with its keys; bind 127.0.0.1, or allow other addresses explicitly (--allow-remote)"
    )]
    NotLoopback(IpAddr),
    /// The state file could not be read.
    #[error(transparent)]
    StateFile(#[from] StateFileError),
    /// The embedded spec schemas could not be compiled (a defect of this build).
    #[error(transparent)]
    Schemas(#[from] spec_check::SchemaError),
    /// The HTTP client that forwards to the bot could not be made.
    #[error("cannot make the client that forwards to the bot: {0}")]
    BotClient(reqwest::Error),
    /// A key is empty, or has whitespace or control characters.
    #[error("the {0} key must be non-empty text without whitespace or control characters")]
    BadKey(&'static str),
}

/// How to start an [`Emulator`]: address, keys, progression, state file, rules, faults. Its `Debug`
/// never shows a key.
#[derive(Clone)]
pub struct EmulatorBuilder {
    address: SocketAddr,
    allow_remote: bool,
    private_key: Option<String>,
    public_key: Option<String>,
    progression: Progression,
    state_file: Option<PathBuf>,
    rules: Rules,
    capacity_answer: Option<CapacityAnswer>,
    session_lifetime: Option<Duration>,
    faults: Vec<Fault>,
    check_responses: bool,
    bot_url: Option<String>,
}

impl std::fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let given = |key: &Option<String>| if key.is_some() { "<given>" } else { "<made at start>" };
        f.debug_struct("EmulatorBuilder")
            .field("address", &self.address)
            .field("allow_remote", &self.allow_remote)
            .field("private_key", &given(&self.private_key))
            .field("public_key", &given(&self.public_key))
            .field("progression", &self.progression)
            .field("state_file", &self.state_file)
            .field("rules", &self.rules)
            .field("capacity_answer", &self.capacity_answer)
            .field("session_lifetime", &self.session_lifetime)
            .field("faults", &self.faults)
            .field("check_responses", &self.check_responses)
            .field("bot_url", &self.bot_url)
            .finish()
    }
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            address: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            allow_remote: false,
            private_key: None,
            public_key: None,
            progression: Progression::default(),
            state_file: None,
            rules: Rules::default(),
            capacity_answer: None,
            session_lifetime: None,
            faults: Vec::new(),
            check_responses: true,
            bot_url: None,
        }
    }
}

impl EmulatorBuilder {
    /// Listen on `port` of 127.0.0.1 (0, the default, picks a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.address.set_port(port);
        self
    }

    /// Listen on `address`. Anything but a loopback address also needs [`Self::allow_remote`].
    pub fn address(mut self, address: SocketAddr) -> Self {
        self.address = address;
        self
    }

    /// Allows a non-loopback address: anyone who can reach it and knows the keys can use it.
    pub fn allow_remote(mut self, allow: bool) -> Self {
        self.allow_remote = allow;
        self
    }

    /// The private key the emulator accepts (made at start when not given).
    pub fn private_key(mut self, key: impl Into<String>) -> Self {
        self.private_key = Some(key.into());
        self
    }

    /// The public key the emulator accepts (made at start when not given).
    pub fn public_key(mut self, key: impl Into<String>) -> Self {
        self.public_key = Some(key.into());
        self
    }

    /// When resources take their next step (default: one second per step).
    pub fn progression(mut self, progression: Progression) -> Self {
        self.progression = progression;
        self
    }

    /// Keeps the state in `path` across restarts, written atomically after each change.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// Deploys of images containing `rule.image_contains` fail with its code.
    pub fn fail_image(mut self, rule: ImageRule) -> Self {
        self.rules.failing_images.push(rule);
        self
    }

    /// Builds whose Dockerfile path contains `dockerfile_contains` fail (`""`: every build).
    pub fn fail_builds(mut self, dockerfile_contains: impl Into<String>) -> Self {
        self.rules.failing_builds.push(BuildRule { dockerfile_contains: dockerfile_contains.into() });
        self
    }

    /// How a start at capacity is answered (see [`CapacityAnswer`]; the default follows the wire
    /// example). Given, it replaces what a state file says.
    pub fn capacity_answer(mut self, answer: CapacityAnswer) -> Self {
        self.capacity_answer = Some(answer);
        self
    }

    /// Sessions end by themselves `lifetime` after they start (their instance goes back to the pool), as
    /// a caller hanging up would end them; by default they run until stopped or their cap. A test that
    /// starts many sessions sets it so capacity frees up on its own.
    pub fn session_lifetime(mut self, lifetime: Duration) -> Self {
        self.session_lifetime = Some(lifetime);
        self
    }

    /// A fault in force from the start.
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }

    /// Whether each answer is checked against the spec (default on): a mismatch is answered as a 500
    /// `EMULATOR_SPEC_MISMATCH` and listed by [`Emulator::response_problems`]. Off, the emulator is
    /// faster.
    pub fn check_responses(mut self, check: bool) -> Self {
        self.check_responses = check;
        self
    }

    /// Forwards the session proxy to a bot listening at `url` (e.g. `http://127.0.0.1:7860`) instead
    /// of answering with an echo.
    pub fn bot_url(mut self, url: impl Into<String>) -> Self {
        self.bot_url = Some(url.into());
        self
    }

    /// Starts the emulator on the current tokio runtime.
    ///
    /// # Errors
    /// [`EmulatorError`] when the address cannot be bound or is not loopback, a key is malformed, or the
    /// state file cannot be read.
    pub async fn start(self) -> Result<Emulator, EmulatorError> {
        if !self.address.ip().is_loopback() && !self.allow_remote {
            return Err(EmulatorError::NotLoopback(self.address.ip()));
        }
        // A key the SDK would refuse could not make `client()`: refused here, as the SDK refuses it.
        let key = |given: Option<String>, prefix: &str, name: &'static str| match given {
            Some(key) if pipecat_cloud::ApiKey::new(key.as_str()).is_err() => Err(EmulatorError::BadKey(name)),
            Some(key) => Ok(key),
            None => Ok(format!("{prefix}{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))),
        };
        let keys = Keys {
            private: key(self.private_key, "sk_emulator_", "private")?,
            public: key(self.public_key, "pk_emulator_", "public")?,
        };
        let checks = spec_check::SpecChecks::load()?;
        let mut state = match &self.state_file {
            Some(path) => persistence::load(path)?.unwrap_or_default(),
            None => State::default(),
        };
        for rule in self.rules.failing_images {
            if !state.rules.failing_images.contains(&rule) {
                state.rules.failing_images.push(rule);
            }
        }
        for rule in self.rules.failing_builds {
            if !state.rules.failing_builds.contains(&rule) {
                state.rules.failing_builds.push(rule);
            }
        }
        if let Some(answer) = self.capacity_answer {
            state.rules.capacity_answer = answer;
        }
        let listener = TcpListener::bind(self.address)
            .await
            .map_err(|source| EmulatorError::Bind { address: self.address, source })?;
        let address = listener.local_addr().map_err(|source| EmulatorError::Bind { address: self.address, source })?;
        let mut faults = faults::Faults::default();
        for fault in self.faults {
            faults.add(fault);
        }
        let changed = self.state_file.as_ref().map(|_| Arc::new(Notify::new()));
        let http = match &self.bot_url {
            Some(_) => {
                pipecat_cloud::tls::install_provider();
                Some(reqwest::Client::builder().build().map_err(EmulatorError::BotClient)?)
            }
            None => None,
        };
        let shared = Arc::new(Shared::new(SharedParts {
            state,
            settings: Settings {
                progression: self.progression,
                base_url: server::base_url(address),
                bot_url: self.bot_url,
                session_lifetime: self.session_lifetime,
            },
            keys,
            checks,
            faults,
            check_responses: self.check_responses,
            changed: changed.clone(),
            http,
        }));
        let writer = match (&self.state_file, changed) {
            (Some(path), Some(changed)) => Some(tokio::spawn(keep_saving(shared.clone(), path.clone(), changed))),
            _ => None,
        };
        let server = tokio::spawn(server::serve(listener, shared.clone()));
        Ok(Emulator { address, shared, server, writer, state_file: self.state_file })
    }
}

/// How long after a change the state file is written: changes in between are written together.
pub(crate) const SAVE_DELAY: Duration = Duration::from_millis(50);

/// Writes the state file after each change, at most every [`SAVE_DELAY`].
async fn keep_saving(shared: Arc<Shared>, path: PathBuf, changed: Arc<Notify>) {
    loop {
        changed.notified().await;
        tokio::time::sleep(SAVE_DELAY).await;
        save_now(&shared, &path).await;
    }
}

async fn save_now(shared: &Arc<Shared>, path: &std::path::Path) {
    let state = lock(&shared.state).clone();
    let path = path.to_path_buf();
    let writing = Arc::clone(shared);
    // One write at a time: a save still running when the emulator stops finishes before the last one.
    let saved = tokio::task::spawn_blocking(move || {
        let _one_at_a_time = lock(&writing.saving);
        persistence::save(&path, &state)
    })
    .await;
    if let Ok(Err(error)) = saved {
        eprintln!("pipecat-cloud-emulator: {error}");
    }
}

/// Pipecat Cloud on this machine: a running emulator. Dropping it stops the server.
pub struct Emulator {
    address: SocketAddr,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
    writer: Option<JoinHandle<()>>,
    state_file: Option<PathBuf>,
}

impl Emulator {
    /// Starts an emulator on a free port of 127.0.0.1, with new keys, one second per step, and every
    /// answer checked against the spec.
    ///
    /// # Errors
    /// [`EmulatorError`] when no port can be bound.
    pub async fn start() -> Result<Emulator, EmulatorError> {
        Emulator::builder().start().await
    }

    /// A builder, to choose the port, keys, progression, state file, rules and faults.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Its host, `http://127.0.0.1:PORT`: what `PIPECAT_API_HOST` and `ClientBuilder::host` take.
    pub fn host(&self) -> String {
        self.shared.settings.base_url.clone()
    }

    /// The private key it accepts.
    pub fn private_key(&self) -> &str {
        &self.shared.keys.private
    }

    /// The public key it accepts.
    pub fn public_key(&self) -> &str {
        &self.shared.keys.public
    }

    /// A client with both keys, talking to this emulator over loopback.
    pub fn client(&self) -> pipecat_cloud::Client {
        // The keys were checked as the SDK checks them when the emulator started, and the host is a
        // loopback `http://` URL, which the SDK accepts: building cannot fail.
        self.client_builder()
            .build()
            .unwrap_or_else(|e| unreachable!("the emulator's keys and loopback host are valid: {e}"))
    }

    /// A client builder with both keys and this emulator's loopback address, to set retries or timeouts
    /// first. (An emulator bound to all interfaces is reached on 127.0.0.1; the SDK sends plain `http://`
    /// to loopback only.)
    pub fn client_builder(&self) -> pipecat_cloud::ClientBuilder {
        pipecat_cloud::Client::builder()
            .private_key(self.private_key())
            .public_key(self.public_key())
            .host(self.loopback_host())
    }

    /// `http://` and this emulator's port on the loopback address of its family.
    fn loopback_host(&self) -> String {
        let loopback = match self.address.ip() {
            ip if ip.is_loopback() => ip,
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(_) => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        };
        server::base_url(SocketAddr::new(loopback, self.address.port()))
    }

    /// Moves the emulator's clock forward: what was due in that time happens at the next request.
    ///
    /// # Errors
    /// [`TooFar`] when the clock would go more than [`MAX_ADVANCE`] past the wall clock in all.
    pub fn advance(&self, by: Duration) -> Result<(), TooFar> {
        self.shared.clock.advance(by)
    }

    /// Puts `fault` in force.
    pub fn fault(&self, fault: Fault) {
        self.shared.add_fault(fault);
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        self.shared.clear_faults();
    }

    /// Every request so far (the newest 10,000), oldest first. Keys and secret values never appear.
    pub fn journal(&self) -> Vec<JournalEntry> {
        lock(&self.shared.journal).entries()
    }

    /// Resolves when the control API is asked to stop the emulator (`POST /_emulator/shutdown`, the
    /// private key): the program running it then calls [`Emulator::shutdown`].
    pub async fn stop_requested(&self) {
        self.shared.stop_asked.notified().await;
    }

    /// Forgets the requests so far: the journal starts again from the next one.
    pub fn clear_journal(&self) {
        lock(&self.shared.journal).clear();
    }

    /// Deploys of images containing `rule.image_contains` fail from now on.
    pub fn fail_image(&self, rule: ImageRule) {
        lock(&self.shared.state).rules.failing_images.push(rule);
        self.shared.note_change();
    }

    /// Starts at capacity are answered as `answer` says from now on.
    pub fn set_capacity_answer(&self, answer: CapacityAnswer) {
        lock(&self.shared.state).rules.capacity_answer = answer;
        self.shared.note_change();
    }

    /// The whole state, in the [`snapshot`] format.
    pub fn snapshot(&self) -> Snapshot {
        snapshot::snapshot(&lock(&self.shared.state))
    }

    /// Replaces the whole state with `snapshot` (from [`Self::snapshot`], maybe changed, or read with
    /// [`Snapshot::from_json`]).
    pub fn restore(&self, snapshot: Snapshot) {
        *lock(&self.shared.state) = snapshot::restore(snapshot);
        self.shared.note_change();
    }

    /// Back to an empty state, the wall clock, an empty journal and no faults; rules stay.
    pub fn reset(&self) {
        let rules = lock(&self.shared.state).rules.clone();
        *lock(&self.shared.state) = State { rules, ..State::default() };
        self.shared.clock.reset();
        lock(&self.shared.journal).clear();
        self.shared.clear_faults();
        self.shared.note_change();
    }

    /// Answers of the emulator that did not match the spec (each was sent as a 500). Empty unless the
    /// emulator has a defect; tests assert it.
    pub fn response_problems(&self) -> Vec<String> {
        lock(&self.shared.problems).clone()
    }

    /// Stops serving, closes every connection, and writes the state file one last time.
    pub async fn shutdown(mut self) {
        self.server.abort();
        let _ = (&mut self.server).await;
        if let Some(writer) = self.writer.take() {
            writer.abort();
            let _ = writer.await;
        }
        if let Some(path) = self.state_file.take() {
            save_now(&self.shared, &path).await;
        }
    }
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("host", &self.host())
            .field("state_file", &self.state_file)
            .finish_non_exhaustive()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.server.abort();
        if let Some(writer) = &self.writer {
            writer.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    /// The README states these figures; each is the constant the code uses.
    #[test]
    fn the_readme_states_the_figures_the_code_uses() {
        let readme = include_str!("../README.md");
        let mib = |bytes: usize| bytes / (1024 * 1024);
        let phrases = [
            format!("all {} operations of the REST API", pipecat_cloud::catalog::OPERATIONS.len()),
            format!("a body over {} MB gets 413", mib(crate::server::BODY_LIMIT)),
            format!("more than {} s to send a request's head", crate::server::HEAD_TIMEOUT.as_secs()),
            format!("the newest {} requests", group_thousands(crate::journal::CAPACITY)),
            format!("within {} ms of a", crate::SAVE_DELAY.as_millis()),
            format!("max 1 to {}", crate::handlers::MAX_AGENTS_LIMIT),
            format!("unused for {} minutes", crate::handlers::IDLE_KEEP_SECONDS / 60),
            format!("usable {} s after the start", crate::handlers::BUFFER_WARMUP_SECONDS),
            format!(
                "a `body` over {} MB ({} KB for `websocket`) gets 413",
                crate::handlers::BODY_CAP_BYTES / (1024 * 1024),
                crate::handlers::WEBSOCKET_BODY_CAP_BYTES / 1024
            ),
            format!("(default {} s)", crate::state::DEFAULT_MAX_SESSION_SECONDS),
            format!("a context up to {} MB", crate::upload_form::MAX_CONTEXT_BYTES >> 20),
            format!(
                "`botStartSeconds` is {} for a cold start, {} for a warm one",
                crate::handlers::COLD_START_SECONDS,
                crate::handlers::WARM_START_SECONDS
            ),
        ];
        assert_eq!(crate::server::HEAD_TIMEOUT, crate::server::BODY_TIMEOUT, "the README states one timeout for both");
        for phrase in phrases {
            assert!(readme.contains(&phrase), "README.md should say `{phrase}`");
        }
    }

    fn group_thousands(n: usize) -> String {
        let digits = n.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    }
}
