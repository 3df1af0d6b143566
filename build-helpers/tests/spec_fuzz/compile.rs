//! Compiles generated code in bulk, in one scratch workspace per call, with one `cargo` run:
//!
//! - [`compile_generated`]: per spec, the generated crate and the wrapper without its waits and deploy
//!   (which name operations only our spec has), checked: for small specs written to reach the generator's
//!   corners;
//! - [`build_workspace`]: per spec, a copy of everything in the workspace that depends on the spec (the
//!   generated crate, the whole wrapper (its waits and deploy too) with the `mock` feature, the emulator, whose build
//!   script reads the spec, and the CLI), built with `cargo build`, not `check`: some errors only appear
//!   when code is generated (`E0275` on deeply nested types).

use std::path::{Path, PathBuf};
use std::process::Command;

use super::workspace;

/// The target directory of the `cargo test` that built this test (`CARGO_TARGET_TMPDIR` is its `tmp/`).
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).parent().map_or_else(|| workspace().join("target"), Path::to_path_buf)
}

/// One spec to compile: a label for messages, its generated code, and the spec file itself (the
/// emulator's build script reads it).
pub struct Subject<'a> {
    pub label: String,
    pub generated: &'a str,
    pub spec: Option<(&'a [u8], &'static str)>,
}

/// `cargo check`s, per spec, the generated crate and the wrapper without its spec-specific modules.
pub fn compile_generated(dir: &Path, subjects: &[Subject<'_>]) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(dir);
    let mut members = Vec::new();
    for (i, subject) in subjects.iter().enumerate() {
        write_generated_crate(&dir.join(format!("gen{i}")), &format!("gen{i}"), subject.generated);
        write_wrapper(&dir.join(format!("wrap{i}")), i, false);
        members.extend([format!("gen{i}"), format!("wrap{i}")]);
    }
    write_workspace(dir, &members);
    run(dir, &["check", "--workspace"], subjects)
}

/// `cargo build`s, per spec, every crate of the workspace that depends on the spec.
pub fn build_workspace(dir: &Path, subjects: &[Subject<'_>]) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(dir);
    let mut members = Vec::new();
    let mut features = Vec::new();
    for (i, subject) in subjects.iter().enumerate() {
        write_generated_crate(&dir.join(format!("gen{i}")), &format!("gen{i}"), subject.generated);
        write_wrapper(&dir.join(format!("wrap{i}")), i, true);
        let (spec, extension) = subject.spec.unwrap_or_default();
        write_emulator(&dir.join(format!("emu{i}")), i, spec, extension);
        write_cli(&dir.join(format!("cli{i}")), i);
        members.extend([format!("gen{i}"), format!("wrap{i}"), format!("emu{i}"), format!("cli{i}")]);
        features.push(format!("wrap{i}/mock"));
    }
    write_workspace(dir, &members);
    let features = features.join(",");
    // Libraries only: every crate's code is generated and compiled (where E0275 shows), without linking
    // a CLI binary per copy.
    run(dir, &["build", "--workspace", "--lib", "--features", &features], subjects)
}

/// `cargo check`s one spec that adds or removes the operations `changed` (operationIds): the generated
/// crate and the wrapper must build, and the workspace's operation tables must not, each error naming
/// one of `changed` (as the `OperationId` variant, the catalog static or the method). The errors, one per
/// line, or why the copy did not fail as it should.
pub fn check_operation_tables(dir: &Path, subject: &Subject<'_>, changed: &[&String]) -> Result<Vec<String>, String> {
    let _ = std::fs::remove_dir_all(dir);
    write_generated_crate(&dir.join("gen0"), "gen0", subject.generated);
    write_wrapper(&dir.join("wrap0"), 0, true);
    let (spec, extension) = subject.spec.unwrap_or_default();
    write_emulator(&dir.join("emu0"), 0, spec, extension);
    write_cli(&dir.join("cli0"), 0);
    let members = ["gen0", "wrap0", "emu0", "cli0"].map(str::to_string);
    write_workspace(dir, &members);
    let out = Command::new(env!("CARGO"))
        .args(["check", "--workspace", "--lib", "--features", "wrap0/mock"])
        .args(["--quiet", "--keep-going", "--message-format", "short"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .env("CARGO_INCREMENTAL", "0")
        .output()
        .unwrap();
    if out.status.success() {
        return Err("the workspace builds, though its operation tables do not handle the change".into());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<String> = stderr.lines().filter(|l| l.contains("error[")).map(str::to_string).collect();
    let names: Vec<String> = changed
        .iter()
        .flat_map(|id| {
            let snake = heck::ToSnakeCase::to_snake_case(id.as_str());
            [
                heck::ToUpperCamelCase::to_upper_camel_case(id.as_str()),
                heck::ToShoutySnakeCase::to_shouty_snake_case(snake.as_str()),
                snake,
            ]
        })
        .collect();
    if let Some(sdk) = errors.iter().find(|e| e.contains("gen0/") || e.contains("wrap0/")) {
        return Err(format!("the SDK does not build: {sdk}"));
    }
    if let Some(other) = errors.iter().find(|e| !names.iter().any(|name| e.contains(name.as_str()))) {
        return Err(format!("an error that names none of {changed:?}: {other}\n{stderr}"));
    }
    if !errors.iter().any(|e| e.contains("emu0/src/handlers/mod.rs")) {
        return Err(format!("the emulator's operation table did not stop the build:\n{stderr}"));
    }
    let root = dir.display().to_string();
    Ok(errors.iter().map(|e| e.replace(&format!("{root}/"), "")).collect())
}

/// Builds the workspace's spec-dependent crates from `generated` and `spec` (the generated crate, the
/// wrapper, the emulator, the CLI) with the program `main` beside them, runs the program, and returns what
/// it printed, or why the build or the run failed.
pub fn header_workspace_runs(dir: &Path, generated: &str, spec: &[u8], main: &Path) -> Result<String, String> {
    let _ = std::fs::remove_dir_all(dir);
    write_generated_crate(&dir.join("gen0"), "gen0", generated);
    write_wrapper(&dir.join("wrap0"), 0, true);
    write_emulator(&dir.join("emu0"), 0, spec, "json");
    write_cli(&dir.join("cli0"), 0);
    std::fs::create_dir_all(dir.join("runner/src")).unwrap();
    std::fs::copy(main, dir.join("runner/src/main.rs")).unwrap();
    std::fs::write(
        dir.join("runner/Cargo.toml"),
        "[package]\nname = \"runner\"\nversion = \"0.0.0\"\nedition.workspace = true\npublish = false\n\n[dependencies]\n\
         pipecat-cloud = { package = \"wrap0\", path = \"../wrap0\" }\n\
         pipecat-cloud-emulator = { package = \"emu0\", path = \"../emu0\" }\n\
         pipecat-cloud-cli = { package = \"cli0\", path = \"../cli0\" }\n\
         tokio.workspace = true\nserde_json.workspace = true\nreqwest = { workspace = true, features = [\"json\"] }\n",
    )
    .unwrap();
    let members = ["gen0", "wrap0", "emu0", "cli0", "runner"].map(str::to_string);
    write_workspace(dir, &members);
    let out = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "-p", "runner"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .env("CARGO_INCREMENTAL", "0")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() { Ok(stdout) } else { Err(format!("{stdout}\n{}", String::from_utf8_lossy(&out.stderr))) }
}

/// Prints each line of `text` with `prefix`, past the test harness's capture.
pub fn say_lines(prefix: &str, text: &str) {
    for line in text.lines() {
        super::say(&format!("{prefix}{line}"));
    }
}

/// The scratch workspace's manifest: the real one's settings and dependencies (their paths made
/// absolute), with `members` as its members; and the real lock file, so versions match.
fn write_workspace(dir: &Path, members: &[String]) {
    let root = workspace();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let start = manifest.find("members = [").unwrap();
    let end = start + manifest[start..].find(']').unwrap() + 1;
    let listed: Vec<String> = members.iter().map(|m| format!("{m:?}")).collect();
    let manifest = format!("{}members = [{}]{}", &manifest[..start], listed.join(", "), &manifest[end..])
        .replace("path = \"", &format!("path = \"{}/", root.display()));
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
}

/// Runs cargo in `dir`; on failure, the labels of the subjects whose crates failed and the compiler's
/// errors.
///
/// The copies build in the outer `cargo test`'s own target directory (its lock is released once the
/// test binaries are built), with the workspace's dev profile (`.cargo/config.toml`, which cargo finds
/// above the copy's folder in `target/spec-fuzz/`): every third-party crate is compiled once, for the
/// workspace and every copy, instead of once more per target directory. The copies' own crates get
/// their own artifacts, as their paths differ; the callers give each copy the same folder from run to
/// run, so a run replaces the last one's artifacts instead of adding to them (and two test runs at once
/// in one checkout would share those folders). The copies inherit `RUSTFLAGS`, with which the outer
/// build's artifacts were built: `RUSTFLAGS=-Dwarnings` holds the generated copies to it too.
fn run(dir: &Path, args: &[&str], subjects: &[Subject<'_>]) -> Result<(), String> {
    let out = Command::new(env!("CARGO"))
        .args(args)
        .args(["--quiet", "--keep-going", "--message-format", "short"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        // Each copy is built once: no incremental caches.
        .env("CARGO_INCREMENTAL", "0")
        .output()
        .unwrap();
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let broken: Vec<String> = subjects
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            ["gen", "wrap", "emu", "cli"]
                .iter()
                .any(|kind| stderr.contains(&format!("`{kind}{i}`")) || stderr.contains(&format!("{kind}{i}/src/")))
        })
        .map(|(i, subject)| format!("  copy {i}: {}", subject.label))
        .collect();
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("error")).take(40).collect();
    Err(format!("{}\n{}", broken.join("\n"), errors.join("\n")))
}

fn write_generated_crate(dir: &Path, name: &str, generated: &str) {
    let source = workspace().join("generated-client");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    for entry in std::fs::read_dir(source.join("src")).unwrap() {
        let entry = entry.unwrap();
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let text = text.replace("concat!(env!(\"OUT_DIR\"), \"/pipecat_cloud.rs\")", "\"pipecat_cloud.rs\"");
        std::fs::write(dir.join("src").join(entry.file_name()), text).unwrap();
    }
    std::fs::write(dir.join("src").join("pipecat_cloud.rs"), generated).unwrap();
    std::fs::copy(source.join("README.md"), dir.join("README.md")).unwrap();
    let manifest = std::fs::read_to_string(source.join("Cargo.toml")).unwrap();
    let dependencies: String = manifest
        .split("\n[dependencies]\n")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .unwrap_or_default()
        .to_string();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition.workspace = true\npublish = false\n\n\
             [dependencies]\n{dependencies}\n"
        ),
    )
    .unwrap();
}

/// Copy `i` of the crate in `source` (a workspace folder), with its package renamed to `name` and the
/// workspace crates it depends on replaced by copy `i` of each.
fn copy_crate(source: &str, name: &str, i: usize) -> (PathBuf, String) {
    let from = workspace().join(source);
    let manifest = std::fs::read_to_string(from.join("Cargo.toml")).unwrap();
    let package_line = manifest.lines().find(|l| l.starts_with("name = ")).unwrap().to_string();
    let mut manifest = manifest.replacen(&package_line, &format!("name = \"{name}\"\npublish = false"), 1);
    for (dependency, copy) in
        [("pipecat-cloud-generated", "gen"), ("pipecat-cloud", "wrap"), ("pipecat-cloud-emulator", "emu")]
    {
        manifest = manifest.replace(
            &format!("\n{dependency}.workspace = true"),
            &format!("\n{dependency} = {{ package = \"{copy}{i}\", path = \"../{copy}{i}\" }}"),
        );
    }
    (from, manifest)
}

/// The wrapper's modules that name operations only our spec has (its waits and its deploy): a copy for
/// a spec of other operations leaves them out.
const SPEC_SPECIFIC_MODULES: [&str; 2] = ["wait", "deploy"];

/// The wrapper, whole or without [`SPEC_SPECIFIC_MODULES`].
fn write_wrapper(dir: &Path, i: usize, whole: bool) {
    let (source, manifest) = copy_crate("pipecat-cloud", &format!("wrap{i}"), i);
    copy(&source.join("src"), &dir.join("src"));
    std::fs::copy(source.join("README.md"), dir.join("README.md")).unwrap();
    if !whole {
        let mut lib = std::fs::read_to_string(dir.join("src").join("lib.rs")).unwrap();
        for module in SPEC_SPECIFIC_MODULES {
            std::fs::remove_file(dir.join("src").join(format!("{module}.rs"))).unwrap();
            let declared = format!("\npub mod {module};\n");
            assert!(lib.contains(&declared), "the wrapper's lib.rs no longer declares `pub mod {module};`");
            lib = lib.replace(&declared, "\n");
        }
        std::fs::write(dir.join("src").join("lib.rs"), lib).unwrap();
    }
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
}

/// The emulator, its build script reading the spec from its own `openapi/`.
fn write_emulator(dir: &Path, i: usize, spec: &[u8], extension: &str) {
    let (source, manifest) = copy_crate("emulator", &format!("emu{i}"), i);
    for part in ["src", "build.rs", "README.md"] {
        copy(&source.join(part), &dir.join(part));
    }
    let manifest = strip_sections(&manifest, &["[dev-dependencies]", "[[example]]"]);
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::create_dir_all(dir.join("openapi")).unwrap();
    std::fs::write(dir.join("openapi").join(format!("pipecat-cloud.{extension}")), spec).unwrap();
}

/// The CLI, its binary renamed so that the copies' binaries do not overwrite each other.
fn write_cli(dir: &Path, i: usize) {
    let (source, manifest) = copy_crate("cli", &format!("cli{i}"), i);
    for part in ["src", "README.md"] {
        copy(&source.join(part), &dir.join(part));
    }
    let manifest = strip_sections(&manifest, &["[dev-dependencies]"])
        .replace("name = \"pipecat-cloud\"\npath", &format!("name = \"pipecat-cloud-{i}\"\npath"));
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
}

/// `manifest` without the sections whose headers are listed (tests and examples are not built here).
fn strip_sections(manifest: &str, headers: &[&str]) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in manifest.lines() {
        if line.starts_with('[') {
            skipping = headers.contains(&line.trim());
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn copy(from: &Path, to: &Path) {
    if from.is_dir() {
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            copy(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, to).unwrap();
    }
}
