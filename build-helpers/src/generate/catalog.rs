//! Emits the operation catalog: for every operation, its spec name, method, full path, base, key and
//! path-parameter rules. The client's hooks use it to pick the key and rebuild sub-paths; the wrapper
//! uses it to check path parameters before a request is built; tests use it to reach every operation.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::document::{OperationRef, operations, parameters, snake_case};
use crate::error::Result;
use crate::normalize::{X_BASE, X_HAND_WRITTEN, X_KEY, X_SUB_PATH};
use crate::validate::template_names;

/// The `catalog` module for a normalized document.
pub fn catalog(doc: &Value) -> Result<TokenStream> {
    let mut patterns: Vec<String> = Vec::new();
    let mut entries = Vec::new();
    let mut method_names = Vec::new();
    let mut ids = Vec::new();
    for op in operations(doc) {
        let id = op.operation_id().unwrap_or_default().to_string();
        let method_name = snake_case(&id);
        entries.push(entry(doc, &op, &id, &method_name, &mut patterns)?);
        method_names.push(method_name);
        ids.push(id);
    }
    let count = entries.len();
    let indexes: Vec<syn::Index> = (0..count).map(syn::Index::from).collect();
    let pattern_idents: Vec<syn::Ident> = (0..patterns.len()).map(|i| format_ident!("PATTERN_{i}")).collect();
    Ok(quote! {
        /// Every operation of the API, as the spec describes it after normalization.
        pub mod catalog {
            use crate::operation::{ApiKeyKind, Operation, PathParam, Pattern};

            #(
                static #pattern_idents: Pattern = Pattern::new(#patterns, || ::regress::Regex::new(#patterns).ok());
            )*

            /// All operations, in spec order.
            pub static OPERATIONS: [Operation; #count] = [ #( #entries ),* ];

            /// The operation whose generated method is `method_name` (progenitor's snake_case name).
            pub fn by_method_name(method_name: &str) -> Option<&'static Operation> {
                match method_name {
                    #( #method_names => Some(&OPERATIONS[#indexes]), )*
                    _ => None,
                }
            }

            /// The operation with the spec's `operationId`.
            pub fn by_id(operation_id: &str) -> Option<&'static Operation> {
                match operation_id {
                    #( #ids => Some(&OPERATIONS[#indexes]), )*
                    _ => None,
                }
            }
        }
    })
}

fn entry(
    doc: &Value,
    op: &OperationRef<'_>,
    id: &str,
    method_name: &str,
    patterns: &mut Vec<String>,
) -> Result<TokenStream> {
    let ext = |name: &str| op.operation.get(name).and_then(Value::as_str).unwrap_or_default().to_string();
    let http_method = op.method.to_uppercase();
    let path = op.path;
    let base = ext(X_BASE);
    let spec_path = path.strip_prefix(base.as_str()).unwrap_or(path);
    let key = match ext(X_KEY).as_str() {
        "public" => quote!(ApiKeyKind::Public),
        "none" => quote!(ApiKeyKind::None),
        _ => quote!(ApiKeyKind::Private),
    };
    let sub_path = ext(X_SUB_PATH);
    let hand_written = op.operation.get(X_HAND_WRITTEN).and_then(Value::as_bool).unwrap_or(false);
    let params = parameters(doc, op)?;
    let mut path_params = Vec::new();
    for name in template_names(path) {
        let Some(param) = params.iter().find(|p| {
            p.get("in").and_then(Value::as_str) == Some("path") && p.get("name").and_then(Value::as_str) == Some(name)
        }) else {
            continue;
        };
        let schema = param.get("schema").cloned().unwrap_or(Value::Null);
        let rust_name = snake_case(name);
        let min = option_usize(schema.get("minLength"));
        let max = option_usize(schema.get("maxLength"));
        let pattern = match schema.get("pattern").and_then(Value::as_str) {
            Some(p) => {
                let index = patterns.iter().position(|q| q == p).unwrap_or_else(|| {
                    patterns.push(p.to_string());
                    patterns.len() - 1
                });
                let ident = format_ident!("PATTERN_{index}");
                quote!(Some(&#ident))
            }
            None => quote!(None),
        };
        let format = match schema.get("format").and_then(Value::as_str) {
            Some(f) => quote!(Some(#f)),
            None => quote!(None),
        };
        let is_sub_path = sub_path == name;
        path_params.push(quote! {
            PathParam {
                name: #name,
                rust_name: #rust_name,
                min_length: #min,
                max_length: #max,
                pattern: #pattern,
                format: #format,
                sub_path: #is_sub_path,
            }
        });
    }
    Ok(quote! {
        Operation {
            id: #id,
            method_name: #method_name,
            http_method: #http_method,
            path: #path,
            spec_path: #spec_path,
            base: #base,
            key: #key,
            path_params: &[ #( #path_params ),* ],
            hand_written: #hand_written,
        }
    })
}

fn option_usize(value: Option<&Value>) -> TokenStream {
    match value.and_then(Value::as_u64).and_then(|v| usize::try_from(v).ok()) {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    }
}
