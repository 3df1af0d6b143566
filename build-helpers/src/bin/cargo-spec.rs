//! `cargo spec`: temporary
use std::path::Path;
fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| "openapi".into());
    let loaded = build_helpers::load::load(Path::new(&path)).expect("load");
    let normalized = build_helpers::normalize::normalize(loaded.document).expect("normalize");
    match build_helpers::generate::generate_client(&normalized.document) {
        Ok(code) => println!("{code}"),
        Err(e) => eprintln!("{e}"),
    }
}
