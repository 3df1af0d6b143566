//! `cargo spec diff` and `cargo spec generate` on the full spec, as library calls.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use build_helpers::diff::{diff_documents, load_side};
use build_helpers::generate::generate;
use build_helpers::pipeline::prepare;
use criterion::Criterion;

fn main() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("openapi");
    let spec = spec.to_str().unwrap_or("openapi").to_string();
    let mut criterion = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    criterion.bench_function(
        "spec diff: full spec against itself (the whole pipeline on each side, then compare)",
        |b| {
            b.iter(|| {
                // What is timed must have succeeded: a failure stops the benchmark.
                let base = load_side(&spec).unwrap_or_else(|e| panic!("{e}"));
                let new = load_side(&spec).unwrap_or_else(|e| panic!("{e}"));
                let changes = diff_documents(&base, &new);
                assert!(changes.is_empty(), "the spec differs from itself: {} changes", changes.len());
                black_box(changes.len())
            })
        },
    );
    criterion.bench_function("spec generate: full spec (load, normalize, validate, progenitor, format)", |b| {
        b.iter(|| {
            let prepared = prepare(Path::new(&spec)).unwrap_or_else(|e| panic!("{e}"));
            let code = generate(&prepared.normalized.document).unwrap_or_else(|e| panic!("{e}")).file();
            assert!(code.contains("macro_rules! __pipecat_cloud_facade"), "the generated code has no facade");
            black_box(code.len())
        })
    });
    criterion.final_summary();
}
