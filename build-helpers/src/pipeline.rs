//! The whole path from spec files to generated code, as `build.rs` and `cargo spec` both run it:
//! load → normalize → validate → generate.

use std::path::{Path, PathBuf};

use crate::error::{Result, SpecError};
use crate::generate::generate_client;
use crate::load::{LoadedSpec, load};
use crate::normalize::{Normalized, normalize};
use crate::validate::validate;

/// A spec loaded, normalized and validated.
#[derive(Debug, Clone)]
pub struct PreparedSpec {
    /// The spec as loaded (merged from fragments if it came from a folder).
    pub loaded: LoadedSpec,
    /// The normalized document and what each pass changed.
    pub normalized: Normalized,
}

/// Loads, normalizes and validates the spec at `path` (a file or a folder of fragments).
pub fn prepare(path: &Path) -> Result<PreparedSpec> {
    let loaded = load(path)?;
    let normalized = normalize(loaded.document.clone())?;
    validate(&normalized.document)?;
    Ok(PreparedSpec { loaded, normalized })
}

/// Generates the client for the spec at `spec` and writes it to `out`. Returns the files read.
pub fn generate_file(spec: &Path, out: &Path) -> Result<Vec<PathBuf>> {
    let prepared = prepare(spec)?;
    let code = generate_client(&prepared.normalized.document)?;
    write_if_changed(out, &code)?;
    Ok(prepared.loaded.sources)
}

/// Writes `contents` to `path` unless it already holds exactly that, so an unchanged spec does not touch
/// the file and does not make cargo recompile what includes it.
pub fn write_if_changed(path: &Path, contents: &str) -> Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|existing| existing == contents) {
        return Ok(());
    }
    std::fs::write(path, contents).map_err(|source| SpecError::Io { path: path.to_path_buf(), source })
}

/// Runs `f`, the body of a build script, and turns an error into a clear message and exit code 1
/// instead of a panic and backtrace.
pub fn run_build_script(f: impl FnOnce() -> Result<()>) {
    if let Err(error) = f() {
        eprintln!("error: the Pipecat Cloud spec could not be turned into Rust code:\n{error}");
        std::process::exit(1);
    }
}
