//! Points every `DateTime<Utc>` field of the generated types at the generated crate's fast RFC 3339
//! decoder (`crate::timestamps`): the fields keep their type, and decode without chrono's relaxed
//! parser for the values the API sends (see `generated-client/src/timestamps.rs` for the measurements).

use super::additive::serde_keys;
use super::signatures::option_inner;

/// Adds `deserialize_with` to the date-time fields of the structs among `types`.
pub fn use_fast_timestamps(types: &mut [syn::Item]) {
    for item in types {
        let syn::Item::Struct(item) = item else { continue };
        let syn::Fields::Named(fields) = &mut item.fields else { continue };
        for field in &mut fields.named {
            let keys = serde_keys(field);
            let has = |name: &str| keys.iter().any(|(key, _)| key == name);
            // A field that already says how it is decoded is left alone.
            if has("deserialize_with") || has("with") {
                continue;
            }
            let has_default = has("default");
            if is_utc_date_time(&field.ty) {
                field.attrs.push(syn::parse_quote!(#[serde(deserialize_with = "crate::timestamps::deserialize")]));
            } else if option_inner(&field.ty).is_some_and(is_utc_date_time) {
                // A missing field is `None`, as serde makes it for a plain `Option`.
                field.attrs.push(if has_default {
                    syn::parse_quote!(#[serde(deserialize_with = "crate::timestamps::deserialize_option")])
                } else {
                    syn::parse_quote!(#[serde(default, deserialize_with = "crate::timestamps::deserialize_option")])
                });
            }
        }
    }
}

/// `chrono::DateTime<chrono::offset::Utc>`, however the path is spelled.
fn is_utc_date_time(ty: &syn::Type) -> bool {
    let syn::Type::Path(path) = ty else { return false };
    let Some(last) = path.path.segments.last() else { return false };
    if last.ident != "DateTime" {
        return false;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return false };
    matches!(args.args.first(), Some(syn::GenericArgument::Type(syn::Type::Path(zone)))
        if zone.path.segments.last().is_some_and(|s| s.ident == "Utc"))
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    #[test]
    fn date_time_fields_decode_through_the_fast_path() {
        let mut items: Vec<syn::Item> = vec![syn::parse_quote! {
            pub struct Entry {
                pub at: ::chrono::DateTime<::chrono::offset::Utc>,
                #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                pub maybe: ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,
                pub name: ::std::string::String,
            }
        }];
        use_fast_timestamps(&mut items);
        let text = quote!(#( #items )*).to_string();
        assert!(text.contains(r#"deserialize_with = "crate::timestamps::deserialize")] pub at"#), "{text}");
        assert!(
            text.contains(
                r#"# [serde (default , deserialize_with = "crate::timestamps::deserialize_option")] pub maybe"#
            ),
            "{text}"
        );
        assert_eq!(text.matches("deserialize_with").count(), 2, "{text}");
    }
}
