//! Writes the JSON Schemas of every operation's request and response bodies, from `openapi/` (in this
//! package), for the emulator's request and response checks.

use build_helpers::pipeline::{BuildPaths, run_build_script, write_schemas_file};

fn main() {
    run_build_script(|| {
        let paths = BuildPaths::from_cargo_env();
        let sources = write_schemas_file(&paths.spec_dir, &paths.out_dir.join("operation_schemas.json"))?;
        paths.watch(&sources);
        Ok(())
    });
}
