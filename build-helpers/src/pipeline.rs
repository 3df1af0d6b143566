//! The whole path from spec files to generated code, as `build.rs` and `cargo spec` both run it:
//! load → validate_structure → normalize → validate → generate → check_assumptions (build-helpers/README.md, held by a test).

use std::path::{Path, PathBuf};

use crate::error::{Result, SpecError};
use crate::generate::{Generated, generate};
use crate::load::{LoadedSpec, load};
use crate::normalize::{Normalized, normalize};
use crate::validate::{validate, validate_structure};

/// A spec loaded, normalized and validated.
#[derive(Debug, Clone)]
pub struct PreparedSpec {
    /// The spec as loaded (merged from fragments if it came from a folder).
    pub loaded: LoadedSpec,
    /// The normalized document and what each pass changed.
    pub normalized: Normalized,
}

/// A spec that `cargo spec check` accepts: prepared, and generated.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The spec loaded, normalized and validated.
    pub prepared: PreparedSpec,
    /// The code generated from it.
    pub generated: Generated,
}

/// Loads, normalizes and validates the spec at `path` (a file or a folder of fragments). The document's
/// structure (its `$ref`s above all) is checked before the normalization passes walk it; every error
/// names the spec it is in.
pub fn prepare(path: &Path) -> Result<PreparedSpec> {
    let loaded = load(path)?;
    let normalized = validate_structure(&loaded.document)
        .and_then(|()| normalize(loaded.document.clone()))
        .and_then(|normalized| validate(&normalized.document).map(|_| normalized))
        .map_err(|e| e.in_spec(path))?;
    Ok(PreparedSpec { loaded, normalized })
}

/// Prepares the spec at `path` and generates its code, for any spec: what the generator accepts. The
/// diff reads each side with it.
pub fn prepare_and_generate(path: &Path) -> Result<Checked> {
    let prepared = prepare(path)?;
    let generated = generate(&prepared.normalized.document).map_err(|e| e.in_spec(path))?;
    Ok(Checked { prepared, generated })
}

/// What `cargo spec check` and the build script accept: a spec that generates
/// ([`prepare_and_generate`]) and offers everything the workspace's hand-written code relies on
/// ([`crate::validate::assumptions`]), so that the whole workspace builds on it.
pub fn check(path: &Path) -> Result<Checked> {
    let checked = prepare_and_generate(path)?;
    let prepared = &checked.prepared;
    crate::validate::assumptions::check_assumptions(&prepared.loaded.document, &prepared.normalized.document)
        .map_err(|e| e.in_spec(path))?;
    Ok(checked)
}

/// Generates the client for the spec at `spec` and writes it to `out`. Returns the files read.
pub fn generate_file(spec: &Path, out: &Path) -> Result<Vec<PathBuf>> {
    let checked = check(spec)?;
    write_if_changed(out, &checked.generated.file())?;
    Ok(checked.prepared.loaded.sources)
}

/// Writes the JSON Schemas of every operation's bodies ([`crate::json_schema::operation_schemas`]) of
/// the spec at `spec` to `out`, for tools that check requests and answers at run time (the emulator).
/// The schemas are the spec's as published (after the structure check; the normalization passes
/// reshape paths and types for the generator and are not applied). Returns the files read.
pub fn write_schemas_file(spec: &Path, out: &Path) -> Result<Vec<PathBuf>> {
    let loaded = load(spec)?;
    validate_structure(&loaded.document).map_err(|e| e.in_spec(spec))?;
    let schemas = crate::json_schema::operation_schemas(&loaded.document);
    write_if_changed(out, &schemas.to_string())?;
    Ok(loaded.sources)
}

/// Writes `contents` to `path` unless it already holds exactly that, so an unchanged spec does not touch
/// the file and does not make cargo recompile what includes it.
pub fn write_if_changed(path: &Path, contents: &str) -> Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|existing| existing == contents) {
        return Ok(());
    }
    std::fs::write(path, contents).map_err(|source| SpecError::Io { path: path.to_path_buf(), source })
}

/// Where a build script of this workspace reads the spec and writes its output.
#[derive(Debug, Clone)]
pub struct BuildPaths {
    /// The package's `openapi/` folder: in the workspace a link to the top-level `openapi/`, in a
    /// packaged crate a copy of it (`cargo package` follows the link).
    pub spec_dir: PathBuf,
    /// The build script's `OUT_DIR`.
    pub out_dir: PathBuf,
}

impl BuildPaths {
    /// The paths of the calling build script, from cargo's environment. Also asks cargo to rerun the
    /// script when the spec folder changes (so adding or removing a fragment regenerates).
    pub fn from_cargo_env() -> Self {
        let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
        let spec_dir = manifest.join("openapi");
        println!("cargo::rerun-if-changed={}", spec_dir.display());
        BuildPaths { spec_dir, out_dir: PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()) }
    }

    /// Asks cargo to rerun the build script when any of `sources` changes.
    pub fn watch(&self, sources: &[PathBuf]) {
        for source in sources {
            println!("cargo::rerun-if-changed={}", source.display());
        }
    }
}

/// Runs `f`, the body of a build script, and turns an error into a clear message and exit code 1
/// instead of a panic and backtrace.
pub fn run_build_script(f: impl FnOnce() -> Result<()>) {
    if let Err(error) = f() {
        eprintln!("error: the Pipecat Cloud spec could not be turned into Rust code:\n{error}");
        std::process::exit(1);
    }
}
