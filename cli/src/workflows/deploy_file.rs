//! Where `pcc-deploy.toml` is read: the official CLI's deploy file (pipecatcloud 1.4.0,
//! `_utils/deploy_utils.py`), so one file serves both tools. Each key of 1.4.0 is read where the
//! published API takes it (`architecture` is `nodeType`; `[build]` is what `build run` packs) and refused
//! by name where it does not (`websocket_auth`, `[resources]`, `[git]`), so nothing in the file is
//! silently left out. `[docker]` belongs to the official CLI's local `docker build-push`, which calls no
//! API: it is accepted and not read. An unknown key is refused, as 1.4.0 refuses it.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::exit::refused;

/// The official CLI's deploy file.
pub(crate) const DEPLOY_FILE: &str = "pcc-deploy.toml";

/// `pcc-deploy.toml`, as far as this tool reads it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeployFile {
    pub(crate) agent_name: Option<String>,
    pub(crate) image: Option<String>,
    pub(crate) build_id: Option<String>,
    pub(crate) image_credentials: Option<String>,
    pub(crate) secret_set: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) agent_profile: Option<String>,
    pub(crate) max_session_duration: Option<i64>,
    pub(crate) architecture: Option<String>,
    #[serde(default)]
    pub(crate) scaling: Scaling,
    #[serde(default)]
    pub(crate) krisp_viva: KrispViva,
    #[serde(default)]
    pub(crate) build: Build,
    // Refused by name below: the published API has no field for them.
    enable_krisp: Option<toml::Value>,
    websocket_auth: Option<toml::Value>,
    resources: Option<toml::Value>,
    git: Option<toml::Value>,
    // The official CLI's local docker build settings: no API call reads them.
    #[allow(dead_code, reason = "accepted, not read: the official CLI's local docker build-push settings")]
    docker: Option<toml::Value>,
}

/// `[scaling]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Scaling {
    pub(crate) min_agents: Option<i64>,
    pub(crate) max_agents: Option<i64>,
}

/// `[krisp_viva]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct KrispViva {
    pub(crate) audio_filter: Option<String>,
}

/// `[build]`: what `build run` packs.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Build {
    /// The build context, relative to the deploy file's folder.
    pub(crate) context_dir: Option<String>,
    /// The Dockerfile, inside the context.
    pub(crate) dockerfile: Option<String>,
    #[serde(default)]
    pub(crate) exclude: Exclude,
}

/// `[build.exclude]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Exclude {
    /// Patterns left out of the context, as `.dockerignore` lines.
    #[serde(default)]
    pub(crate) patterns: Vec<String>,
}

/// A deploy file that was read, and where from.
#[derive(Debug, Default)]
pub(crate) struct Read {
    /// Its settings.
    pub(crate) file: DeployFile,
    /// Its folder (`[build] context_dir` is relative to it); `None` without a file.
    pub(crate) folder: Option<PathBuf>,
}

/// Reads `explicit` (`--config-file`), else `pcc-deploy.toml` here if there is one, else nothing.
pub(crate) fn read(explicit: Option<PathBuf>) -> anyhow::Result<Read> {
    let path = match explicit {
        Some(path) => path,
        None if Path::new(DEPLOY_FILE).is_file() => PathBuf::from(DEPLOY_FILE),
        None => return Ok(Read::default()),
    };
    let text = std::fs::read_to_string(&path).map_err(|e| refused(format!("cannot read {}: {e}", path.display())))?;
    let file: DeployFile =
        toml::from_str(&text).map_err(|e| refused(format!("{} is not a valid deploy file: {e}", path.display())))?;
    let name = path.display();
    if file.enable_krisp.is_some() {
        return Err(refused(format!(
            "{name}: enable_krisp is no longer supported; set Krisp VIVA in a [krisp_viva] table (audio_filter = \"tel\" or \"pro\")"
        )));
    }
    let unsupported = [
        (
            "websocket_auth",
            file.websocket_auth.is_some(),
            "the published API has no setting for it; set it in the dashboard",
        ),
        (
            "[resources]",
            file.resources.is_some(),
            "the published API sizes agents by agent_profile (agent-1x, agent-2x, agent-3x)",
        ),
        (
            "[git]",
            file.git.is_some(),
            "deploying from a GitHub repository is not part of the published API; deploy an image or a build",
        ),
    ];
    if let Some((key, _, why)) = unsupported.iter().find(|(_, present, _)| *present) {
        return Err(refused(format!(
            "{name}: {key} cannot be sent: {why}; remove it, or deploy with the official CLI"
        )));
    }
    let folder = path.parent().map(|p| if p.as_os_str().is_empty() { PathBuf::from(".") } else { p.to_path_buf() });
    Ok(Read { file, folder })
}
