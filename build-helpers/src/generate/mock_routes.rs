//! Typed routes for the wrapper's mocks: one function per operation, taking its path values and
//! returning the exact method and path the client sends (`/v1` or `/v1/public`, values escaped as the
//! client escapes them), so a downstream test can mock any operation in one line.

use quote::{format_ident, quote};
use serde_json::Value;

use super::format;
use crate::document::{operations, snake_case};
use crate::error::Result;
use crate::validate::template_names;

/// The route functions, for `include!` inside the wrapper's `mock::routes` module.
pub fn generate_mock_routes(normalized: &Value) -> Result<String> {
    let mut functions = Vec::new();
    for (index, op) in operations(normalized).iter().enumerate() {
        let id = op.operation_id().unwrap_or_default();
        let name = format_ident!("{}", snake_case(id));
        let params: Vec<syn::Ident> =
            template_names(op.path).into_iter().map(|p| format_ident!("{}", snake_case(p))).collect();
        let index = syn::Index::from(index);
        let base = op.operation.get(crate::normalize::X_BASE).and_then(Value::as_str).unwrap_or("");
        let spec_path = op.path.strip_prefix(base).unwrap_or(op.path);
        let doc = format!("The route of `{id}`: `{} {spec_path}` below `/v1{base}`.", op.method.to_uppercase());
        functions.push(quote! {
            #[doc = #doc]
            pub fn #name(#( #params: &str ),*) -> Route {
                Route::new(&crate::catalog::OPERATIONS[#index], &[#( #params ),*])
            }
        });
    }
    format(quote! { #( #functions )* })
}
