//! `--state FILE`: the state kept across restarts. A write goes to a temporary file beside the target,
//! is flushed to disk, then renamed over it, so a crash at any moment leaves the old state or the new
//! one, never a torn file. The file holds secret values, so it is created readable by its owner only.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::snapshot::{Snapshot, SnapshotError};
use crate::state::State;

/// A state file could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateFileError {
    /// Reading or writing failed.
    #[error("state file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// The file is not a state this emulator reads.
    #[error("state file {path}: {source}; move it away or give another --state")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why: not a state, or one of a newer format.
        source: SnapshotError,
    },
}

/// Reads the state at `path`; `None` when there is no file yet.
pub(crate) fn load(path: &Path) -> Result<Option<State>, StateFileError> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(StateFileError::Io { path: path.to_path_buf(), source }),
    };
    Snapshot::from_json(&text)
        .map(|snapshot| Some(crate::snapshot::restore(snapshot)))
        .map_err(|source| StateFileError::Unreadable { path: path.to_path_buf(), source })
}

/// Writes `state` to `path` atomically.
pub(crate) fn save(path: &Path, state: &State) -> Result<(), StateFileError> {
    let io = |source| StateFileError::Io { path: path.to_path_buf(), source };
    let bytes = crate::snapshot::snapshot(state).to_json();
    // A name no other writer uses: another process, or a save of this one still finishing.
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let write = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let temporary = path.with_extension(format!("tmp-{}-{write}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&temporary).map_err(io)?;
    file.write_all(&bytes).and_then(|()| file.sync_all()).map_err(io)?;
    drop(file);
    std::fs::rename(&temporary, path).map_err(io)?;
    // The rename itself is durable once the folder is flushed.
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && let Ok(folder) = std::fs::File::open(folder)
    {
        let _ = folder.sync_all();
    }
    Ok(())
}
