//! Where keys and the host come from, and the credentials file `auth login` writes.
//!
//! Each setting is taken from the first place that has it: the flag (`--api-key`, `--public-key`,
//! `--host`), the environment (`PIPECAT_API_KEY`, `PIPECAT_DEFAULT_PUBLIC_KEY`, `PIPECAT_API_HOST`), the
//! selected profile of the credentials file (`--profile`, else `PIPECAT_PROFILE`), then that file's
//! `default` profile. The file is TOML in the platform's config folder (`PIPECAT_CONFIG_DIR` moves it),
//! written atomically with mode 0600. Keys are kept as [`Secret`]s: their Debug output is redacted, and
//! nothing here prints one.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::exit::refused;

/// Environment variable naming the profile.
pub const ENV_PROFILE: &str = "PIPECAT_PROFILE";
/// Environment variable moving the folder of the credentials file (tests, containers).
pub const ENV_CONFIG_DIR: &str = "PIPECAT_CONFIG_DIR";
/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "default";

/// A key, never shown.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// A key.
    pub fn new(key: String) -> Self {
        Secret(key)
    }

    /// The key, for the client only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// One profile of the credentials file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The private key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<Secret>,
    /// The public key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<Secret>,
    /// The API host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

/// Where a setting came from, for `auth status` (which names the source, never the value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag.
    Flag(&'static str),
    /// An environment variable.
    Env(&'static str),
    /// A profile of the credentials file.
    File(String),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(flag) => write!(f, "flag {flag}"),
            Source::Env(variable) => write!(f, "environment variable {variable}"),
            Source::File(profile) => {
                write!(f, "profile `{profile}` of {}", path().map(|p| p.display().to_string()).unwrap_or_default())
            }
        }
    }
}

/// What the flags say.
#[derive(Debug, Default)]
pub struct Flags {
    /// `--api-key`.
    pub api_key: Option<String>,
    /// `--public-key`.
    pub public_key: Option<String>,
    /// `--host`.
    pub host: Option<String>,
    /// `--profile`.
    pub profile: Option<String>,
    /// True for `auth login`, which may name a profile the file does not have yet.
    pub new_profile_allowed: bool,
}

/// The settings in effect, with their sources.
#[derive(Debug)]
pub struct Settings {
    /// The selected profile's name.
    pub profile: String,
    /// The private key and its source.
    pub api_key: Option<(Secret, Source)>,
    /// The public key and its source.
    pub public_key: Option<(Secret, Source)>,
    /// The host and its source.
    pub host: Option<(String, Source)>,
}

/// The credentials file's path.
pub fn path() -> anyhow::Result<PathBuf> {
    let folder = match std::env::var_os(ENV_CONFIG_DIR) {
        Some(folder) => PathBuf::from(folder),
        None => dirs::config_dir()
            .context("this platform has no config folder; set PIPECAT_CONFIG_DIR")?
            .join("pipecat-cloud"),
    };
    Ok(folder.join("credentials.toml"))
}

fn read() -> anyhow::Result<File> {
    let path = path()?;
    match std::fs::read_to_string(&path) {
        Ok(text) => toml::from_str(&text)
            .map_err(|e| refused(format!("{} is not a valid credentials file: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(File::default()),
        Err(e) => Err(refused(format!("cannot read {}: {e}", path.display()))),
    }
}

/// Resolves every setting: flag, then environment, then the selected profile, then `default`.
pub fn resolve(flags: &Flags) -> anyhow::Result<Settings> {
    let env = |name: &'static str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let profile = flags.profile.clone().or_else(|| env(ENV_PROFILE)).unwrap_or_else(|| DEFAULT_PROFILE.into());
    let file = read()?;
    if profile != DEFAULT_PROFILE && !file.profiles.contains_key(&profile) && !flags.new_profile_allowed {
        return Err(refused(format!(
            "no profile `{profile}` in {}; create it with `pipecat-cloud auth login --profile {profile}`",
            path()?.display()
        )));
    }
    let chosen = file.profiles.get(&profile);
    let fallback = file.profiles.get(DEFAULT_PROFILE);
    let from_file = |get: fn(&Profile) -> Option<String>| {
        chosen
            .and_then(get)
            .map(|v| (v, Source::File(profile.clone())))
            .or_else(|| fallback.and_then(get).map(|v| (v, Source::File(DEFAULT_PROFILE.into()))))
    };
    let pick = |flag: &Option<String>,
                flag_name: &'static str,
                variable: &'static str,
                get: fn(&Profile) -> Option<String>| {
        flag.clone()
            .filter(|v| !v.is_empty())
            .map(|v| (v, Source::Flag(flag_name)))
            .or_else(|| env(variable).map(|v| (v, Source::Env(variable))))
            .or_else(|| from_file(get))
    };
    let secret = |found: Option<(String, Source)>| found.map(|(v, s)| (Secret(v), s));
    Ok(Settings {
        api_key: secret(pick(&flags.api_key, "--api-key", pipecat_cloud::ENV_PRIVATE_KEY, |p| {
            p.api_key.as_ref().map(|k| k.0.clone())
        })),
        public_key: secret(pick(&flags.public_key, "--public-key", pipecat_cloud::ENV_PUBLIC_KEY, |p| {
            p.public_key.as_ref().map(|k| k.0.clone())
        })),
        host: pick(&flags.host, "--host", pipecat_cloud::ENV_HOST, |p| p.host.clone()),
        profile,
    })
}

/// Stores `update` as profile `name` (keeping what it leaves unset), atomically, mode 0600.
pub fn store(name: &str, update: Profile) -> anyhow::Result<PathBuf> {
    let path = path()?;
    let mut file = read()?;
    let entry = file.profiles.entry(name.to_string()).or_default();
    if update.api_key.is_some() {
        entry.api_key = update.api_key;
    }
    if update.public_key.is_some() {
        entry.public_key = update.public_key;
    }
    if update.host.is_some() {
        entry.host = update.host;
    }
    let text = toml::to_string(&file).context("cannot write the credentials as TOML")?;
    let folder = path.parent().context("the credentials file has no folder")?;
    std::fs::create_dir_all(folder).with_context(|| format!("cannot create {}", folder.display()))?;
    let temporary = folder.join(format!(".credentials.toml.{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut out = options.open(&temporary).with_context(|| format!("cannot write {}", temporary.display()))?;
    out.write_all(text.as_bytes())
        .and_then(|()| out.sync_all())
        .with_context(|| format!("cannot write {}", temporary.display()))?;
    drop(out);
    std::fs::rename(&temporary, &path).with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(path)
}
