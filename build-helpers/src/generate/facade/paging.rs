//! Paging from the spec's shape: an operation whose query takes optional integer `limit` and `offset`
//! and whose JSON answer holds exactly one array and a total (`total` or `total_count`: an integer, or
//! an object with an integer `value`) is a paged list. Its builder gets `paginate()`, `items()` and
//! `pages()` (`pipecat_cloud::paging`), and its answer the `Paged` impl that reads items, total and each
//! item's identity: the item's `id`, or `<item>Id` for a list named `<item>s`, else the whole item.
//! Nothing here names an operation: a later spec's new paged list gets paging without code.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use super::model::{OperationModel, Success};

use crate::generate::additive::serde_keys;
pub use crate::shapes::lists::{ListShape, list_shape};

/// A paged list, as the facade generates it: the wire shape and the Rust fields that hold it.
#[derive(Debug)]
pub struct Paging {
    limit: syn::Ident,
    offset: syn::Ident,
    max_limit: Option<u64>,
    items: syn::Ident,
    item: syn::Type,
    total: syn::Ident,
    identity: Option<syn::Ident>,
    /// The fields of the item (all of them, or the identity), each with whether its type has
    /// `std::hash::Hash`.
    key_fields: Vec<(syn::Ident, bool)>,
    /// The wire shape, described for `cargo spec check`.
    pub shape: String,
}

/// The paging of one operation: `None` when it takes neither `limit` nor `offset`; why not, when it
/// takes them but is not a paged list or progenitor's types do not hold the shape.
pub fn paging(doc: &Value, model: &OperationModel<'_>, types: &[syn::Item]) -> Option<Result<Paging, String>> {
    let shape = match list_shape(doc, &model.op)? {
        Ok(shape) => shape,
        Err(why) => return Some(Err(why)),
    };
    Some(fields(model, types, &shape))
}

fn fields(model: &OperationModel<'_>, types: &[syn::Item], shape: &ListShape) -> Result<Paging, String> {
    let param = |name: &str| model.optional_query.iter().find(|p| p.wire_name == name);
    let (Some(limit), Some(offset)) = (param("limit"), param("offset")) else {
        return Err("`limit` and `offset` are not both builder setters".into());
    };
    let Success::Json(page) = &model.success else { return Err("it answers no JSON".into()) };
    let page_struct = struct_named(types, last_ident(page).ok_or("its answer type has no name")?)
        .ok_or("progenitor made no struct of its answer")?;
    let (items, items_ty) = field(page_struct, &shape.items).ok_or("the answer's array has no field")?;
    let item = vec_element(&items_ty).ok_or("the answer's array is not a Vec")?;
    let (total, _) = field(page_struct, &shape.total).ok_or("the answer's total has no field")?;
    let item_struct = last_ident(&item).and_then(|name| struct_named(types, name));
    let identity = match &shape.identity {
        Some(wire) => Some(
            item_struct.and_then(|item_struct| field(item_struct, wire)).ok_or("the item's identity has no field")?,
        ),
        None => None,
    };
    let key_fields: Vec<(syn::Ident, bool)> = match (&identity, item_struct) {
        (Some((ident, ty)), _) => vec![(ident.clone(), hashes(ty))],
        (None, Some(item_struct)) => {
            item_struct.fields.iter().filter_map(|f| Some((f.ident.clone()?, hashes(&f.ty)))).collect()
        }
        (None, None) => Vec::new(),
    };
    let identity = identity.map(|(ident, _)| ident);
    Ok(Paging {
        limit: limit.ident.clone(),
        offset: offset.ident.clone(),
        max_limit: shape.max_limit,
        items,
        item: qualified(&item),
        total,
        identity,
        key_fields,
        shape: shape.describe(),
    })
}

/// The schema of the first 2xx JSON answer.
fn last_ident(ty: &syn::Type) -> Option<&syn::Ident> {
    match ty {
        syn::Type::Path(path) => path.path.segments.last().map(|s| &s.ident),
        _ => None,
    }
}

fn struct_named<'a>(types: &'a [syn::Item], name: &syn::Ident) -> Option<&'a syn::ItemStruct> {
    types.iter().find_map(|item| match item {
        syn::Item::Struct(s) if &s.ident == name => Some(s),
        _ => None,
    })
}

/// The field of `item` that carries the wire name `wire`, and its type.
fn field(item: &syn::ItemStruct, wire: &str) -> Option<(syn::Ident, syn::Type)> {
    item.fields.iter().find_map(|f| {
        let ident = f.ident.clone()?;
        let renamed = serde_keys(f).into_iter().find(|(key, _)| key == "rename").and_then(|(_, v)| v);
        let name = renamed.unwrap_or_else(|| ident.to_string().trim_start_matches("r#").to_string());
        (name == wire).then(|| (ident, f.ty.clone()))
    })
}

/// True for the types that have `std::hash::Hash`: strings, integers, booleans, UUIDs, UTC times, and
/// `Option`s and `Vec`s of them (a float has none: it is fed as JSON).
fn hashes(ty: &syn::Type) -> bool {
    let syn::Type::Path(path) = ty else { return false };
    let Some(last) = path.path.segments.last() else { return false };
    let name = last.ident.to_string();
    match name.as_str() {
        "String" | "i64" | "u64" | "i32" | "u32" | "bool" | "Uuid" => true,
        "DateTime" => quote!(#ty).to_string().contains("Utc"),
        "Option" | "Vec" => match &last.arguments {
            syn::PathArguments::AngleBracketed(args) => {
                matches!(args.args.first(), Some(syn::GenericArgument::Type(inner)) if hashes(inner))
            }
            _ => false,
        },
        _ => false,
    }
}

/// `T` of `Vec<T>`.
fn vec_element(ty: &syn::Type) -> Option<syn::Type> {
    let syn::Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Vec" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    match args.args.first()? {
        syn::GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    }
}

/// A type of the `types` module as the facade (expanded in the wrapper) names it.
fn qualified(ty: &syn::Type) -> syn::Type {
    match ty {
        syn::Type::Path(path) if path.qself.is_none() && path.path.segments.len() == 1 => {
            let ident = &path.path.segments[0].ident;
            syn::parse_quote!(types::#ident)
        }
        other => other.clone(),
    }
}

/// The paging of one operation's builder: its `Source` impl, which a walk reads pages from, and its
/// `paginate`, `items` and `pages`.
pub fn impls(model: &OperationModel<'_>, paging: &Paging) -> TokenStream {
    let Paging { limit, offset, max_limit, items, item, total, identity, key_fields, .. } = paging;
    let builder = &model.builder;
    let id = &model.id;
    let max = match max_limit {
        Some(m) => quote!(::std::option::Option::Some(#m)),
        None => quote!(::std::option::Option::None),
    };
    // Each field through `Hash` where its type has it, as JSON otherwise; an item the generator could
    // not read is keyed by its whole JSON.
    let feeds: Vec<TokenStream> = key_fields
        .iter()
        .map(|(field, hashes)| {
            if *hashes {
                quote!(::std::hash::Hash::hash(&item.#field, &mut hasher);)
            } else {
                quote!(crate::contract::feed_json(&item.#field, &mut hasher);)
            }
        })
        .collect();
    let key = if feeds.is_empty() {
        quote!(crate::contract::key(item))
    } else {
        quote! {
            let mut hasher = crate::contract::KeyHasher::default();
            #( #feeds )*
            ::std::hash::Hasher::finish(&hasher)
        }
    };
    let identified = identity.is_some();
    let mut copies = Vec::new();
    for param in model
        .path_params
        .iter()
        .chain(&model.required_query)
        .chain(&model.required_headers)
        .chain(&model.optional_headers)
    {
        let ident = &param.ident;
        copies.push(quote!(#ident: ::std::clone::Clone::clone(&self.#ident)));
    }
    for param in &model.optional_query {
        let ident = &param.ident;
        if ident == limit || ident == offset {
            copies.push(quote!(#ident: ::std::option::Option::None));
        } else {
            copies.push(quote!(#ident: ::std::clone::Clone::clone(&self.#ident)));
        }
    }
    let method = model.method_text();
    let walk_doc = format!(
        "A walk over every page of [`Client::{method}`](crate::Client::{method}), to set its page size and \
         limits before streaming it: see [`crate::paging`] for what a walk does when the data moves."
    );
    let items_doc = format!(
        "Every item of [`Client::{method}`](crate::Client::{method}), one at a time, requesting pages as \
         they are needed; none twice (see [`crate::paging`])."
    );
    let pages_doc =
        format!("Every page of [`Client::{method}`](crate::Client::{method}), each with its total and its new items.");
    quote! {
        impl<'a> crate::contract::Source<'a> for #builder<'a> {
            type Item = #item;
            fn operation(&self) -> &'static str {
                #id
            }
            fn max_limit(&self) -> ::std::option::Option<u64> {
                #max
            }
            fn start_offset(&self) -> u64 {
                crate::contract::as_u64(&self.#offset).unwrap_or(0)
            }
            fn requested_limit(&self) -> ::std::option::Option<u64> {
                crate::contract::as_u64(&self.#limit)
            }
            fn fetch(&self, limit: u64, offset: u64) -> crate::contract::SendFuture<'a, crate::contract::Fetched<Self::Item>> {
                let mut page = #builder {
                    client: self.client,
                    #( #copies, )*
                    settings: ::std::clone::Clone::clone(&self.settings),
                };
                page.#limit = ::std::convert::TryFrom::try_from(limit).ok();
                page.#offset = ::std::convert::TryFrom::try_from(offset).ok();
                ::std::boxed::Box::pin(async move {
                    let answer = page.send().await?;
                    let total = crate::contract::Total::read(&answer.#total);
                    ::std::result::Result::Ok(crate::contract::Fetched::new(answer.#items, total))
                })
            }
            fn key(&self, item: &Self::Item) -> crate::contract::Key {
                #key
            }
            fn identified(&self) -> bool {
                #identified
            }
        }

        impl<'a> #builder<'a> {
            #[doc = #walk_doc]
            pub fn paginate(self) -> crate::contract::Paginator<'a, Self> {
                crate::contract::Paginator::new(self)
            }

            #[doc = #items_doc]
            pub fn items(self) -> crate::contract::ItemStream<'a, #item> {
                self.paginate().items()
            }

            #[doc = #pages_doc]
            pub fn pages(self) -> crate::contract::PageStream<'a, #item> {
                self.paginate().pages()
            }
        }
    }
}
