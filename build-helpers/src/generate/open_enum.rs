//! Emits a forward-compatible enum for each `x-pipecat-open-enum` schema: the listed values as variants,
//! plus one variant that keeps any other value, so an unlisted value decodes and stays readable.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::document::upper_camel_case;

/// The enum definition for schema `name` with the given listed `values`.
pub fn open_enum(name: &str, values: &[String], description: Option<&str>) -> TokenStream {
    let ident = format_ident!("{name}");
    let mut variants: Vec<(syn::Ident, &str)> = Vec::new();
    for (i, value) in values.iter().enumerate() {
        let mut variant = upper_camel_case(value);
        if variant.is_empty()
            || !variant.starts_with(|c: char| c.is_ascii_alphabetic())
            || variants.iter().any(|(v, _)| *v == variant)
        {
            variant = format!("Value{i}");
        }
        variants.push((format_ident!("{variant}"), value));
    }
    let other = if variants.iter().any(|(v, _)| *v == "Unknown") { "UnknownValue" } else { "Unknown" };
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
