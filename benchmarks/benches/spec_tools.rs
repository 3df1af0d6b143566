//! `cargo spec diff` and `cargo spec generate` on the full spec, as library calls.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use build_helpers::diff::{diff_documents, load_side};
use build_helpers::generate::generate_client;
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
    criterion.bench_function("spec diff: full spec against itself (load, normalize, compare)", |b| {
        b.iter(|| {
            let base = load_side(&spec).unwrap_or_default();
            let new = load_side(&spec).unwrap_or_default();
            black_box(diff_documents(&base, &new).len())
        })
    });
    criterion.bench_function("spec generate: full spec (load, normalize, validate, progenitor, format)", |b| {
        b.iter(|| {
            let prepared = prepare(Path::new(&spec)).unwrap_or_else(|e| panic!("{e}"));
            black_box(generate_client(&prepared.normalized.document).map(|code| code.len()).unwrap_or_default())
        })
    });
    criterion.final_summary();
}
