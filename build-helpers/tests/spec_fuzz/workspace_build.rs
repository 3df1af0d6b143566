//! Accepted means it builds: mutants of the whole spec, of the classes a vendor's next spec plausibly
//! brings (`mutate::WORKSPACE`), go through `cargo spec check` (with the assumptions of the hand-written
//! code); each refusal must be located, and the accepted ones, at least [`BUILDS`] of them plus one
//! schema nested exactly to the depth bound, are built with a copy of everything in the workspace that
//! depends on the spec: the generated crate, the wrapper with `wait.rs` and `mock`, the emulator, the
//! CLI (`compile::build_workspace`, `cargo build`).
//!
//! Seeded like the other fuzz test (`SPEC_FUZZ_SEED`); `SPEC_FUZZ_BUILDS=N` sets how many accepted
//! mutants are built.

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::sync::Mutex;
use std::time::Instant;

use build_helpers::pipeline::check;

use super::compile::{Subject, build_workspace};
use super::mutate::{WORKSPACE, workspace_mutant};
use super::nesting::{base, nested};
use super::{fuzz_dir, panic_text, say, unlocated};

/// Accepted mutants built per run.
const BUILDS: usize = 30;
/// Mutants tried per accepted one needed, at most: most classes are accepted more often than not.
const ATTEMPTS_PER_BUILD: usize = 8;

enum Verdict {
    Accepted { generated: String, spec: Vec<u8>, extension: &'static str },
    Refused,
    Failed(String),
}

#[test]
fn accepted_mutants_of_the_whole_spec_build_the_workspace() {
    let seed = super::seed();
    let wanted = std::env::var("SPEC_FUZZ_BUILDS").ok().and_then(|s| s.parse().ok()).unwrap_or(BUILDS);
    say(&format!("spec fuzz (workspace): seed {seed}, {wanted} accepted mutants to build"));
    let started = Instant::now();
    let base = base();
    let dir = fuzz_dir().join(format!("workspace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let next = Mutex::new(0usize);
    let results: Mutex<Vec<(usize, &'static str, String, Verdict)>> = Mutex::new(Vec::new());
    let accepted_count = Mutex::new(0usize);
    std::thread::scope(|scope| {
        for _ in 0..2 {
            let (next, results, accepted_count, base, dir) = (&next, &results, &accepted_count, &base, &dir);
            // The stack of a build script's main thread, where the pipeline runs for real.
            std::thread::Builder::new()
                .stack_size(8 << 20)
                .spawn_scoped(scope, move || {
                    loop {
                        let index = {
                            let mut next = next.lock().unwrap();
                            *next += 1;
                            *next - 1
                        };
                        if *accepted_count.lock().unwrap() >= wanted || index >= wanted * ATTEMPTS_PER_BUILD {
                            break;
                        }
                        let (class, mutation) = WORKSPACE[index % WORKSPACE.len()];
                        let mut rng = fastrand::Rng::with_seed(
                            seed.wrapping_add(index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5eed,
                        );
                        let mutant = workspace_mutant(mutation, base, &mut rng);
                        let file = dir.join(format!("mutant-{index}.{}", mutant.extension));
                        std::fs::write(&file, &mutant.bytes).unwrap();
                        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
                        let verdict = match std::panic::catch_unwind(AssertUnwindSafe(|| check(&file))) {
                            Ok(Ok(checked)) => {
                                *accepted_count.lock().unwrap() += 1;
                                Verdict::Accepted {
                                    generated: checked.generated.file(),
                                    spec: mutant.bytes,
                                    extension: mutant.extension,
                                }
                            }
                            Ok(Err(error)) => match unlocated(&error.to_string(), &name) {
                                None => Verdict::Refused,
                                Some(why) => Verdict::Failed(format!("refused without a place ({why}): {error}")),
                            },
                            Err(panic) => Verdict::Failed(format!("panicked: {}", panic_text(panic.as_ref()))),
                        };
                        results.lock().unwrap().push((index, class, mutant.what, verdict));
                    }
                })
                .expect("a worker thread");
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(index, ..)| *index);
    let mut per_class: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    for (_, class, _, verdict) in &results {
        let slot = match verdict {
            Verdict::Accepted { .. } => 0,
            Verdict::Refused => 1,
            Verdict::Failed(_) => 2,
        };
        per_class.entry(class).or_default()[slot] += 1;
    }
    say(&format!("spec fuzz (workspace): {} mutants checked in {:.1?}", results.len(), started.elapsed()));
    say("  class                        accepted  refused  failed");
    for (class, [accepted, refused, failed]) in &per_class {
        say(&format!("  {class:<27}  {accepted:>8}  {refused:>7}  {failed:>6}"));
    }
    let failures: Vec<String> = results
        .iter()
        .filter_map(|(index, class, what, verdict)| match verdict {
            Verdict::Failed(why) => Some(format!("mutant {index} ({class}: {what}): {why}")),
            _ => None,
        })
        .collect();
    assert!(failures.is_empty(), "seed {seed}: {} failing mutants:\n{}", failures.len(), failures.join("\n"));

    // One schema nested exactly to the bound: getService's answer (1) holds `nested` objects down to a
    // string (1).
    let at_bound = nested(base.clone(), build_helpers::validate::MAX_SCHEMA_DEPTH - 2);
    let bound_file = dir.join("at-the-depth-bound.json");
    let bound_spec = serde_json::to_vec_pretty(&at_bound).unwrap();
    std::fs::write(&bound_file, &bound_spec).unwrap();
    let bound_code =
        run_on_big_stack(move || check(&bound_file).map(|c| c.generated.file()).map_err(|e| e.to_string()))
            .unwrap_or_else(|e| panic!("a schema nested to the bound is refused: {e}"));
    let mut subjects = vec![Subject {
        label: format!("a schema nested {} levels deep (the bound)", build_helpers::validate::MAX_SCHEMA_DEPTH),
        generated: &bound_code,
        spec: Some((&bound_spec, "json")),
    }];
    subjects.extend(results.iter().filter_map(|(index, class, what, verdict)| match verdict {
        Verdict::Accepted { generated, spec, extension } => Some(Subject {
            label: format!("mutant {index} ({class}: {what})"),
            generated,
            spec: Some((spec, extension)),
        }),
        _ => None,
    }));
    let mutants = subjects.len() - 1;
    assert!(mutants >= wanted, "seed {seed}: only {mutants} of {wanted} mutants were accepted");
    let build_started = Instant::now();
    if let Err(broken) = build_workspace(&fuzz_dir().join("build"), &subjects) {
        panic!("seed {seed}: accepted mutants with which the workspace does not build:\n{broken}");
    }
    say(&format!(
        "spec fuzz (workspace): {mutants} accepted mutants and the depth bound built with the whole workspace in \
         {:.1?}; 0 failed",
        build_started.elapsed()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(fuzz_dir().join("build"));
}

fn run_on_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(8 << 20).spawn(f).expect("a thread").join().expect("no panic")
}
