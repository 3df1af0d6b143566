//! Generates, from `openapi/`, the typed facade (`impl Client { ... }`, one method per operation) and
//! the mock routes (one function per operation) of the `mock` feature.

use build_helpers::generate::facade::generate_facade;
use build_helpers::generate::mock_routes::generate_mock_routes;
use build_helpers::pipeline::{BuildPaths, prepare, run_build_script, write_if_changed};

fn main() {
    run_build_script(|| {
        let paths = BuildPaths::from_cargo_env();
        let prepared = prepare(&paths.spec_dir)?;
        paths.watch(&prepared.loaded.sources);
        let facade = generate_facade(&prepared.normalized.document, "pipecat_cloud_generated")?;
        write_if_changed(&paths.out_dir.join("operations.rs"), &facade)?;
        let routes = generate_mock_routes(&prepared.normalized.document)?;
        write_if_changed(&paths.out_dir.join("mock_routes.rs"), &routes)
    });
}
