//! Accepted means it builds: mutants of the whole spec, of the classes a vendor's next spec plausibly
//! brings (`mutate::WORKSPACE`), go through `cargo spec check` (with the assumptions of the hand-written
//! code); each refusal must be located, and the accepted ones are built with a copy of everything in the
//! workspace that depends on the spec: the generated crate, the whole wrapper with `mock`, the
//! emulator, whose build script reads the spec, and the CLI (`compile::build_workspace`).
//!
//! Each run takes one accepted mutant of every class, from the run's seed (the commit's, see
//! [`super::seed`]), so each commit builds another sample and every class is in each. The mutations of
//! the sample are applied together to one spec, which is built once, with a schema nested exactly to
//! the depth bound; a mutation that the others make refused is built alone. A mutant that adds or
//! removes an operation cannot build the workspace, on purpose: the emulator's, the CLI's and the tests'
//! operation tables are exhaustive matches. It is checked to fail exactly there: the wrapper and the
//! generated crate build, and every compiler error names the operation.
//!
//! `SPEC_FUZZ_BUILDS=N` builds N accepted mutants instead, each alone (the whole set the seed gives,
//! class after class), as this test did before sampling.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::time::Instant;

use build_helpers::pipeline::check;
use serde_json::Value;

use super::compile::{Subject, build_workspace, check_operation_tables};
use super::mutate::{Mutation, WORKSPACE, stacked_mutant, workspace_mutant};
use super::nesting::{base, nested};
use super::{fuzz_dir, panic_text, say, unlocated};

/// Mutants tried per class for one that check accepts: most classes are accepted more often than not.
const ATTEMPTS_PER_CLASS: usize = 8;

enum Verdict {
    Accepted { generated: String },
    Refused,
    Failed(String),
}

/// One mutant checked.
struct Checked {
    index: usize,
    class: &'static str,
    mutation: Mutation,
    what: String,
    spec: Vec<u8>,
    extension: &'static str,
    verdict: Verdict,
}

fn rng_for(seed: u64, index: usize) -> fastrand::Rng {
    fastrand::Rng::with_seed(seed.wrapping_add(index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5eed)
}

/// Checks the mutant `index` of `class` (its rng from the seed and the index), written into `dir`.
fn check_mutant(dir: &Path, seed: u64, index: usize, class: &'static str, mutation: Mutation, base: &Value) -> Checked {
    let mutant = workspace_mutant(mutation, base, &mut rng_for(seed, index));
    let verdict = check_file(dir, &format!("mutant-{index}"), &mutant.bytes, mutant.extension);
    Checked { index, class, mutation, what: mutant.what, spec: mutant.bytes, extension: mutant.extension, verdict }
}

fn check_file(dir: &Path, stem: &str, bytes: &[u8], extension: &str) -> Verdict {
    let file = dir.join(format!("{stem}.{extension}"));
    std::fs::write(&file, bytes).unwrap();
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
    match run_on_big_stack(move || {
        std::panic::catch_unwind(AssertUnwindSafe(|| check(&file).map(|c| c.generated.file())))
    }) {
        Ok(Ok(generated)) => Verdict::Accepted { generated },
        Ok(Err(error)) => match unlocated(&error.to_string(), &name) {
            None => Verdict::Refused,
            Some(why) => Verdict::Failed(format!("refused without a place ({why}): {error}")),
        },
        Err(panic) => Verdict::Failed(format!("panicked: {}", panic_text(panic.as_ref()))),
    }
}

/// The operationIds of the spec in `bytes` (YAML or JSON).
fn operation_ids(bytes: &[u8]) -> BTreeSet<String> {
    let doc: Value = serde_yaml::from_slice(bytes).unwrap_or(Value::Null);
    doc.get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|paths| paths.values())
        .filter_map(Value::as_object)
        .flat_map(|item| item.values())
        .filter_map(|op| op.get("operationId").and_then(Value::as_str).map(str::to_string))
        .collect()
}

#[test]
fn accepted_mutants_of_the_whole_spec_build_the_workspace() {
    let seed = super::seed();
    let separately: Option<usize> = std::env::var("SPEC_FUZZ_BUILDS").ok().and_then(|s| s.parse().ok());
    let started = Instant::now();
    let base = base();
    let base_bytes = serde_json::to_vec(&base).unwrap();
    let base_ops = operation_ids(&base_bytes);
    let dir = fuzz_dir().join(format!("workspace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let wanted = separately.unwrap_or(usize::MAX);
    say(&format!(
        "spec fuzz (workspace): seed {seed}, {} (repeat with SPEC_FUZZ_SEED={seed})",
        match separately {
            Some(n) => format!("{n} accepted mutants, each built alone"),
            None => format!("an accepted mutant of each of the {} classes, built together", WORKSPACE.len()),
        }
    ));

    // Class after class, mutants until one is accepted (or the class's attempts are spent: some classes
    // are refused by design, and their refusals are checked for a place all the same), until `wanted`
    // are accepted or every class had its turn.
    let mut checked: Vec<Checked> = Vec::new();
    let mut accepted = 0;
    let mut index = 0;
    let turns = if separately.is_some() { wanted * ATTEMPTS_PER_CLASS } else { WORKSPACE.len() };
    for turn in 0..turns {
        if accepted >= wanted {
            break;
        }
        let (class, mutation) = WORKSPACE[turn % WORKSPACE.len()];
        for _ in 0..ATTEMPTS_PER_CLASS {
            let case = check_mutant(&dir, seed, index, class, mutation, &base);
            index += 1;
            let hit = matches!(case.verdict, Verdict::Accepted { .. });
            checked.push(case);
            if hit {
                accepted += 1;
                break;
            }
        }
    }
    let mut per_class: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    for case in &checked {
        let slot = match case.verdict {
            Verdict::Accepted { .. } => 0,
            Verdict::Refused => 1,
            Verdict::Failed(_) => 2,
        };
        per_class.entry(case.class).or_default()[slot] += 1;
    }
    say(&format!("spec fuzz (workspace): {} mutants checked in {:.1?}", checked.len(), started.elapsed()));
    say("  class                        accepted  refused  failed");
    for (class, [accepted, refused, failed]) in &per_class {
        say(&format!("  {class:<27}  {accepted:>8}  {refused:>7}  {failed:>6}"));
    }
    let failures: Vec<String> = checked
        .iter()
        .filter_map(|case| match &case.verdict {
            Verdict::Failed(why) => Some(format!("mutant {} ({}: {}): {why}", case.index, case.class, case.what)),
            _ => None,
        })
        .collect();
    assert!(failures.is_empty(), "seed {seed}: {} failing mutants:\n{}", failures.len(), failures.join("\n"));
    if separately.is_some() {
        assert!(accepted >= wanted, "seed {seed}: only {accepted} of {wanted} mutants were accepted");
    }

    // Mutants that add or remove an operation are built on their own, to fail in the operation tables.
    let (changing, keeping): (Vec<&Checked>, Vec<&Checked>) = checked
        .iter()
        .filter(|c| matches!(c.verdict, Verdict::Accepted { .. }))
        .partition(|c| operation_ids(&c.spec) != base_ops);

    // One schema nested exactly to the bound: getService's answer (1) holds `nested` objects down to a
    // string (1).
    let at_bound = nested(base.clone(), build_helpers::validate::MAX_SCHEMA_DEPTH - 2);
    let mut owned: Vec<(String, String, Vec<u8>, &'static str)> = Vec::new();
    let mut alone: Vec<&Checked> = Vec::new();
    if separately.is_some() {
        let bound_spec = serde_json::to_vec_pretty(&at_bound).unwrap();
        let Verdict::Accepted { generated } = check_file(&dir, "at-the-depth-bound", &bound_spec, "json") else {
            panic!("a schema nested to the bound is refused")
        };
        let label = format!("a schema nested {} levels deep (the bound)", build_helpers::validate::MAX_SCHEMA_DEPTH);
        owned.push((label, generated, bound_spec, "json"));
        alone.extend(keeping.iter().copied());
    } else {
        // The sample's mutations on one spec (the depth bound's too), each with the rng it was accepted
        // with, added one at a time: one that the ones before make refused is built alone instead.
        let mut stack: Vec<&Checked> = Vec::new();
        let mut stacked = None;
        for case in keeping.iter().copied() {
            let mutations: Vec<(Mutation, fastrand::Rng)> =
                stack.iter().chain([&case]).map(|c| (c.mutation, rng_for(seed, c.index))).collect();
            let (what, bytes) = stacked_mutant(&at_bound, mutations);
            match check_file(&dir, "stacked", &bytes, "json") {
                Verdict::Accepted { generated } => {
                    stack.push(case);
                    stacked = Some((what, generated, bytes));
                }
                Verdict::Refused => alone.push(case),
                Verdict::Failed(why) => panic!("seed {seed}: the stacked mutants fail: {why}"),
            }
        }
        let (what, generated, bytes) = match stacked {
            Some(stacked) => stacked,
            None => {
                let bytes = serde_json::to_vec_pretty(&at_bound).unwrap();
                let Verdict::Accepted { generated } = check_file(&dir, "at-the-depth-bound", &bytes, "json") else {
                    panic!("a schema nested to the bound is refused")
                };
                ("the depth bound alone".to_string(), generated, bytes)
            }
        };
        say(&format!("spec fuzz (workspace): {} mutations stacked on the depth bound: {what}", stack.len()));
        let label = format!(
            "the sample stacked on a schema nested {} levels deep (the bound): {}",
            build_helpers::validate::MAX_SCHEMA_DEPTH,
            stack.iter().map(|c| format!("{} ({})", c.class, c.what)).collect::<Vec<_>>().join("; ")
        );
        owned.push((label, generated, bytes, "json"));
    }
    let mut subjects: Vec<Subject<'_>> = owned
        .iter()
        .map(|(label, generated, spec, extension)| Subject {
            label: label.clone(),
            generated,
            spec: Some((spec, extension)),
        })
        .collect();
    for case in &alone {
        let Verdict::Accepted { generated } = &case.verdict else { continue };
        subjects.push(Subject {
            label: format!("mutant {} ({}: {})", case.index, case.class, case.what),
            generated,
            spec: Some((&case.spec, case.extension)),
        });
    }
    let build_started = Instant::now();
    if let Err(broken) = build_workspace(&fuzz_dir().join("build"), &subjects) {
        panic!("seed {seed}: accepted mutants with which the workspace does not build:\n{broken}");
    }
    say(&format!(
        "spec fuzz (workspace): {} copies of the workspace ({} mutants and the depth bound) built in {:.1?}; 0 failed",
        subjects.len(),
        keeping.len(),
        build_started.elapsed()
    ));

    let table_started = Instant::now();
    for case in &changing {
        let Verdict::Accepted { generated } = &case.verdict else { continue };
        let ops = operation_ids(&case.spec);
        let changed: Vec<&String> = ops.symmetric_difference(&base_ops).collect();
        let subject = Subject {
            label: format!("mutant {} ({}: {})", case.index, case.class, case.what),
            generated,
            spec: Some((&case.spec, case.extension)),
        };
        let errors = check_operation_tables(&fuzz_dir().join("tables"), &subject, &changed)
            .unwrap_or_else(|why| panic!("seed {seed}: {}: {why}", subject.label));
        say(&format!(
            "spec fuzz (workspace): {} ({changed:?}): the SDK builds; {} compiler error(s), each naming it:",
            subject.label,
            errors.len()
        ));
        for error in errors.iter().take(6) {
            say(&format!("    {error}"));
        }
    }
    if !changing.is_empty() {
        say(&format!("spec fuzz (workspace): operation tables checked in {:.1?}", table_started.elapsed()));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn run_on_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(8 << 20).spawn(f).expect("a thread").join().expect("no panic")
}
