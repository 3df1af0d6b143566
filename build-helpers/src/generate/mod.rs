//! Generating Rust from a normalized document, in one pass: progenitor runs once and its output is
//! parsed once. From that syntax come the API's `types` (made additive-safe), and the argument and
//! return types of every operation, which the facade generator joins with the spec's facts. The result
//! is one file for the generated crate: `types`, the operation `catalog`, and two macros the wrapper
//! expands inside itself (its facade and its typed mock routes).

mod additive;
mod catalog;
pub mod facade;
mod fast_timestamps;
pub(crate) mod idents;
mod mock_routes;
mod open_enum;
pub mod signatures;

use std::panic::{AssertUnwindSafe, catch_unwind};

use proc_macro2::TokenStream;
use progenitor::{GenerationSettings, Generator, InterfaceStyle, TypeImpl};
use quote::quote;
use serde_json::Value;

use crate::document::{METHODS, upper_camel_case};
use crate::error::{Result, SpecError};
use crate::normalize::{X_HAND_WRITTEN, X_OPEN_ENUM};

/// Name of the macro that expands the facade inside the wrapper.
pub const FACADE_MACRO: &str = "__pipecat_cloud_facade";
/// Name of the macro that expands the typed mock routes inside the wrapper.
pub const MOCK_ROUTES_MACRO: &str = "__pipecat_cloud_mock_routes";

/// What one generation produces.
#[derive(Debug, Clone)]
pub struct Generated {
    /// `types` and `catalog`, formatted.
    pub items: String,
    /// The facade's items, formatted: the body of [`FACADE_MACRO`].
    pub facade: String,
    /// The mock route functions, formatted: the body of [`MOCK_ROUTES_MACRO`].
    pub mock_routes: String,
    /// One line per operation that takes `limit` or `offset`: how it pages, or why it does not.
    pub paging: Vec<String>,
}

impl Generated {
    /// The generated crate's file: the items, and the two macros around the facade and the routes.
    pub fn file(&self) -> String {
        let mut out = self.items.clone();
        for (name, body, what) in [
            (FACADE_MACRO, &self.facade, "the wrapper's facade: `Client` methods and request builders"),
            (MOCK_ROUTES_MACRO, &self.mock_routes, "the wrapper's typed mock routes"),
        ] {
            out.push_str(&format!(
                "\n/// Expands {what}; invoked once, inside the `pipecat-cloud` crate.\n\
                 #[doc(hidden)]\n#[macro_export]\nmacro_rules! {name} {{\n    () => {{\n{body}\n    }};\n}}\n"
            ));
        }
        out
    }
}

/// Generates everything from a normalized, validated document.
pub fn generate(normalized: &Value) -> Result<Generated> {
    let open_enums = open_enums(normalized);
    let spec = progenitor_input(normalized)?;
    let mut settings = GenerationSettings::new();
    settings.with_interface(InterfaceStyle::Positional).with_derive("PartialEq");
    for (name, _, _) in &open_enums {
        let impls = [TypeImpl::Display, TypeImpl::FromStr].into_iter();
        settings.with_replacement(name, format!("crate::types::{name}"), impls);
    }
    let generated = run_progenitor(&settings, &spec)?;
    let file: syn::File =
        syn::parse2(generated).map_err(|e| SpecError::Generate(format!("progenitor's output does not parse: {e}")))?;
    let signatures = signatures::signatures(&file);
    let mut types = types_module(file)?;
    for (name, values, description) in &open_enums {
        let item = open_enum::open_enum(name, values, description.as_deref());
        let parsed: syn::File = syn::parse2(item).map_err(|e| SpecError::Generate(format!("open enum {name}: {e}")))?;
        types.extend(parsed.items);
    }
    additive::make_additive(&mut types)?;
    fast_timestamps::use_fast_timestamps(&mut types);
    let catalog = catalog::catalog(normalized)?;
    let (facade, paging) = facade::facade(normalized, &signatures, &types)?;
    let items = quote! {
        /// Types used as operation parameters and responses.
        pub mod types {
            #( #types )*
        }
        #catalog
    };
    Ok(Generated {
        items: format(items)?,
        facade: format(facade)?,
        mock_routes: format(mock_routes::mock_routes(normalized)?)?,
        paging,
    })
}

/// progenitor, with its panics turned into errors: `build.rs` must never die with a backtrace. The
/// error names the operation that caused the panic, found by generating each operation alone; the
/// panic itself prints nothing (see [`quietly`]).
fn run_progenitor(settings: &GenerationSettings, spec: &openapiv3::OpenAPI) -> Result<TokenStream> {
    match quietly(|| Generator::new(settings).generate_tokens(spec)) {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => {
            let location = panicking_operation(settings, spec)
                .map(|label| format!(" while generating {label}"))
                .unwrap_or_default();
            Err(SpecError::Generate(format!("progenitor refused the spec{location}: {e}")))
        }
        Err(panic) => {
            let location = panicking_operation(settings, spec)
                .map(|label| format!(" while generating {label}"))
                .unwrap_or_default();
            Err(SpecError::Generate(format!(
                "progenitor panicked{location} ({}); the validator does not know this shape yet: \
                 please report it with the spec that caused it",
                panic_message(panic.as_ref())
            )))
        }
    }
}

thread_local! {
    /// True while this thread runs the generator under [`quietly`].
    static GENERATING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, catching a panic, and keeps the panic hook from printing it: the caught panic becomes one
/// located error, and a raw message with a backtrace before it would only bury that. The hook is wrapped
/// once, for the whole process, and stays silent only on a thread inside `quietly`, so every other panic
/// prints as before; with `RUST_BACKTRACE=1` (or `full`) it prints these too, for whoever debugs the
/// generator.
pub fn quietly<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    static WRAP_HOOK: std::sync::Once = std::sync::Once::new();
    WRAP_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let debugging = std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0");
            if debugging || !GENERATING.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    let was = GENERATING.with(|flag| flag.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    GENERATING.with(|flag| flag.set(was));
    result
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "no message".to_string())
}

/// `METHOD /path (operationId) at #/pointer` of the first operation that makes progenitor panic or fail
/// on its own.
fn panicking_operation(settings: &GenerationSettings, spec: &openapiv3::OpenAPI) -> Option<String> {
    for (path, item) in &spec.paths.paths {
        let openapiv3::ReferenceOr::Item(item) = item else { continue };
        for (method, operation) in item.iter() {
            let mut alone = spec.clone();
            let mut only = openapiv3::PathItem { parameters: item.parameters.clone(), ..Default::default() };
            match method {
                "get" => only.get = Some(operation.clone()),
                "put" => only.put = Some(operation.clone()),
                "post" => only.post = Some(operation.clone()),
                "delete" => only.delete = Some(operation.clone()),
                "options" => only.options = Some(operation.clone()),
                "head" => only.head = Some(operation.clone()),
                "patch" => only.patch = Some(operation.clone()),
                "trace" => only.trace = Some(operation.clone()),
                _ => continue,
            }
            alone.paths.paths = [(path.clone(), openapiv3::ReferenceOr::Item(only))].into_iter().collect();
            let fails = !matches!(quietly(|| Generator::new(settings).generate_tokens(&alone)), Ok(Ok(_)));
            if fails {
                let id = operation.operation_id.as_deref().unwrap_or("no operationId");
                let pointer = format!("#/paths/{}/{method}", crate::document::pointer_token(path));
                return Some(format!("{} {path} ({id}) at {pointer}", method.to_uppercase()));
            }
        }
    }
    None
}

/// The document progenitor sees: without the operations it cannot generate (OPTIONS); the facade
/// writes those from the spec alone.
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

/// The items of progenitor's `types` module; the rest of its output (its client) is not used.
fn types_module(file: syn::File) -> Result<Vec<syn::Item>> {
    for item in file.items {
        if let syn::Item::Mod(module) = item
            && module.ident == "types"
            && let Some((_, content)) = module.content
        {
            return Ok(content);
        }
    }
    Err(SpecError::Generate("progenitor's output has no `types` module".into()))
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
            (idents::typify_name(name, idents::NameCase::Pascal), open_enum::enum_values(schema), description)
        })
        .collect()
}

/// The names this client gives where a spec name cannot be used as it is, one line each: parameters
/// whose Rust name is not their plain snake_case (`crate` → `crate_`, `1st` → `x1st`), and open-enum
/// values given a fallback variant. `cargo spec check` lists them; the resolutions are deterministic.
pub fn renamed(normalized: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for op in crate::document::operations(normalized) {
        let id = op.operation_id().unwrap_or_default();
        for param in crate::document::parameters(normalized, &op).unwrap_or_default() {
            let name = param.get("name").and_then(Value::as_str).unwrap_or_default();
            let location = param.get("in").and_then(Value::as_str).unwrap_or_default();
            let rust = idents::typify_name(name, idents::NameCase::Snake);
            if rust != crate::document::snake_case(name) {
                out.push(format!("{id}: {location} parameter `{name}` is `{rust}` in Rust"));
            }
        }
    }
    for (name, values, _) in open_enums(normalized) {
        let (variants, other) = open_enum::variant_names(&values);
        for (value, variant) in values.iter().zip(&variants) {
            if *variant != upper_camel_case(value) {
                out.push(format!("{name}: value {value:?} is the variant `{variant}`"));
            }
        }
        if other != "Unknown" {
            out.push(format!("{name}: unlisted values are the variant `{other}`"));
        }
    }
    out
}

/// Formats tokens as Rust source.
pub fn format(tokens: TokenStream) -> Result<String> {
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| SpecError::Generate(format!("generated code does not parse: {e}")))?;
    Ok(prettyplease::unparse(&file))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHILD: &str = "BUILD_HELPERS_QUIET_PANIC_CHILD";

    /// Run as a child process (the parent reads its stderr): a panic inside `quietly` prints nothing,
    /// one outside it prints as usual.
    #[test]
    fn a_panic_caught_by_quietly_prints_nothing_unless_a_backtrace_is_asked_for() {
        if std::env::var_os(CHILD).is_some() {
            let caught = quietly(|| panic!("inside the generator"));
            assert!(caught.is_err());
            let _ = std::panic::catch_unwind(|| panic!("outside the generator"));
            return;
        }
        let run = |backtrace: &str| {
            let exe = std::env::current_exe().expect("the test binary");
            let out = std::process::Command::new(exe)
                .args([
                    "--exact",
                    "generate::tests::a_panic_caught_by_quietly_prints_nothing_unless_a_backtrace_is_asked_for",
                    "--nocapture",
                ])
                .env(CHILD, "1")
                .env("RUST_BACKTRACE", backtrace)
                .output()
                .expect("the child runs");
            assert!(out.status.success(), "{out:?}");
            String::from_utf8_lossy(&out.stderr).into_owned()
        };
        let quiet = run("0");
        assert!(!quiet.contains("inside the generator"), "{quiet}");
        assert!(quiet.contains("outside the generator"), "{quiet}");
        assert!(run("1").contains("inside the generator"));
    }
}
