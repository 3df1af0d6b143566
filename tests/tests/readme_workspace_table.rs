//! The README against the workspace: every member of the workspace has a row in the table with its
//! package name, every file or folder a row names exists in that crate, and the wrapper's row names every
//! file of `pipecat-cloud/src` (it is the crate people read first); the semver policy names the crates
//! that are published.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `(folder, package, text)` of each row whose first cell is a folder in backticks.
fn rows() -> Vec<(String, String, String)> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    readme
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.strip_prefix('|')?.split('|').map(str::trim).collect();
            let folder = cells.first()?.strip_prefix('`')?.strip_suffix("/`")?;
            Some((folder.to_string(), cells.get(1)?.trim_matches('`').to_string(), cells.get(2)?.to_string()))
        })
        .collect()
}

/// The names in backticks in `text` that look like files or folders (`send.rs`, `load/`).
fn named_paths(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|name| {
            (name.ends_with(".rs") || name.ends_with('/') || name.ends_with(".sh"))
                && !name.contains(' ')
                && !name.contains("::")
                && !name.starts_with('/')
        })
        .map(str::to_string)
        .collect()
}

/// Whether `name` (a relative path or a bare file name) exists somewhere under `dir`.
fn exists_under(dir: &Path, name: &str) -> bool {
    if dir.join(name).exists() || root().join(name).exists() {
        return true;
    }
    let bare = name.trim_end_matches('/');
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.ends_with(bare) {
                return true;
            }
            if path.is_dir() && !path.ends_with("target") {
                stack.push(path);
            }
        }
    }
    false
}

/// The workspace's members, as `Cargo.toml` lists them.
fn members() -> Vec<String> {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    manifest
        .split("members = [")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .unwrap()
        .split(',')
        .map(|m| m.trim().trim_matches('"').to_string())
        .filter(|m| !m.is_empty())
        .collect()
}

#[test]
fn every_member_has_a_row_and_every_named_file_exists() {
    let members = members();
    let rows = rows();
    let mut problems = Vec::new();
    for member in &members {
        match rows.iter().find(|(folder, ..)| folder == member) {
            None => problems.push(format!("workspace member {member} has no row")),
            Some((_, package, _)) => {
                let crate_manifest = std::fs::read_to_string(root().join(member).join("Cargo.toml")).unwrap();
                if !crate_manifest.contains(&format!("name = \"{package}\"")) {
                    problems.push(format!("{member}: the row names the package `{package}`"));
                }
            }
        }
    }
    for (folder, _, text) in &rows {
        for name in named_paths(text) {
            if !exists_under(&root().join(folder), &name) {
                problems.push(format!("{folder}: the row names `{name}`, which is not there"));
            }
        }
    }
    let (_, _, wrapper) = rows.iter().find(|(folder, ..)| folder == "pipecat-cloud").unwrap();
    for entry in std::fs::read_dir(root().join("pipecat-cloud/src")).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name != "lib.rs" && !wrapper.contains(&format!("`{name}`")) {
            problems.push(format!("pipecat-cloud: the row does not name `{name}`"));
        }
    }
    assert!(problems.is_empty(), "README.md's workspace table:\n{}", problems.join("\n"));
}

#[test]
fn the_semver_policy_names_every_published_crate() {
    let mut published: Vec<String> = members()
        .iter()
        .map(|member| std::fs::read_to_string(root().join(member).join("Cargo.toml")).unwrap())
        .filter(|manifest| !manifest.lines().any(|line| line.trim() == "publish = false"))
        .map(|manifest| {
            let name = manifest.lines().find_map(|line| line.strip_prefix("name = ")).unwrap();
            name.trim_matches('"').to_string()
        })
        .collect();
    published.sort();
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let sentence = readme.split("The published crates (").nth(1).and_then(|rest| rest.split(':').next()).unwrap();
    let mut named: Vec<String> = sentence.split('`').skip(1).step_by(2).map(str::to_string).collect();
    named.sort();
    assert_eq!(named, published, "README.md's semver policy names other crates than those without `publish = false`");
}
