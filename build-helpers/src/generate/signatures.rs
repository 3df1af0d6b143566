//! What progenitor decided for each operation, read from the syntax it generated (parsed once): the
//! Rust type of every argument and of the success value. typify names inline schemas
//! (`GetSessionsStatus`, `GetLogsResponse`), so these types are taken as progenitor wrote them rather
//! than guessed from the spec.

use std::collections::BTreeMap;

/// The Rust signature progenitor gave one operation's method.
#[derive(Debug, Clone)]
pub struct Signature {
    /// Arguments after `&self`, by progenitor's (snake_case) name, in order.
    pub arguments: Vec<(String, syn::Type)>,
    /// `T` of `Result<ResponseValue<T>, _>`.
    pub success: syn::Type,
}

/// The signatures of the `pub async fn`s of `impl Client` in progenitor's output, by method name.
pub fn signatures(file: &syn::File) -> BTreeMap<String, Signature> {
    let mut out = BTreeMap::new();
    for item in &file.items {
        let syn::Item::Impl(block) = item else { continue };
        let syn::Type::Path(ty) = block.self_ty.as_ref() else { continue };
        if block.trait_.is_some() || !ty.path.is_ident("Client") {
            continue;
        }
        for inner in &block.items {
            let syn::ImplItem::Fn(function) = inner else { continue };
            if function.sig.asyncness.is_none() || !matches!(function.vis, syn::Visibility::Public(_)) {
                continue;
            }
            let Some(success) = success_type(&function.sig.output) else { continue };
            let arguments = function
                .sig
                .inputs
                .iter()
                .filter_map(|input| match input {
                    syn::FnArg::Typed(typed) => match typed.pat.as_ref() {
                        syn::Pat::Ident(ident) => Some((unraw(&ident.ident), (*typed.ty).clone())),
                        _ => None,
                    },
                    syn::FnArg::Receiver(_) => None,
                })
                .collect();
            out.insert(unraw(&function.sig.ident), Signature { arguments, success });
        }
    }
    out
}

fn unraw(ident: &syn::Ident) -> String {
    let text = ident.to_string();
    text.strip_prefix("r#").map(str::to_string).unwrap_or(text)
}

/// `T` from `Result<ResponseValue<T>, Error<E>>`.
fn success_type(output: &syn::ReturnType) -> Option<syn::Type> {
    let syn::ReturnType::Type(_, ty) = output else { return None };
    let syn::GenericArgument::Type(response_value) = first_argument(ty)? else { return None };
    match first_argument(response_value)? {
        syn::GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    }
}

fn first_argument(ty: &syn::Type) -> Option<&syn::GenericArgument> {
    let syn::Type::Path(path) = ty else { return None };
    match &path.path.segments.last()?.arguments {
        syn::PathArguments::AngleBracketed(args) => args.args.first(),
        _ => None,
    }
}

/// How an argument's type is held by a request builder: references become owned values (`&'a str` →
/// `String`, `&'a T` → `T`), inside an `Option` too.
pub fn owned(ty: &syn::Type) -> syn::Type {
    match ty {
        syn::Type::Reference(reference) => match reference.elem.as_ref() {
            syn::Type::Path(p) if p.path.is_ident("str") => syn::parse_quote!(::std::string::String),
            other => owned(other),
        },
        syn::Type::Path(path) => {
            let mut path = path.clone();
            for segment in &mut path.path.segments {
                if let syn::PathArguments::AngleBracketed(args) = &mut segment.arguments {
                    for arg in &mut args.args {
                        if let syn::GenericArgument::Type(inner) = arg {
                            *inner = owned(inner);
                        }
                    }
                }
            }
            syn::Type::Path(path)
        }
        other => other.clone(),
    }
}

/// `T` when `ty` is `Option<T>`.
pub fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    match first_argument(ty)? {
        syn::GenericArgument::Type(inner) => Some(inner),
        _ => None,
    }
}

/// True when `ty` is `Uuid` (any path ending in `Uuid`), behind references too.
pub fn is_uuid(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Reference(reference) => is_uuid(&reference.elem),
        syn::Type::Path(path) => path.path.segments.last().is_some_and(|s| s.ident == "Uuid"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use quote::ToTokens;

    use super::*;

    fn text(ty: &syn::Type) -> String {
        ty.to_token_stream().to_string().replace(' ', "")
    }

    #[test]
    fn references_become_owned_and_options_unwrap() {
        let ty: syn::Type = syn::parse_quote!(Option<&'a str>);
        assert_eq!(text(&owned(&ty)), "Option<::std::string::String>");
        let ty: syn::Type = syn::parse_quote!(&'a types::Body);
        assert_eq!(text(&owned(&ty)), "types::Body");
        let ty: syn::Type = syn::parse_quote!(Option<i64>);
        assert_eq!(option_inner(&ty).map(text), Some("i64".into()));
        assert!(is_uuid(&syn::parse_quote!(&'a ::uuid::Uuid)));
    }
}
