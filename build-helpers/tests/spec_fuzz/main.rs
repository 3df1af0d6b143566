//! Mutated copies of our spec through load, check, generate and diff. Every mutant must end in success
//! or in a refusal that names the file and a place in it (a JSON pointer or line:column); a panic, an
//! abort or a case slower than ten seconds fails the run. The first accepted mutant of each class is
//! compiled, all in one workspace, to show that what the generator accepts compiles
//! (`SPEC_FUZZ_COMPILE=N` compiles N spread over all accepted ones); `workspace_build.rs` builds the
//! whole workspace with accepted mutants of the whole spec, to show that what `check` accepts builds.
//!
//! Seeded by the commit (each commit tries other mutants; see [`seed`]): the seed is printed first
//! (`SPEC_FUZZ_SEED=N` repeats a run; `SPEC_FUZZ_CASES=N` sets the number of cases). The mutant being run is kept in `target/spec-fuzz/current-*.{yaml,json}` so that
//! even a stack overflow, which aborts the process, leaves its reproduction behind; a failing mutant is
//! kept in `target/spec-fuzz/failures/`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod compile;
mod headers;
mod mutate;
mod nesting;
mod regressions;
mod workspace_build;

use std::collections::BTreeMap;
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use build_helpers::diff::{diff_documents, load_side};
use build_helpers::normalize::normalize;
use build_helpers::pipeline::prepare_and_generate as check;
use serde_json::Value;

const DEFAULT_CASES: usize = 520;
const CASE_LIMIT: Duration = Duration::from_secs(10);
/// A case still running after this long is taken to hang; the watchdog ends the run.
const HANG_LIMIT: Duration = Duration::from_secs(30);
const WORKERS: usize = 2;

/// Writes straight to stderr, past the test harness's capture, so it shows even if the process aborts.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn fuzz_dir() -> PathBuf {
    workspace().join("target").join("spec-fuzz")
}

/// `SPEC_FUZZ_SEED`, else the commit's (its hash, so each commit tries other mutants and a run of one
/// commit repeats), else one from the clock outside a git checkout: each run prints it, to be repeated.
fn seed() -> u64 {
    if let Some(seed) = std::env::var("SPEC_FUZZ_SEED").ok().and_then(|s| s.parse::<u64>().ok()) {
        return seed;
    }
    let head = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(workspace())
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| u64::from_str_radix(String::from_utf8_lossy(&out.stdout).get(..16)?, 16).ok());
    head.unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
    })
}

/// How one case ended.
enum Outcome {
    Accepted { generated: String },
    Refused,
    Failed(String),
}

/// The case a worker runs: its index, its class and since when.
type Running = (usize, &'static str, Instant);

struct Case {
    index: usize,
    class: &'static str,
    what: String,
    outcome: Outcome,
    took: Duration,
}

#[test]
fn every_mutant_is_generated_or_refused_with_a_place() {
    let seed = seed();
    let cases = std::env::var("SPEC_FUZZ_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(DEFAULT_CASES);
    say(&format!("spec fuzz: seed {seed}, {cases} cases (repeat with SPEC_FUZZ_SEED={seed})"));
    let started = Instant::now();
    let base: Value =
        serde_yaml::from_str(&std::fs::read_to_string(workspace().join("openapi").join("pipecat-cloud.yaml")).unwrap())
            .unwrap();
    let base_normalized = normalize(base.clone()).unwrap().document;
    let run_dir = fuzz_dir().join(format!("run-{}", std::process::id()));
    std::fs::create_dir_all(&run_dir).unwrap();
    let classes = mutate::classes();
    let next = Mutex::new(0usize);
    let results: Mutex<Vec<Case>> = Mutex::new(Vec::new());
    let running: Mutex<Vec<Option<Running>>> = Mutex::new(vec![None; WORKERS]);
    let finished = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        // A case that hangs never returns to be timed: the watchdog ends the run, naming it.
        let (watched, done) = (&running, &finished);
        scope.spawn(move || {
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                for (index, class, since) in watched.lock().unwrap().iter().flatten() {
                    if since.elapsed() > HANG_LIMIT {
                        say(&format!(
                            "spec fuzz: seed {seed}: case {index} ({class}) has run for {:?}: it hangs; \
                             its mutant is target/spec-fuzz/current-*",
                            since.elapsed()
                        ));
                        std::process::exit(1);
                    }
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        });
        let mut workers = Vec::new();
        for worker in 0..WORKERS {
            let (next, results, base, classes, run_dir) = (&next, &results, &base, &classes, &run_dir);
            let (base_normalized, running) = (&base_normalized, &running);
            // A build script's main thread has 8 MiB of stack, the test harness's threads 2: the pipeline
            // runs here as it does there.
            let builder = std::thread::Builder::new().stack_size(8 << 20);
            workers.push(
                builder
                    .spawn_scoped(scope, move || {
                        loop {
                            let index = {
                                let mut next = next.lock().unwrap();
                                *next += 1;
                                *next - 1
                            };
                            if index >= cases {
                                break;
                            }
                            let class = classes[index % classes.len()];
                            let mut rng = fastrand::Rng::with_seed(
                                seed.wrapping_add(index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15),
                            );
                            let mutant = mutate::mutant(class, base, &mut rng);
                            let file = run_dir.join(format!("case-{index}.{}", mutant.extension));
                            std::fs::write(&file, &mutant.bytes).unwrap();
                            let current = fuzz_dir().join(format!("current-{worker}.{}", mutant.extension));
                            std::fs::write(&current, &mutant.bytes).unwrap();
                            let start = Instant::now();
                            running.lock().unwrap()[worker] = Some((index, class, start));
                            let outcome = catch_unwind(AssertUnwindSafe(|| run_case(&file, base_normalized)))
                                .unwrap_or_else(|panic| {
                                    Outcome::Failed(format!("panicked: {}", panic_text(panic.as_ref())))
                                });
                            let took = start.elapsed();
                            running.lock().unwrap()[worker] = None;
                            let outcome = match outcome {
                                _ if took > CASE_LIMIT => {
                                    Outcome::Failed(format!("took {took:?}, over {CASE_LIMIT:?}"))
                                }
                                other => other,
                            };
                            if !matches!(outcome, Outcome::Accepted { .. }) || mutant.bytes.len() > 1 << 20 {
                                let _ = std::fs::remove_file(&file);
                            }
                            if let Outcome::Failed(_) = &outcome {
                                let kept = fuzz_dir()
                                    .join("failures")
                                    .join(format!("seed-{seed}-case-{index}.{}", mutant.extension));
                                std::fs::create_dir_all(kept.parent().unwrap()).unwrap();
                                std::fs::write(&kept, &mutant.bytes).unwrap();
                            }
                            results.lock().unwrap().push(Case { index, class, what: mutant.what, outcome, took });
                        }
                    })
                    .expect("a worker thread"),
            );
        }
        for worker in workers {
            let _ = worker.join();
        }
        finished.store(true, std::sync::atomic::Ordering::SeqCst);
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|case| case.index);

    let mut per_class: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    for case in &results {
        let slot = match case.outcome {
            Outcome::Accepted { .. } => 0,
            Outcome::Refused => 1,
            Outcome::Failed(_) => 2,
        };
        per_class.entry(case.class).or_default()[slot] += 1;
    }
    let slowest = results.iter().max_by_key(|c| c.took).map(|c| (c.index, c.class, c.took));
    say(&format!("spec fuzz: {} cases in {:.1?}; slowest {slowest:?}", results.len(), started.elapsed()));
    say("  class                        accepted  refused  failed");
    for (class, [accepted, refused, failed]) in &per_class {
        say(&format!("  {class:<27}  {accepted:>8}  {refused:>7}  {failed:>6}"));
    }
    let failures: Vec<String> = results
        .iter()
        .filter_map(|case| match &case.outcome {
            Outcome::Failed(why) => Some(format!(
                "case {} ({}: {}): {why}\n    kept as target/spec-fuzz/failures/seed-{seed}-case-{}.*",
                case.index, case.class, case.what, case.index
            )),
            _ => None,
        })
        .collect();
    assert!(failures.is_empty(), "seed {seed}: {} failing mutants:\n{}", failures.len(), failures.join("\n"));

    let accepted: Vec<(String, &str)> = results
        .iter()
        .filter_map(|case| match &case.outcome {
            Outcome::Accepted { generated } => {
                Some((format!("case {} ({}: {})", case.index, case.class, case.what), generated.as_str()))
            }
            _ => None,
        })
        .collect();
    // The first accepted mutant of each class (`SPEC_FUZZ_COMPILE=N`: N spread over all of them).
    let sample: Vec<(String, &str)> = match std::env::var("SPEC_FUZZ_COMPILE").ok().and_then(|n| n.parse().ok()) {
        Some(wanted) => {
            let wanted: usize = wanted;
            accepted.iter().step_by((accepted.len() / wanted.max(1)).max(1)).take(wanted).cloned().collect()
        }
        None => {
            let mut seen = std::collections::BTreeSet::new();
            results
                .iter()
                .filter_map(|case| match &case.outcome {
                    Outcome::Accepted { generated } if seen.insert(case.class) => {
                        Some((format!("case {} ({}: {})", case.index, case.class, case.what), generated.as_str()))
                    }
                    _ => None,
                })
                .collect()
        }
    };
    let compile_started = Instant::now();
    let compile_dir = fuzz_dir().join("compile");
    let subjects: Vec<compile::Subject<'_>> = sample
        .iter()
        .map(|(label, code)| compile::Subject { label: label.clone(), generated: code, spec: None })
        .collect();
    if let Err(broken) = compile::compile_generated(&compile_dir, &subjects) {
        panic!("seed {seed}: accepted mutants that do not compile:\n{broken}");
    }
    say(&format!(
        "spec fuzz: {} of {} accepted mutants compiled in {:.1?}",
        sample.len(),
        accepted.len(),
        compile_started.elapsed()
    ));
    let _ = std::fs::remove_dir_all(&run_dir);
    let _ = std::fs::remove_dir_all(&compile_dir);
}

/// Load, check and generate, then diff against the unmutated spec; the outcome, with every refusal checked
/// for a place.
fn run_case(file: &Path, base: &Value) -> Outcome {
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
    let checked = check(file);
    if std::env::var_os("SPEC_FUZZ_VERBOSE").is_some() {
        let verdict = checked.as_ref().err().map(ToString::to_string).unwrap_or_else(|| "accepted".into());
        say(&format!("{name}: {}", verdict.chars().take(300).collect::<String>()));
    }
    let diffed = load_side(file.to_str().unwrap_or_default());
    match (checked, diffed) {
        (Ok(checked), Ok(new)) => {
            let _ = diff_documents(base, &new);
            Outcome::Accepted { generated: checked.generated.file() }
        }
        (Err(error), Err(diff_error)) => {
            let message = error.to_string();
            let diff_message = diff_error.to_string();
            match (unlocated(&message, &name), unlocated(&diff_message, &name)) {
                (None, None) => Outcome::Refused,
                (Some(why), _) => Outcome::Failed(format!("check refused without a place ({why}): {message}")),
                (_, Some(why)) => Outcome::Failed(format!("diff refused without a place ({why}): {diff_message}")),
            }
        }
        (Ok(_), Err(e)) => Outcome::Failed(format!("check accepts but diff refuses: {e}")),
        (Err(e), Ok(_)) => Outcome::Failed(format!("diff accepts what check refuses: {e}")),
    }
}

/// Why `message` does not locate the problem, if it does not. It must start with the file, then either
/// `:LINE:COLUMN:` or `: PLACE: ...` where PLACE is a JSON pointer (`#/...`, `#` for the whole document)
/// or an operation named with its pointer: a pointer in the advice further on does not count. A list of
/// problems must locate each one.
fn unlocated(message: &str, file: &str) -> Option<&'static str> {
    let Some(at) = message.find(file) else { return Some("no file name") };
    let rest = &message[at + file.len()..];
    if let Some(place) = rest.strip_prefix(':') {
        let mut parts = place.splitn(3, ':');
        let line = parts.next().and_then(|l| l.parse::<usize>().ok());
        let column = parts.next().and_then(|c| c.parse::<usize>().ok());
        if line.is_some_and(|l| l > 0) && column.is_some() {
            return None;
        }
    }
    let Some(body) = rest.strip_prefix(": ") else { return Some("no place after the file name") };
    let first_line = body.lines().next().unwrap_or_default();
    if first_line.ends_with(" problems in the spec:") {
        let bullets: Vec<&str> = body.lines().filter_map(|l| l.strip_prefix("  - ")).collect();
        return if !bullets.is_empty() && bullets.iter().all(|b| locates(b)) {
            None
        } else {
            Some("a problem in the list without a place")
        };
    }
    if locates(body) { None } else { Some("no JSON pointer or line:column where the message starts") }
}

/// Whether `text` starts with a place: its first clause (up to `: `) holds a JSON pointer. Errors that
/// name their stage first (`code generation failed: `, `normalization pass `x`: `) are read after it.
fn locates(text: &str) -> bool {
    let text = text.strip_prefix("code generation failed: ").unwrap_or(text);
    let text = match text.strip_prefix("normalization pass `") {
        Some(rest) => rest.split_once("`: ").map_or(rest, |(_, message)| message),
        None => text,
    };
    let head = text.split(": ").next().unwrap_or_default();
    head == "#" || head.contains("#/")
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}
