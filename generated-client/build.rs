//! Regenerates the types, the catalog and the wrapper's facade from `openapi/` (in this package)
//! whenever a spec file changes: one load, one validation, one progenitor run.

use build_helpers::pipeline::{BuildPaths, generate_file, run_build_script};

fn main() {
    run_build_script(|| {
        let paths = BuildPaths::from_cargo_env();
        let sources = generate_file(&paths.spec_dir, &paths.out_dir.join("pipecat_cloud.rs"))?;
        paths.watch(&sources);
        Ok(())
    });
}
