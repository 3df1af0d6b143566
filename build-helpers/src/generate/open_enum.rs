//! Emits a forward-compatible enum for each `x-pipecat-open-enum` schema: the listed values as variants,
//! plus one variant that keeps any other value, so an unlisted value decodes and stays readable.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::document::upper_camel_case;

/// The enum definition for schema `name` with the given listed `values`.
pub fn open_enum(name: &str, values: &[String], description: Option<&str>) -> TokenStream {
    let ident = format_ident!("{name}");
    let (listed, other) = variant_names(values);
    let variants: Vec<(syn::Ident, &str)> =
        listed.iter().zip(values).map(|(variant, value)| (format_ident!("{variant}"), value.as_str())).collect();
    let other = format_ident!("{other}");
    let names: Vec<&syn::Ident> = variants.iter().map(|(v, _)| v).collect();
    let strings: Vec<&str> = variants.iter().map(|(_, s)| *s).collect();
    let variant_docs: Vec<String> = strings.iter().map(|s| format!("`{s}`")).collect();
    let doc = match description {
        Some(d) => format!("{d}\n\nDecodes any string: a value this client does not list becomes [`{name}::{other}`]."),
        None => format!("A value of `{name}`; a value this client does not list becomes [`{name}::{other}`]."),
    };
    let other_doc = "A value the API sent that this version of the client does not list; it holds the raw value.";
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #ident {
            #( #[doc = #variant_docs] #names, )*
            #[doc = #other_doc]
            #other(::std::string::String),
        }

        impl #ident {
            /// The value as the API spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#names => #strings, )*
                    Self::#other(value) => value.as_str(),
                }
            }

            /// True when the value is not one the spec lists.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::#other(_))
            }
        }

        impl ::std::convert::From<&str> for #ident {
            fn from(value: &str) -> Self {
                match value {
                    #( #strings => Self::#names, )*
                    other => Self::#other(other.to_string()),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for #ident {
            fn from(value: ::std::string::String) -> Self {
                Self::from(value.as_str())
            }
        }

        impl ::std::str::FromStr for #ident {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for #ident {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for #ident {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #ident {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value: ::std::borrow::Cow<'de, str> = ::serde::Deserialize::deserialize(deserializer)?;
                Ok(Self::from(value.as_ref()))
            }
        }
    }
}

/// The variant of each listed value, and the variant that keeps any other value. Names are chosen in
/// order and never reused: a value whose name is taken, or that has none (``, `1`), gets `Value{i}`,
/// then `Value{i}2`... so `["value1", ""]` or `["unknown", "unknown_value"]` cannot collide.
pub fn variant_names(values: &[String]) -> (Vec<String>, String) {
    let mut taken: Vec<String> = Vec::new();
    let mut unique = |wanted: String| {
        let mut name = wanted.clone();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{wanted}{n}");
            n += 1;
        }
        taken.push(name.clone());
        name
    };
    let mut listed = Vec::with_capacity(values.len());
    for (i, value) in values.iter().enumerate() {
        let camel = upper_camel_case(value);
        let usable = camel.starts_with(|c: char| c.is_ascii_alphabetic())
            && camel.chars().all(|c| c.is_ascii_alphanumeric())
            && camel != "Self";
        listed.push(unique(if usable { camel } else { format!("Value{i}") }));
    }
    let other = unique("Unknown".to_string());
    (listed, other)
}

/// The listed string values of an enum schema.
pub fn enum_values(schema: &Value) -> Vec<String> {
    schema
        .get("enum")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallback_names_never_collide() {
        for values in [
            &["value1", ""][..],
            &["unknown", "unknown_value"],
            &["Unknown", "UnknownValue", "unknown-value"],
            &["Self", "self"],
        ] {
            let values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
            let code = open_enum("E", &values, None);
            let parsed: syn::ItemEnum = syn::parse2(code.into_iter().take_while(|t| t.to_string() != "impl").collect())
                .unwrap_or_else(|e| panic!("{values:?}: {e}"));
            let mut names: Vec<String> = parsed.variants.iter().map(|v| v.ident.to_string()).collect();
            let count = names.len();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), count, "{values:?}: {names:?}");
        }
    }
}
