//! The wrapper's typed facade: one method per operation on `pipecat_cloud::Client`, generated from the
//! same normalized spec and from progenitor's exact method signatures (read back with `syn`), so it can
//! never drift from the generated client. Each method checks its path parameters through the wrapper's
//! one checker, calls the generated method through the wrapper's runner, and returns the wrapper's error.
//!
//! Path parameters are taken as `&str` whatever type progenitor chose (`&str`, `&Uuid`, a pattern
//! newtype): the checker validates the text against the spec's rules first and reports a problem by
//! parameter name; only then is the value converted to progenitor's type.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::{client_tokens, format};
use crate::document::{operations, snake_case};
use crate::error::{Result, SpecError};
use crate::validate::{template_names, validate};

/// The facade as Rust source, for `include!` inside the wrapper crate. `generated` is the path of the
/// generated-client crate as the wrapper names it (e.g. `pipecat_cloud_generated`).
pub fn generate_facade(normalized: &Value, generated: &str) -> Result<String> {
    validate(normalized)?;
    let file: syn::File = syn::parse2(client_tokens(normalized)?)
        .map_err(|e| SpecError::Generate(format!("generated client does not parse: {e}")))?;
    let generated: syn::Path = syn::parse_str(generated).map_err(|e| SpecError::Generate(e.to_string()))?;
    let signatures = client_methods(&file);
    let mut methods = Vec::new();
    for (index, op) in operations(normalized).iter().enumerate() {
        let method_name = snake_case(op.operation_id().unwrap_or_default());
        let Some(signature) = signatures.iter().find(|s| s.ident == method_name) else {
            return Err(SpecError::Generate(format!("no generated method `{method_name}` for {}", op.label())));
        };
        let path_params: Vec<String> = template_names(op.path).into_iter().map(snake_case).collect();
        methods.push(method(signature, index, &path_params, &generated)?);
    }
    format(quote! {
        impl Client {
            #( #methods )*
        }
    })
}

/// Signatures of the `pub async fn`s in `impl Client` blocks of the generated file.
fn client_methods(file: &syn::File) -> Vec<syn::Signature> {
    let mut out = Vec::new();
    for item in &file.items {
        let syn::Item::Impl(block) = item else { continue };
        let syn::Type::Path(ty) = block.self_ty.as_ref() else { continue };
        if block.trait_.is_some() || !ty.path.is_ident("Client") {
            continue;
        }
        for inner in &block.items {
            if let syn::ImplItem::Fn(function) = inner
                && function.sig.asyncness.is_some()
                && matches!(function.vis, syn::Visibility::Public(_))
            {
                out.push(function.sig.clone());
            }
        }
    }
    out
}

fn method(sig: &syn::Signature, index: usize, path_params: &[String], generated: &syn::Path) -> Result<TokenStream> {
    let name = &sig.ident;
    let success = success_type(&sig.output)
        .ok_or_else(|| SpecError::Generate(format!("`{name}` does not return Result<ResponseValue<T>, _>")))?;
    let success = qualify(success, generated);
    let mut params = Vec::new();
    let mut checks = Vec::new();
    let mut args = Vec::new();
    let mut docs = Vec::new();
    for input in sig.inputs.iter().skip(1) {
        let syn::FnArg::Typed(pat) = input else { continue };
        let syn::Pat::Ident(ident) = pat.pat.as_ref() else { continue };
        let ident = &ident.ident;
        if let Some(position) = path_params.iter().position(|p| ident == p) {
            params.push(quote!(#ident: &str));
            let converted = format_ident!("{ident}_checked");
            let (conversion, is_str) = path_conversion(&pat.ty, generated);
            checks.push(quote! {
                let #converted = crate::path_params::check(operation, #position, #ident)?;
                let #converted: #conversion = crate::path_params::convert(operation, #position, #converted)?;
            });
            args.push(if is_str { quote!(#converted) } else { quote!(&#converted) });
            docs.push(format!("- `{ident}`: checked against the spec's rules before anything is sent"));
        } else {
            let ty = qualify((*pat.ty).clone(), generated);
            params.push(quote!(#ident: #ty));
            args.push(quote!(#ident));
        }
    }
    let index = syn::Index::from(index);
    let doc = format!(
        "Calls `{name}`; see [`{}::Client::{name}`] for the operation's documentation.",
        quote!(#generated).to_string().replace(' ', "")
    );
    let doc_params = if docs.is_empty() { String::new() } else { format!("\n\nPath parameters:\n{}", docs.join("\n")) };
    let doc = format!("{doc}{doc_params}");
    Ok(quote! {
        #[doc = #doc]
        #[allow(clippy::too_many_arguments)]
        pub async fn #name(&self, #( #params ),*) -> ::std::result::Result<#success, crate::Error> {
            let operation = &#generated::catalog::OPERATIONS[#index];
            #( #checks )*
            self.run(operation, self.generated().#name(#( #args ),*)).await
        }
    })
}

/// The type to convert a checked path value into (progenitor's argument type without the reference),
/// and whether that is `&str` already.
fn path_conversion(ty: &syn::Type, generated: &syn::Path) -> (TokenStream, bool) {
    let inner = match ty {
        syn::Type::Reference(reference) => (*reference.elem).clone(),
        other => other.clone(),
    };
    match &inner {
        syn::Type::Path(p) if p.path.is_ident("str") => (quote!(&str), true),
        _ => {
            let inner = qualify(inner, generated);
            (quote!(#inner), false)
        }
    }
}

/// `T` from `Result<ResponseValue<T>, Error<E>>`.
fn success_type(output: &syn::ReturnType) -> Option<syn::Type> {
    let syn::ReturnType::Type(_, ty) = output else { return None };
    let result = last_segment_args(ty)?;
    let syn::GenericArgument::Type(response_value) = result.first()? else { return None };
    let inner = last_segment_args(response_value)?;
    match inner.first()? {
        syn::GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    }
}

fn last_segment_args(ty: &syn::Type) -> Option<Vec<syn::GenericArgument>> {
    let syn::Type::Path(path) = ty else { return None };
    let segment = path.path.segments.last()?;
    match &segment.arguments {
        syn::PathArguments::AngleBracketed(args) => Some(args.args.iter().cloned().collect()),
        _ => None,
    }
}

/// Rewrites `types::X` (relative to the generated crate) as `generated::types::X`.
fn qualify(ty: syn::Type, generated: &syn::Path) -> syn::Type {
    let text = quote!(#ty).to_string();
    let generated = quote!(#generated).to_string();
    // Borrowed arguments lose progenitor's named lifetime: elided ones are enough in the facade.
    let text = text.replace("crate :: types ::", "types ::").replace("'a", "'_");
    let replaced = replace_types_prefix(&text, &generated);
    syn::parse_str(&replaced).unwrap_or(ty)
}

fn replace_types_prefix(text: &str, generated: &str) -> String {
    // Token streams print paths as `types :: X`; only a `types` that starts a path is rewritten.
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("types ::") {
        let before = &rest[..at];
        let starts_path = before.is_empty() || before.ends_with(' ') && !before.trim_end().ends_with("::");
        out.push_str(before);
        if starts_path {
            out.push_str(generated);
            out.push_str(" :: ");
        }
        out.push_str("types ::");
        rest = &rest[at + "types ::".len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_leading_types_paths_are_qualified() {
        assert_eq!(replace_types_prefix("& 'a types :: Body", "g"), "& 'a g :: types :: Body");
        assert_eq!(replace_types_prefix("crate :: types :: Body", "g"), "crate :: types :: Body");
        assert_eq!(replace_types_prefix("Option < types :: A >", "g"), "Option < g :: types :: A >");
    }
}
