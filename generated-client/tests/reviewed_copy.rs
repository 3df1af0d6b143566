//! The code `build.rs` generates, checked in as `generated/pipecat_cloud.rs` so that a spec bump or a
//! generator change is reviewed as code: this test fails when the copy differs from what the build
//! generated (and compiled) from the spec, and `UPDATE_GOLDEN=1` writes it anew. A reviewer reads the
//! copy's diff beside the spec's.

use std::path::Path;

/// What this build generated and compiled.
const GENERATED: &str = include_str!(concat!(env!("OUT_DIR"), "/pipecat_cloud.rs"));

#[test]
fn the_reviewed_copy_is_what_the_build_generates() {
    let copy = Path::new(env!("CARGO_MANIFEST_DIR")).join("generated").join("pipecat_cloud.rs");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&copy, GENERATED).unwrap_or_else(|e| panic!("{}: {e}", copy.display()));
        return;
    }
    let committed = std::fs::read_to_string(&copy).unwrap_or_default();
    if committed == GENERATED {
        return;
    }
    let differs = committed.lines().zip(GENERATED.lines()).position(|(a, b)| a != b);
    let line = differs.unwrap_or_else(|| committed.lines().count().min(GENERATED.lines().count())) + 1;
    panic!(
        "{} is not what the build generates from openapi/ (first difference at line {line}); run \
         `UPDATE_GOLDEN=1 cargo test -p pipecat-cloud-generated --test reviewed_copy` and review its diff",
        copy.display()
    );
}
