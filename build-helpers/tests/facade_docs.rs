//! The rustdoc users read on `pipecat_cloud::Client`: the generated facade's method for every operation
//! carries the spec's summary, the key it uses, each documented error status, and an example.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;

use build_helpers::document::{operations, snake_case};
use build_helpers::generate::generate;
use build_helpers::pipeline::prepare;
use serde_json::Value;

/// The doc text of every `pub fn` in `impl crate::Client` blocks of the facade, by method name.
fn method_docs(facade: &str) -> BTreeMap<String, String> {
    let file: syn::File = syn::parse_str(facade).unwrap();
    let mut docs = BTreeMap::new();
    for item in &file.items {
        let syn::Item::Impl(block) = item else { continue };
        for inner in &block.items {
            let syn::ImplItem::Fn(function) = inner else { continue };
            let text: Vec<String> = function
                .attrs
                .iter()
                .filter(|a| a.path().is_ident("doc"))
                .filter_map(|a| match &a.meta {
                    syn::Meta::NameValue(nv) => match &nv.value {
                        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
                        _ => None,
                    },
                    _ => None,
                })
                .collect();
            docs.insert(function.sig.ident.to_string(), text.join("\n"));
        }
    }
    docs
}

#[test]
fn every_operation_method_carries_the_specs_summary_key_errors_and_an_example() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("openapi");
    let prepared = prepare(&spec).unwrap();
    let doc = &prepared.normalized.document;
    let docs = method_docs(&generate(doc).unwrap().facade);
    let mut checked = 0;
    for op in operations(doc) {
        let id = op.operation_id().unwrap();
        let method = snake_case(id);
        let text = docs.get(&method).unwrap_or_else(|| panic!("no documented method `{method}` for {id}"));
        let summary = op.operation["summary"].as_str().unwrap();
        assert!(text.starts_with(summary.trim()), "{method}: the doc does not open with the summary {summary:?}");
        let key = op.operation["x-pipecat-key"].as_str().unwrap();
        assert!(text.contains(&format!("authenticated with the **{key}** key")), "{method}: key");
        for (status, _) in op.operation["responses"].as_object().unwrap() {
            if status.parse::<u16>().is_ok_and(|s| s >= 400) {
                assert!(text.contains(&format!("- HTTP {status}: ")), "{method}: error status {status} undocumented");
            }
        }
        assert!(text.contains("# Errors") && text.contains("# Example") && text.contains("```no_run"), "{method}");
        for param in build_helpers::document::parameters(doc, &op).unwrap() {
            let name = snake_case(param["name"].as_str().unwrap());
            if param.get("description").and_then(Value::as_str).is_some() {
                assert!(text.contains(name.as_str()), "{method}: parameter {name} undocumented");
            }
        }
        checked += 1;
    }
    assert!(checked > 0, "no operation was read from the spec");
    assert!(!docs.values().any(|d| d.contains("pipecat_cloud_generated")), "a doc links into the generated crate");
}
