//! The README's tour ("Try it, with no account"), run as written: each `$` command in one shell (so the
//! `eval` of `emulator start` carries to the commands after it), its output compared with the lines the
//! README shows under it by snapbox (`[..]` for an id or a time within a line, `...` for lines a run
//! prints differently, such as the phases a wait happens to see).

use std::path::Path;

use snapbox::IntoData;

/// The tour's commands, each with the output the README shows for it.
fn tour() -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md")).unwrap();
    let section = readme.split("## Try it, with no account").nth(1).expect("the README has its tour");
    let block = section.split("```console\n").nth(1).and_then(|b| b.split("\n```").next()).expect("a console block");
    let mut steps: Vec<(String, String)> = Vec::new();
    for line in block.lines() {
        match (line.strip_prefix("$ "), steps.last_mut()) {
            (Some(command), _) => steps.push((command.to_string(), String::new())),
            (None, Some((_, expected))) => {
                expected.push_str(line);
                expected.push('\n');
            }
            (None, None) => panic!("the tour's block starts with output: {line}"),
        }
    }
    steps
}

#[test]
fn the_readme_tour_prints_what_the_readme_shows() {
    let steps = tour();
    assert!(steps.len() >= 5, "the tour has its steps: {steps:?}");
    let binary = Path::new(env!("CARGO_BIN_EXE_pipecat-cloud"));
    let config = super::config_dir("readme-tour");
    // One shell for the whole tour; a marker before each command splits what it printed.
    let mut script = String::from("set -u\nexec 2>&1\n");
    for (n, (command, _)) in steps.iter().enumerate() {
        script.push_str(&format!("echo '@@@ {n}'\n{command} 2>&1\n"));
    }
    // The emulator the tour starts is stopped even if a step fails.
    script.push_str("pipecat-cloud emulator stop > /dev/null 2>&1\n");
    let path = format!("{}:{}", binary.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(&script)
        .env("PATH", path)
        .env("PIPECAT_CONFIG_DIR", &config)
        // What a person sees in a terminal (the tables), on a free port (the README's `[..]`).
        .env("PIPECAT_OUTPUT", "table")
        .env("PIPECAT_EMULATOR_PORT", "0")
        .env_remove("PIPECAT_API_KEY")
        .env_remove("PIPECAT_DEFAULT_PUBLIC_KEY")
        .env_remove("PIPECAT_API_HOST")
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut parts = printed.split("@@@ ").skip(1);
    for (n, (command, expected)) in steps.iter().enumerate() {
        let part = parts.next().unwrap_or_else(|| panic!("step {n} (`{command}`) printed nothing:\n{printed}"));
        let actual = part.split_once('\n').map_or("", |(_, rest)| rest);
        snapbox::Assert::new()
            .try_eq(Some(&format!("`{command}`")), actual.into_data(), expected.clone().into_data())
            .unwrap_or_else(|error| panic!("the README's tour, step {n}: `{command}`:\n{error}"));
    }
    let _ = std::fs::remove_dir_all(config);
    pipecat_cloud_tests::report(&format!(
        "the README's tour: {} commands, each printed what the README shows",
        steps.len()
    ));
}
