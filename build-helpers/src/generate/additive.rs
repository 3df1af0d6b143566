//! Makes progenitor's `types` safe to grow. The spec may add an optional field to a request body or a
//! response, or a value to an enum, in any release; with plain structs and enums each of those breaks
//! a caller's struct literal or exhaustive `match`. So every struct with named fields and every enum is
//! `#[non_exhaustive]`, and each struct gets what a caller builds it with instead of a literal:
//! `new(required fields...)` and one chained setter per optional field, named after the field.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::signatures::option_inner;
use crate::error::{Result, SpecError};

/// Marks the items of the `types` module and appends constructors and setters for its structs.
pub fn make_additive(types: &mut Vec<syn::Item>) -> Result<()> {
    let mut impls = Vec::new();
    for item in types.iter_mut() {
        match item {
            syn::Item::Struct(item) if matches!(item.fields, syn::Fields::Named(_)) => {
                impls.push(constructors(item)?);
                item.attrs.push(syn::parse_quote!(#[non_exhaustive]));
            }
            syn::Item::Enum(item) => item.attrs.push(syn::parse_quote!(#[non_exhaustive])),
            _ => {}
        }
    }
    for tokens in impls {
        let item: syn::Item =
            syn::parse2(tokens).map_err(|e| SpecError::Generate(format!("constructors do not parse: {e}")))?;
        types.push(item);
    }
    Ok(())
}

/// How a field gets its value when a caller does not give one.
enum Optional {
    /// `None`, or the type's `Default`.
    Default,
    /// A function typify wrote for the spec's `default`.
    Function(syn::ExprPath),
}

/// `new` and the setters of one struct.
fn constructors(item: &syn::ItemStruct) -> Result<TokenStream> {
    let name = &item.ident;
    let syn::Fields::Named(fields) = &item.fields else { return Ok(TokenStream::new()) };
    let mut required_args = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    let mut required_docs = Vec::new();
    for field in &fields.named {
        let Some(ident) = &field.ident else { continue };
        let ty = &field.ty;
        match optional(field) {
            // A required `Option` (nullable, sent as `null`) is taken as it is: `impl Into<Option<T>>`
            // would leave a plain `None` without a type.
            None if option_inner(ty).is_some() => {
                required_args.push(quote!(#ident: #ty));
                inits.push(quote!(#ident));
                required_docs.push(format!("`{}`", ident.to_string().trim_start_matches("r#")));
            }
            None => {
                required_args.push(quote!(#ident: impl ::std::convert::Into<#ty>));
                inits.push(quote!(#ident: #ident.into()));
                required_docs.push(format!("`{}`", ident.to_string().trim_start_matches("r#")));
            }
            Some(default) => {
                inits.push(match default {
                    Optional::Default => quote!(#ident: ::std::default::Default::default()),
                    Optional::Function(path) => quote!(#ident: #path()),
                });
                let setter = if ident == "new" { format_ident!("with_new") } else { ident.clone() };
                let field_doc = doc_of(&field.attrs);
                let doc = if field_doc.is_empty() {
                    format!("Sets `{}`.", ident.to_string().trim_start_matches("r#"))
                } else {
                    format!("Sets `{}`: {field_doc}", ident.to_string().trim_start_matches("r#"))
                };
                setters.push(match option_inner(ty) {
                    Some(inner) => quote! {
                        #[doc = #doc]
                        #[must_use]
                        pub fn #setter(mut self, value: impl ::std::convert::Into<#inner>) -> Self {
                            self.#ident = ::std::option::Option::Some(value.into());
                            self
                        }
                    },
                    None => quote! {
                        #[doc = #doc]
                        #[must_use]
                        pub fn #setter(mut self, value: impl ::std::convert::Into<#ty>) -> Self {
                            self.#ident = value.into();
                            self
                        }
                    },
                });
            }
        }
    }
    let new_doc = if required_docs.is_empty() {
        format!("A `{name}` with every optional field unset; set them with the methods named after them.")
    } else {
        format!(
            "A `{name}` with its required fields ({}); set the optional ones with the methods named after them.",
            required_docs.join(", ")
        )
    };
    let lint = (required_args.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    let default_lint = required_args.is_empty().then(|| quote!(#[allow(clippy::new_without_default)]));
    Ok(quote! {
        impl #name {
            #[doc = #new_doc]
            #lint
            #default_lint
            pub fn new(#( #required_args ),*) -> Self {
                Self { #( #inits ),* }
            }
            #( #setters )*
        }
    })
}

/// `Some` when the field may be left out: an `Option` that is skipped when `None`, or a field with a
/// serde default.
fn optional(field: &syn::Field) -> Option<Optional> {
    let keys = serde_keys(field);
    let default = keys.iter().find(|(key, _)| key == "default").map(|(_, value)| {
        match value.as_deref().map(syn::parse_str::<syn::ExprPath>) {
            Some(Ok(path)) => Optional::Function(path),
            _ => Optional::Default,
        }
    });
    let skipped = keys.iter().any(|(key, _)| key == "skip_serializing_if");
    match default {
        Some(default) => Some(default),
        None if skipped && option_inner(&field.ty).is_some() => Some(Optional::Default),
        None => None,
    }
}

/// The keys of a field's `#[serde(...)]` attributes, each with its string value when it has one
/// (`rename = "x"` → `("rename", Some("x"))`, `default` → `("default", None)`).
pub(crate) fn serde_keys(field: &syn::Field) -> Vec<(String, Option<String>)> {
    let mut keys = Vec::new();
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            let key = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
            let value = match meta.value() {
                Ok(value) => match value.parse::<syn::Expr>()? {
                    syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. }) => Some(text.value()),
                    _ => None,
                },
                Err(_) => None,
            };
            keys.push((key, value));
            Ok(())
        });
    }
    keys
}

/// The text of the `///` comments among `attrs`, on one line.
pub fn doc_of(attrs: &[syn::Attribute]) -> String {
    let mut lines = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("doc")) {
        if let syn::Meta::NameValue(nv) = &attr.meta
            && let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. }) = &nv.value
        {
            lines.push(text.value().trim().to_string());
        }
    }
    lines.join(" ").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structs_get_new_for_required_fields_and_setters_for_optional_ones() {
        let mut items: Vec<syn::Item> = vec![
            syn::parse_quote! {
                pub struct Body {
                    pub region: ::std::string::String,
                    #[serde(rename = "dockerfilePath", skip_serializing_if = "::std::option::Option::is_none")]
                    pub dockerfile_path: ::std::option::Option<::std::string::String>,
                    #[serde(default = "defaults::limit")]
                    pub limit: i64,
                    #[serde(default)]
                    pub tags: Vec<String>,
                }
            },
            syn::parse_quote! { pub enum Color { Red } },
        ];
        make_additive(&mut items).unwrap_or_else(|e| panic!("{e}"));
        let text = quote!(#( #items )*).to_string();
        assert!(text.contains("# [non_exhaustive] pub struct Body"), "{text}");
        assert!(text.contains("# [non_exhaustive] pub enum Color"), "{text}");
        assert!(text.contains("pub fn new (region : impl :: std :: convert :: Into < :: std :: string :: String >)"));
        assert!(text.contains("limit : defaults :: limit ()"), "{text}");
        assert!(text.contains(
            "pub fn dockerfile_path (mut self , value : impl :: std :: convert :: Into < :: std :: string :: String >)"
        ));
        assert!(text.contains("pub fn tags (mut self"));
    }
}
