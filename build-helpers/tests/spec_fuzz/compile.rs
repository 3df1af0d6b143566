//! Compiles generated code in bulk: one workspace holding, per spec, a copy of the generated crate with
//! that spec's code and a copy of the wrapper that expands its facade, checked by one `cargo check`.

use std::path::Path;
use std::process::Command;

use super::workspace;

/// `cargo check`s every `(label, generated file)` in `dir`; on failure, the labels of the specs whose
/// code does not compile and the compiler's output.
pub fn compile_all(dir: &Path, specs: &[(String, &str)]) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(dir);
    let root = workspace();
    let mut members = Vec::new();
    for (i, (_, generated)) in specs.iter().enumerate() {
        let (generated_crate, wrapper) = (format!("gen{i}"), format!("wrap{i}"));
        write_generated_crate(&dir.join(&generated_crate), &generated_crate, generated);
        write_wrapper(&dir.join(&wrapper), &wrapper, &generated_crate);
        members.push(format!("\"{generated_crate}\", \"{wrapper}\""));
    }
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let start = manifest.find("members = [").unwrap();
    let end = start + manifest[start..].find(']').unwrap() + 1;
    let manifest = format!("{}members = [{}]{}", &manifest[..start], members.join(", "), &manifest[end..])
        .replace("path = \"", &format!("path = \"{}/", root.display()));
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let out = Command::new(env!("CARGO"))
        .args(["check", "--quiet", "--workspace", "--keep-going", "--message-format", "short"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", root.join("target").join("spec-fuzz").join("target"))
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let broken: Vec<String> = specs
        .iter()
        .enumerate()
        .filter(|(i, _)| stderr.contains(&format!("`gen{i}`")) || stderr.contains(&format!("`wrap{i}`")))
        .map(|(i, (label, _))| format!("  gen{i}/wrap{i}: {label}"))
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

/// The wrapper without `wait.rs`: its helpers call named operations (`getService`, `getBuild`) that a
/// mutant may lack; everything else in the wrapper is written for any operation.
fn write_wrapper(dir: &Path, name: &str, generated_crate: &str) {
    let source = workspace().join("pipecat-cloud");
    copy(&source.join("src"), &dir.join("src"));
    std::fs::remove_file(dir.join("src").join("wait.rs")).unwrap();
    let lib = std::fs::read_to_string(dir.join("src").join("lib.rs")).unwrap();
    assert!(lib.contains("\npub mod wait;\n"), "the wrapper's lib.rs no longer declares `pub mod wait;`");
    std::fs::write(dir.join("src").join("lib.rs"), lib.replace("\npub mod wait;\n", "\n")).unwrap();
    std::fs::copy(source.join("README.md"), dir.join("README.md")).unwrap();
    let manifest = std::fs::read_to_string(source.join("Cargo.toml")).unwrap();
    let manifest =
        manifest.replace("name = \"pipecat-cloud\"", &format!("name = \"{name}\"\npublish = false")).replace(
            "pipecat-cloud-generated.workspace = true",
            &format!(
                "pipecat-cloud-generated = {{ package = \"{generated_crate}\", path = \"../{generated_crate}\" }}"
            ),
        );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
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
