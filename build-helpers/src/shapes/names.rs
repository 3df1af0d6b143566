//! Rust identifiers from spec names. A spec may name an operation `1x` or a parameter `type`; `quote`'s
//! `format_ident!` panics on the first and the second does not compile. Every identifier the generator
//! writes goes through here: keywords become raw identifiers, and a name that cannot be an identifier is
//! an error naming where it came from.

use proc_macro2::Span;

use crate::document::{snake_case, upper_camel_case};
use crate::error::{Result, SpecError};

/// Keywords that cannot be raw identifiers either.
const NOT_RAW: [&str; 5] = ["self", "Self", "super", "crate", "_"];

/// `name` as an identifier, `r#name` for keywords. `location` names the spec element for the error.
pub fn ident(name: &str, location: &str) -> Result<syn::Ident> {
    if name.is_empty() || NOT_RAW.contains(&name) {
        return Err(SpecError::invalid(location, format!("`{name}` cannot be a Rust identifier; rename it")));
    }
    if syn::parse_str::<syn::Ident>(name).is_ok() {
        return Ok(syn::Ident::new(name, Span::call_site()));
    }
    let raw = format!("r#{name}");
    if syn::parse_str::<syn::Ident>(&raw).is_ok() {
        return Ok(syn::Ident::new_raw(name, Span::call_site()));
    }
    Err(SpecError::invalid(
        location,
        format!(
            "`{name}` cannot be a Rust identifier (it must start with a letter or `_` and hold only letters, digits and `_`); rename it"
        ),
    ))
}

/// The snake_case identifier of a spec name (methods, parameters, fields).
pub fn snake_ident(name: &str, location: &str) -> Result<syn::Ident> {
    ident(&snake_case(name), location)
}

/// The UpperCamelCase identifier of a spec name (types).
pub fn camel_ident(name: &str, location: &str) -> Result<syn::Ident> {
    ident(&upper_camel_case(name), location)
}

/// The case of a name typify makes.
#[derive(Debug, Clone, Copy)]
pub enum NameCase {
    /// Types and variants.
    Pascal,
    /// Fields and arguments.
    Snake,
}

/// typify's name for a spec string (typify-impl `util::sanitize`; progenitor names arguments with it too):
/// the same rules, so a collision found here is the one typify would meet, and the facade finds
/// progenitor's argument for any parameter name (`crate` → `crate_`, `1st` → `x1st`).
pub fn typify_name(input: &str, case: NameCase) -> String {
    let recase = |s: &str| match case {
        NameCase::Pascal => heck::ToPascalCase::to_pascal_case(s),
        NameCase::Snake => snake_case(s),
    };
    let out = match input {
        "+1" => "plus1".to_string(),
        "-1" => "minus1".to_string(),
        _ => recase(&input.replace('\'', "").replace(|c| !unicode_ident::is_xid_continue(c), "-")),
    };
    let out = match out.chars().next() {
        None => recase("x"),
        Some(c) if unicode_ident::is_xid_start(c) => out,
        Some(_) => format!("{}{out}", recase("x")),
    };
    if syn::parse_str::<syn::Ident>(&out).is_ok() && out != "gen" { out } else { format!("{out}_") }
}

/// The name the generator gives header parameter `name` of an operation whose path and query parameters
/// are named `others`: its own, or with `-header` added when one of them becomes the same Rust name (a
/// header `region` beside a query `region`), so the two get distinct arguments and setters (`region`,
/// `region_header`). progenitor is given this name; the header is sent under the spec's.
pub fn header_argument_name(name: &str, others: &[&str]) -> String {
    let rust = typify_name(name, NameCase::Snake);
    if others.iter().any(|other| typify_name(other, NameCase::Snake) == rust) {
        format!("{name}-header")
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_become_raw_and_impossible_names_are_errors() {
        assert_eq!(snake_ident("type", "p").map(|i| i.to_string()).ok(), Some("r#type".into()));
        assert_eq!(snake_ident("setName", "p").map(|i| i.to_string()).ok(), Some("set_name".into()));
        for bad in ["1x", "", " ", "🦀", "self"] {
            let error = snake_ident(bad, "operation X").map(|i| i.to_string());
            assert!(error.as_ref().is_err_and(|e| e.to_string().contains("operation X")), "{bad:?}: {error:?}");
        }
    }
}
