//! Where the spec is loaded: one file, or a folder of standalone fragment documents merged into one.
//!
//! A folder is read flat (sub-folders such as `openapi/released/` are not part of the build) and its files
//! are merged in file-name order, so the result never depends on the file system's listing order.

mod duplicate_keys;
mod merge;
mod parse;

use std::path::{Path, PathBuf};

use serde_json::Value;

pub use self::merge::merge_fragments;
pub use self::parse::{parse_document, parse_file_bytes};
use crate::error::{Result, SpecError};

/// A document as loaded, with the files it came from.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    /// The merged OpenAPI document.
    pub document: Value,
    /// Every file read, in merge order. `build.rs` watches these.
    pub sources: Vec<PathBuf>,
}

/// Loads a spec from a file (`.yaml`, `.yml` or `.json`) or from a folder of such files.
pub fn load(path: &Path) -> Result<LoadedSpec> {
    let sources = spec_files(path)?;
    let mut fragments = Vec::with_capacity(sources.len());
    for file in &sources {
        let bytes = std::fs::read(file).map_err(|source| SpecError::Io { path: file.clone(), source })?;
        fragments.push((file.clone(), parse_file_bytes(file, &bytes)?));
    }
    let document = if fragments.len() == 1 { fragments.remove(0).1 } else { merge_fragments(fragments)? };
    Ok(LoadedSpec { document, sources })
}

/// The spec files `path` stands for: itself if it is a file, else the spec files directly inside it, sorted.
pub fn spec_files(path: &Path) -> Result<Vec<PathBuf>> {
    let io = |source| SpecError::Io { path: path.to_path_buf(), source };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).map_err(io)? {
        let file = entry.map_err(io)?.path();
        if file.is_file() && is_spec_file(&file) {
            files.push(file);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(SpecError::EmptyFolder { path: path.to_path_buf() });
    }
    Ok(files)
}

fn is_spec_file(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json"))
}
