//! What every command runs with: the output mode, the resolved keys and host, and the client made from
//! them. The dispatcher builds it once; every command, generated or hand-written, takes it.

use crate::credentials::Settings;
use crate::exit::refused;
use crate::output::Mode;

/// What every command runs with: the output mode and the resolved settings.
#[derive(Debug)]
pub struct Context {
    /// How results are printed.
    pub mode: Mode,
    /// Keys and host, with where each came from.
    pub settings: Settings,
    /// How often `--verbose`/`-v` was given: 1 shows each request, 2 its headers too, 3 the transport's
    /// own log.
    pub verbose: u8,
}

impl Context {
    /// A client with the resolved keys and host. A missing key is refused by the SDK when a command
    /// needs it, with advice (see `run.rs`).
    pub fn client(&self) -> anyhow::Result<pipecat_cloud::Client> {
        let mut builder = pipecat_cloud::Client::builder();
        if let Some((key, _)) = &self.settings.api_key {
            builder = builder.private_key(key.expose());
        }
        if let Some((key, _)) = &self.settings.public_key {
            builder = builder.public_key(key.expose());
        }
        if let Some((host, _)) = &self.settings.host {
            builder = builder.host(host.clone());
        }
        if self.settings.api_key.is_none() && self.settings.public_key.is_none() {
            return Err(refused(format!(
                "no API key: give one with --api-key, {}, or `pipecat-cloud auth login` (the public key: --public-key or {})",
                pipecat_cloud::ENV_PRIVATE_KEY,
                pipecat_cloud::ENV_PUBLIC_KEY
            )));
        }
        builder.build().map_err(|e| refused(e.to_string()))
    }
}
