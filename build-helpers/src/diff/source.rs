//! Reading one side of a diff: a spec file, a folder of fragments, or `REV:PATH` from git, loaded and
//! normalized exactly as the build does.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::error::{Result, SpecError};
use crate::pipeline::prepare_and_generate;

/// The normalized document `side` names, once `cargo spec check` accepts it: a diff between specs the
/// build would refuse would rate changes to code that cannot exist.
pub fn load_side(side: &str) -> Result<Value> {
    let path = Path::new(side);
    if path.exists() {
        return Ok(prepare_and_generate(path)?.prepared.normalized.document);
    }
    let Some((rev, file)) = side.split_once(':') else {
        return Err(SpecError::invalid(side, "no such file or folder (use REV:PATH to read a spec from git)"));
    };
    let folder = checkout(rev, file)?;
    let result = prepare_and_generate(&folder.0).map(|checked| checked.prepared.normalized.document);
    drop(folder);
    result
}

/// A temporary folder, removed when dropped.
struct TempFolder(PathBuf);

impl Drop for TempFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes `rev:path` (a file, or the spec files directly in a folder) into a temporary folder.
fn checkout(rev: &str, path: &str) -> Result<TempFolder> {
    let spec = format!("{rev}:{path}");
    let kind = git(&["cat-file", "-t", &spec])?;
    let unique =
        format!("pipecat-spec-diff-{}-{}", std::process::id(), rev.replace(|c: char| !c.is_ascii_alphanumeric(), "_"));
    let folder = TempFolder(std::env::temp_dir().join(unique));
    let _ = std::fs::remove_dir_all(&folder.0);
    std::fs::create_dir_all(&folder.0).map_err(|source| SpecError::Io { path: folder.0.clone(), source })?;
    let files: Vec<String> = match kind.trim() {
        "blob" => vec![path.to_string()],
        "tree" => git(&["ls-tree", "--name-only", rev, &format!("{}/", path.trim_end_matches('/'))])?
            .lines()
            .filter(|f| f.ends_with(".yaml") || f.ends_with(".yml") || f.ends_with(".json"))
            .map(str::to_string)
            .collect(),
        other => return Err(SpecError::invalid(&spec, format!("is a git {other}, not a file or folder"))),
    };
    for file in files {
        let text = git(&["show", &format!("{rev}:{file}")])?;
        let name = Path::new(&file).file_name().map(PathBuf::from).unwrap_or_else(|| PathBuf::from("spec.yaml"));
        let target = folder.0.join(name);
        std::fs::write(&target, text).map_err(|source| SpecError::Io { path: target, source })?;
    }
    Ok(folder)
}

fn git(args: &[&str]) -> Result<String> {
    let output = Command::new("git")
        .args(args)
        .output()
        .map_err(|source| SpecError::Io { path: PathBuf::from("git"), source })?;
    if !output.status.success() {
        return Err(SpecError::invalid(
            format!("git {}", args.join(" ")),
            String::from_utf8_lossy(&output.stderr).trim().to_string(),
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
