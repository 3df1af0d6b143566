//! `emulator parity`, without an account: the "reference" is a second emulator. Against one with the
//! same rules the run finds nothing; against one with two rules changed it names exactly the two steps
//! they change; its recordings pass the conformance tests' checks and replay through the SDK, and
//! `--replay` compares the emulator with them.

use std::path::Path;

use pipecat_cloud_emulator::{CapacityAnswer, Emulator, Fault, ImageRule, Progression};
use pipecat_cloud_tests::conformance;
use pipecat_cloud_tests::recording::load_all;
use pipecat_cloud_tests::replay::replay;

use super::*;

/// The image the kit's own emulator fails: the reference's rule for it is what a test changes.
const UNPULLABLE: &str = "registry.invalid/pipecat-parity/missing:0";

/// A second emulator playing the account: `same_rules` as the kit's own (the unpullable image fails,
/// the capacity answer is the default), or with those two rules changed.
async fn reference(same_rules: bool) -> Emulator {
    let builder = Emulator::builder().progression(Progression::AfterPolls { polls: 1 });
    if same_rules {
        builder.fail_image(ImageRule::new(UNPULLABLE, "PCC_IMAGE_NOT_FOUND").unwrap()).start().await.unwrap()
    } else {
        builder.capacity_answer(CapacityAnswer::AtCapacityCode).start().await.unwrap()
    }
}

async fn parity(reference: &Emulator, name: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "--api-key",
        reference.private_key(),
        "--public-key",
        reference.public_key(),
        "emulator",
        "parity",
        "--image",
        "acme/bot:1",
        "--interval",
        "0.01",
        "--timeout",
        "30",
    ];
    args.extend_from_slice(extra);
    launch(&reference.host(), name, &args, &[], None, None).await
}

/// The rows of a text report that differ, by step number and name.
fn differing(report: &str) -> Vec<String> {
    report
        .lines()
        .filter(|line| line.contains("differs:"))
        .map(|line| line.split("differs:").next().unwrap_or_default().trim().to_string())
        .collect()
}

/// Nothing the run created is left on the reference.
async fn nothing_left(reference: &Emulator) {
    let client = reference.client();
    let agents = client.list_services().await.unwrap();
    assert!(agents.services.is_empty(), "agents left: {:?}", agents.services);
    let sets = client.list_secret_sets().await.unwrap();
    assert!(sets.sets.is_empty(), "sets left: {:?}", sets.sets);
    let snapshot = reference.snapshot();
    let running: Vec<_> = snapshot.orphans.iter().filter(|o| o.session.ended_at.is_none()).collect();
    assert!(running.is_empty(), "sessions left running: {running:?}");
}

fn no_key_in(reference: &Emulator, texts: &[&str]) {
    for text in texts {
        for key in [reference.private_key(), reference.public_key()] {
            assert!(!text.contains(key), "a key was printed:\n{text}");
        }
        // The secret's value is `parity-` and 16 hex digits; names have 6 and a dash.
        let secret_value = text.match_indices("parity-").any(|(at, _)| {
            let rest = &text[at + "parity-".len()..];
            rest.len() >= 16 && rest[..16].chars().all(|c| c.is_ascii_hexdigit())
        });
        assert!(!secret_value, "a secret value was written:\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn against_an_identical_emulator_nothing_differs() {
    let reference = reference(true).await;
    let run = parity(&reference, "parity-same", &["--yes"]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.stdout.lines().filter(|l| l.ends_with("  same")).count(), 21, "{}", run.stdout);
    assert!(differing(&run.stdout).is_empty(), "{}", run.stdout);
    println!("{}", run.stdout);
    nothing_left(&reference).await;
    no_key_in(&reference, &[&run.stdout, &run.stderr]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn against_an_emulator_with_two_rules_changed_it_names_both_and_nothing_else() {
    let reference = reference(false).await;
    let dir = config_dir("parity-record").join("recordings");
    let run = parity(&reference, "parity-changed", &["--yes", "--record", dir.to_str().unwrap()]).await;
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    println!("{}", run.stdout);
    assert_eq!(
        differing(&run.stdout),
        ["6  wait until the failed deployment is reconciled", "8  start one past maxAgents"],
        "{}",
        run.stdout
    );
    let row = |n: &str| run.stdout.lines().find(|l| l.trim_start().starts_with(n)).unwrap_or_default().to_string();
    assert!(
        row("6 ").contains("states Validating → Active on the reference, Validating → Failed on the emulator"),
        "{}",
        row("6 ")
    );
    assert!(row("8 ").contains("code PCC-AGENT-AT-CAPACITY on the reference, 429 on the emulator"), "{}", row("8 "));
    assert!(run.stderr.contains("2 of 21 steps differ"), "{}", run.stderr);
    nothing_left(&reference).await;
    no_key_in(&reference, &[&run.stdout, &run.stderr]);

    // The recordings: scrubbed, sourced, and accepted by the conformance tests with the repository's own.
    let recorded = load_all(&dir).unwrap();
    assert_eq!(recorded.len(), 20, "every step but the bad name, which the SDK refuses to send");
    let capacity = recorded.iter().find(|r| r.case.as_deref() == Some("parity-start-one-past-maxagents")).unwrap();
    assert!(capacity.recording.beyond_spec, "the spec documents no 429 for a start");
    println!("{}", std::fs::read_to_string(&capacity.path).unwrap());
    for file in &recorded {
        let text = std::fs::read_to_string(&file.path).unwrap();
        no_key_in(&reference, &[&text]);
        assert!(!text.to_ascii_lowercase().contains("authorization"), "{text}");
        let source = file.recording.source.as_deref().unwrap_or_default();
        assert!(source.starts_with(&format!("recorded from {} on ", reference.host())), "{source}");
    }
    let secret_set = recorded.iter().find(|r| r.operation_id == "upsertSecretSet").unwrap();
    let sent = secret_set.recording.request.body.as_ref().unwrap();
    assert_eq!(sent["secrets"][0]["secretValue"], "<scrubbed>", "{sent}");
    let repository = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut all = load_all(&repository.join("tests/recordings")).unwrap();
    all.extend(recorded.iter().cloned());
    let checked = conformance::check(&repository.join("openapi"), &all).unwrap();
    assert!(checked.problems.is_empty(), "{}", checked.problems.join("\n"));
    for file in &recorded {
        replay(file, None).await.unwrap_or_else(|problem| panic!("{problem}"));
    }

    // The emulator against the recordings, without the reference: the capacity answer differs still; the
    // failed deployment's states are not recorded, its final answer differs by its revision's health.
    let replayed = launch(
        "http://127.0.0.1:9",
        "parity-replay",
        &["emulator", "parity", "--replay", dir.to_str().unwrap()],
        &[],
        None,
        None,
    )
    .await;
    assert_eq!(replayed.code, 1, "{}\n{}", replayed.stdout, replayed.stderr);
    assert_eq!(
        differing(&replayed.stdout),
        ["6  wait until the failed deployment is reconciled", "8  start one past maxAgents"],
        "{}",
        replayed.stdout
    );
    assert!(replayed.stdout.starts_with(&format!("recorded from {}", reference.host())), "{}", replayed.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_terminal_or_yes_nothing_is_created() {
    let reference = reference(true).await;
    let run = parity(&reference, "parity-no-yes", &[]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("pass --yes"), "{}", run.stderr);
    assert!(run.stderr.contains("it creates, then deletes at the end"), "says what it would create: {}", run.stderr);
    assert!(reference.journal().is_empty(), "nothing was sent: {:?}", reference.journal());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupted_it_deletes_what_it_created() {
    let reference = reference(true).await;
    // Every request takes 100 ms: the run is still going when Ctrl-C comes.
    reference.fault(Fault::latency(std::time::Duration::from_millis(100)));
    let args = [
        "--api-key",
        reference.private_key(),
        "--public-key",
        reference.public_key(),
        "--host",
        &reference.host(),
        "emulator",
        "parity",
        "--image",
        "acme/bot:1",
        "--yes",
        "--interval",
        "0.01",
    ]
    .map(str::to_string);
    let config = config_dir("parity-interrupted");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_pipecat-cloud"))
        .args(&args)
        .env("PIPECAT_CONFIG_DIR", &config)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Once the agent exists on the reference, interrupt.
    for _ in 0..100 {
        if reference.journal().iter().any(|e| e.operation_id.as_deref() == Some("createService")) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let status = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    nothing_left(&reference).await;
    let _ = std::fs::remove_dir_all(config);
}

/// Recordings of a parity run someone with an account sent, once they are in `tests/recordings/`: the
/// emulator must answer as they do. Until then the replay says there are none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_answers_as_the_parity_recordings_in_the_repository_do() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/recordings");
    let recorded = load_all(&dir).unwrap();
    let from_parity = recorded.iter().filter(|r| r.case.as_deref().is_some_and(|c| c.starts_with("parity-"))).count();
    let replayed = launch(
        "http://127.0.0.1:9",
        "parity-repository",
        &["emulator", "parity", "--replay", dir.to_str().unwrap()],
        &[],
        None,
        None,
    )
    .await;
    if from_parity == 0 {
        assert_eq!(replayed.code, 2, "{}", replayed.stderr);
        assert!(replayed.stderr.contains("no recordings of a parity run"), "{}", replayed.stderr);
        pipecat_cloud_tests::report("parity recordings in tests/recordings: none yet");
    } else {
        assert_eq!(replayed.code, 0, "the emulator differs from the recorded service:\n{}", replayed.stdout);
        pipecat_cloud_tests::report(&format!("parity recordings in tests/recordings: {from_parity}, all matched"));
    }
}
