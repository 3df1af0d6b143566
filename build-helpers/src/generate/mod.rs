//! Generating Rust from a normalized document: progenitor's client and types, plus what progenitor does
//! not write (forward-compatible enums, the operation catalog, OPTIONS methods), formatted as one file.

mod catalog;
pub mod facade;
mod hand_written;
pub mod mock_routes;
mod open_enum;

use std::panic::{AssertUnwindSafe, catch_unwind};

use proc_macro2::TokenStream;
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TypeImpl};
use quote::quote;
use serde_json::Value;

use crate::document::{METHODS, upper_camel_case};
use crate::error::{Result, SpecError};
use crate::normalize::{X_HAND_WRITTEN, X_OPEN_ENUM};
use crate::validate::validate;

/// Path of the type that the generated `Client` carries for its hooks; `generated-client` defines it.
const HOOKS_TYPE: &str = "crate::hooks::Hooks";

/// The generated client as Rust source, for a document that went through [`crate::normalize`].
pub fn generate_client(normalized: &Value) -> Result<String> {
    validate(normalized)?;
    let tokens = client_tokens(normalized)?;
    format(tokens)
}

/// The tokens of the generated client.
pub fn client_tokens(normalized: &Value) -> Result<TokenStream> {
    let open_enums = open_enums(normalized);
    let spec = progenitor_input(normalized)?;
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Positional)
        .with_hooks(HooksMode::Expected)
        .with_inner_type(HOOKS_TYPE.parse::<TokenStream>().map_err(|e| SpecError::Generate(e.to_string()))?)
        .with_derive("PartialEq");
    for (name, _, _) in &open_enums {
        let impls = [TypeImpl::Display, TypeImpl::FromStr].into_iter();
        settings.with_replacement(name, format!("crate::types::{name}"), impls);
    }
    let generated = run_progenitor(&settings, &spec)?;
    let mut file: syn::File =
        syn::parse2(generated).map_err(|e| SpecError::Generate(format!("progenitor's output does not parse: {e}")))?;
    let enum_items: TokenStream = open_enums
        .iter()
        .map(|(name, values, description)| open_enum::open_enum(name, values, description.as_deref()))
        .collect();
    add_to_types_module(&mut file, enum_items)?;
    let catalog = catalog::catalog(normalized)?;
    let hand_written = hand_written::methods(normalized)?;
    Ok(quote! { #file #catalog #hand_written })
}

/// progenitor, with its panics turned into errors: `build.rs` must never die with a backtrace.
fn run_progenitor(settings: &GenerationSettings, spec: &openapiv3::OpenAPI) -> Result<TokenStream> {
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = catch_unwind(AssertUnwindSafe(|| Generator::new(settings).generate_tokens(spec)));
    std::panic::set_hook(previous_hook);
    match outcome {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(SpecError::Generate(e.to_string())),
        Err(panic) => {
            let reason = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "no message".to_string());
            Err(SpecError::Generate(format!(
                "progenitor panicked ({reason}); the validator does not know this shape yet: \
                 please report it with the spec that caused it"
            )))
        }
    }
}

/// The document progenitor sees: without the operations the generator writes by hand.
fn progenitor_input(normalized: &Value) -> Result<openapiv3::OpenAPI> {
    let mut doc = normalized.clone();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for method in METHODS {
                if item.get(method).and_then(|op| op.get(X_HAND_WRITTEN)).and_then(Value::as_bool) == Some(true) {
                    item.remove(method);
                }
            }
        }
    }
    serde_json::from_value(doc).map_err(|e| SpecError::Generate(format!("normalized document: {e}")))
}

/// `(name, values, description)` of every open enum schema.
fn open_enums(doc: &Value) -> Vec<(String, Vec<String>, Option<String>)> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, schema)| schema.get(X_OPEN_ENUM).and_then(Value::as_bool) == Some(true))
        .map(|(name, schema)| {
            let description = schema.get("description").and_then(Value::as_str).map(str::to_string);
            (upper_camel_case(name), open_enum::enum_values(schema), description)
        })
        .collect()
}

fn add_to_types_module(file: &mut syn::File, items: TokenStream) -> Result<()> {
    let items: syn::File = syn::parse2(items).map_err(|e| SpecError::Generate(format!("open enums: {e}")))?;
    for item in &mut file.items {
        if let syn::Item::Mod(module) = item
            && module.ident == "types"
            && let Some((_, content)) = &mut module.content
        {
            content.extend(items.items);
            return Ok(());
        }
    }
    Err(SpecError::Generate("progenitor's output has no `types` module".into()))
}

/// Formats tokens as Rust source.
pub fn format(tokens: TokenStream) -> Result<String> {
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| SpecError::Generate(format!("generated code does not parse: {e}")))?;
    Ok(prettyplease::unparse(&file))
}
