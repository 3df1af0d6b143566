//! Typed routes for the wrapper's mocks: one function per operation, taking its path values as the
//! client's method does and returning the exact method and path the client sends (`/v1` or
//! `/v1/public`, values escaped as the client escapes them), so a downstream test can mock any
//! operation in one line.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use crate::document::operations;
use crate::error::Result;
use crate::normalize::X_BASE;
use crate::shapes::names::{NameCase, ident, snake_ident, typify_name};
use crate::shapes::paths::template_names;

/// The route functions, expanded inside the wrapper's `mock::routes` module.
pub fn mock_routes(normalized: &Value) -> Result<TokenStream> {
    let mut functions = Vec::new();
    for op in &operations(normalized) {
        let id = op.operation_id().unwrap_or_default();
        let label = op.label();
        let name = snake_ident(id, &label)?;
        let mut params = Vec::new();
        let mut values = Vec::new();
        for template in template_names(op.path) {
            let ident =
                ident(&typify_name(template, NameCase::Snake), &format!("{label}: path parameter `{template}`"))?;
            if is_uuid(normalized, op, template) {
                params.push(quote!(#ident: ::uuid::Uuid));
                values.push(quote!(crate::contract::PathValue::Uuid(#ident)));
            } else {
                params.push(quote!(#ident: &str));
                values.push(quote!(crate::contract::PathValue::Text(#ident)));
            }
        }
        let operation = crate::generate::catalog::static_name(op)?;
        let base = op.operation.get(X_BASE).and_then(Value::as_str).unwrap_or("");
        let spec_path = op.path.strip_prefix(base).unwrap_or(op.path);
        let doc = format!("The route of `{id}`: `{} {spec_path}` below `/v1{base}`.", op.method.to_uppercase());
        functions.push(quote! {
            #[doc = #doc]
            pub fn #name(#( #params ),*) -> crate::contract::Route {
                crate::contract::Route::new(crate::catalog::#operation, &[#( #values ),*])
            }
        });
    }
    Ok(quote! { #( #functions )* })
}

fn is_uuid(doc: &Value, op: &crate::document::OperationRef<'_>, name: &str) -> bool {
    crate::document::parameters(doc, op).ok().into_iter().flatten().any(|p| {
        p.get("in").and_then(Value::as_str) == Some("path")
            && p.get("name").and_then(Value::as_str) == Some(name)
            && p.pointer("/schema/format").and_then(Value::as_str) == Some("uuid")
    })
}
