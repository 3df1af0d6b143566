//! Generates the typed facade (`impl Client { ... }`, one method per operation) from `openapi/`.

use std::path::PathBuf;

use build_helpers::generate::facade::generate_facade;
use build_helpers::pipeline::{prepare, run_build_script, write_if_changed};

fn main() {
    run_build_script(|| {
        let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
        let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
        let spec_dir = manifest.join("..").join("openapi");
        println!("cargo::rerun-if-changed={}", spec_dir.display());
        let prepared = prepare(&spec_dir)?;
        for source in &prepared.loaded.sources {
            println!("cargo::rerun-if-changed={}", source.display());
        }
        let facade = generate_facade(&prepared.normalized.document, "pipecat_cloud_generated")?;
        write_if_changed(&out_dir.join("operations.rs"), &facade)
    });
}
