//! Regenerates the client from `openapi/` whenever a spec file changes.

use std::path::PathBuf;

use build_helpers::pipeline::{generate_file, run_build_script};

fn main() {
    run_build_script(|| {
        let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
        let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
        let spec_dir = manifest.join("..").join("openapi");
        // The folder itself, so that adding or removing a fragment regenerates.
        println!("cargo::rerun-if-changed={}", spec_dir.display());
        let sources = generate_file(&spec_dir, &out_dir.join("pipecat_cloud.rs"))?;
        for source in sources {
            println!("cargo::rerun-if-changed={}", source.display());
        }
        Ok(())
    });
}
