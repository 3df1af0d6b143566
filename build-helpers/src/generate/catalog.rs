//! Emits the operation catalog: for every operation, its spec name, method, full path, key and
//! path-parameter rules, in `OPERATIONS` and as a named static (`catalog::DELETE_SECRET_FROM_SET`). The
//! wrapper names an operation's static when it builds a request (fixed at generation time: no look-up
//! by name per call); tests use `OPERATIONS` to reach every operation.
//!
//! `OperationId` has one variant per operation, exhaustive on purpose: the code that must handle every
//! operation (the emulator's handlers, the CLI's commands, the tests' calls and routes) matches on it
//! without a `_` arm, so a new operation in the spec is a compile error there, naming it.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::document::{OperationRef, operations, parameters};
use crate::error::{Result, SpecError};
use crate::normalize::{X_KEY, X_SUB_PATH};
use crate::shapes::paths::template_names;

/// The `catalog` module for a normalized document.
pub fn catalog(doc: &Value) -> Result<TokenStream> {
    let mut patterns: Vec<String> = Vec::new();
    let mut entries = Vec::new();
    let mut ids = Vec::new();
    let mut names = Vec::new();
    let mut docs = Vec::new();
    let mut variants = Vec::new();
    for op in operations(doc) {
        let variant = variant_name(&op)?;
        entries.push(entry(doc, &op, &variant, &mut patterns)?);
        let id = op.operation_id().unwrap_or_default().to_string();
        names.push(static_name(&op)?);
        docs.push(format!("`{id}`: {} {}.", op.method.to_uppercase(), op.path));
        ids.push(id);
        variants.push(variant);
    }
    let count = entries.len();
    let indexes: Vec<syn::Index> = (0..count).map(syn::Index::from).collect();
    let pattern_idents: Vec<syn::Ident> = (0..patterns.len()).map(|i| format_ident!("PATTERN_{i}")).collect();
    let version = doc.pointer("/info/version").and_then(Value::as_str).unwrap_or_default();
    let title = doc.pointer("/info/title").and_then(Value::as_str).unwrap_or_default();
    Ok(quote! {
        /// Every operation of the API, as the spec describes it after normalization.
        pub mod catalog {
            use crate::operation::{ApiKeyKind, BodyField, HttpMethod, Operation, PathParam, Pattern, QueryParam, RequestBody};

            #(
                static #pattern_idents: Pattern = Pattern::new(#patterns, || ::regress::Regex::new(#patterns).ok());
            )*

            /// The spec's `info.version`: the API version this client was generated from.
            pub const SPEC_VERSION: &str = #version;
            /// The spec's `info.title`.
            pub const SPEC_TITLE: &str = #title;

            /// All operations, in spec order.
            pub static OPERATIONS: [Operation; #count] = [ #( #entries ),* ];

            /// One variant per operation of the spec, in spec order: the operationId as a type.
            ///
            /// Exhaustive on purpose. A `match` without a `_` arm is a table the compiler checks: when the
            /// spec gains an operation, every such match stops compiling and names the new variant. That
            /// is what the workspace's emulator, CLI and tests want; code that must keep compiling as the
            /// spec grows (anything outside this workspace) matches with a `_` arm or compares with `==`.
            /// A new variant is an additive change in this crate's semver policy.
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
            pub enum OperationId {
                #(
                    #[doc = #docs]
                    #variants,
                )*
            }

            impl OperationId {
                /// Every operation, in spec order (`ALL[i]` is `OPERATIONS[i]`'s).
                pub const ALL: [OperationId; #count] = [ #( OperationId::#variants ),* ];

                /// The spec's `operationId`, e.g. `deleteSecretFromSet`.
                pub const fn as_str(self) -> &'static str {
                    match self {
                        #( OperationId::#variants => #ids, )*
                    }
                }

                /// The operation's catalog entry.
                pub fn operation(self) -> &'static Operation {
                    match self {
                        #( OperationId::#variants => #names, )*
                    }
                }

                /// The variant of the spec's `operationId`; `None` for a name the spec does not have.
                pub fn from_id(operation_id: &str) -> Option<Self> {
                    match operation_id {
                        #( #ids => Some(OperationId::#variants), )*
                        _ => None,
                    }
                }
            }

            impl ::std::fmt::Display for OperationId {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }

            #(
                #[doc = #docs]
                pub static #names: &Operation = &OPERATIONS[#indexes];
            )*

            /// The operation with the spec's `operationId`.
            pub fn by_id(operation_id: &str) -> Option<&'static Operation> {
                OperationId::from_id(operation_id).map(OperationId::operation)
            }
        }
    })
}

/// The catalog's own names, which no operation's static may take.
const CATALOG_NAMES: [&str; 3] = ["OPERATIONS", "SPEC_VERSION", "SPEC_TITLE"];

/// The name of `op`'s variant of `OperationId`: its operationId in UpperCamelCase, as its request
/// builder is named (validation refuses an operationId that makes no such name, or the same as another).
pub fn variant_name(op: &OperationRef<'_>) -> Result<syn::Ident> {
    crate::shapes::names::camel_ident(op.operation_id().unwrap_or_default(), &op.label())
}

/// The name of `op`'s static in the catalog: its operationId in SHOUTY_SNAKE_CASE.
pub fn static_name(op: &OperationRef<'_>) -> Result<syn::Ident> {
    let id = op.operation_id().unwrap_or_default();
    let name = heck::ToShoutySnakeCase::to_shouty_snake_case(crate::document::snake_case(id).as_str());
    if CATALOG_NAMES.contains(&name.as_str()) || name.starts_with("PATTERN_") {
        return Err(SpecError::invalid(
            op.label(),
            format!(
                "operationId `{id}` becomes the catalog static `{name}`, a name the catalog uses itself; rename it"
            ),
        ));
    }
    syn::parse_str(&name).map_err(|_| {
        SpecError::invalid(op.label(), format!("operationId `{id}` does not make a Rust name (`{name}`); rename it"))
    })
}

/// `HttpMethod::X` for a spec method key.
pub fn http_method(op: &OperationRef<'_>) -> Result<TokenStream> {
    Ok(match op.method {
        "get" => quote!(HttpMethod::Get),
        "put" => quote!(HttpMethod::Put),
        "post" => quote!(HttpMethod::Post),
        "delete" => quote!(HttpMethod::Delete),
        "options" => quote!(HttpMethod::Options),
        "head" => quote!(HttpMethod::Head),
        "patch" => quote!(HttpMethod::Patch),
        other => {
            return Err(SpecError::invalid(
                op.label(),
                format!("the method `{other}` is not supported by the client; remove the operation"),
            ));
        }
    })
}

fn entry(doc: &Value, op: &OperationRef<'_>, variant: &syn::Ident, patterns: &mut Vec<String>) -> Result<TokenStream> {
    let ext = |name: &str| op.operation.get(name).and_then(Value::as_str).unwrap_or_default().to_string();
    let method = http_method(op)?;
    let path = op.path;
    let key = match ext(X_KEY).as_str() {
        "public" => quote!(ApiKeyKind::Public),
        "none" => quote!(ApiKeyKind::None),
        _ => quote!(ApiKeyKind::Private),
    };
    let sub_path = ext(X_SUB_PATH);
    let params = parameters(doc, op)?;
    let mut path_params = Vec::new();
    for name in template_names(path) {
        let Some(param) = params.iter().find(|p| {
            p.get("in").and_then(Value::as_str) == Some("path") && p.get("name").and_then(Value::as_str) == Some(name)
        }) else {
            continue;
        };
        let schema = param.get("schema").cloned().unwrap_or(Value::Null);
        let min = option_usize(schema.get("minLength"));
        let max = option_usize(schema.get("maxLength"));
        let pattern = pattern_of(&schema, patterns);
        let allowed = enum_texts(&schema);
        let format = match schema.get("format").and_then(Value::as_str) {
            Some(f) => quote!(Some(#f)),
            None => quote!(None),
        };
        let is_sub_path = sub_path == name;
        let description = one_line(param.get("description"));
        path_params.push(quote! {
            PathParam {
                name: #name,
                min_length: #min,
                max_length: #max,
                pattern: #pattern,
                allowed: &[ #( #allowed ),* ],
                format: #format,
                sub_path: #is_sub_path,
                description: #description,
            }
        });
    }
    let query_params: Vec<TokenStream> = params
        .iter()
        .filter(|p| p.get("in").and_then(Value::as_str) == Some("query"))
        .map(|param| {
            let Described { name, required, description, schema, kind } = described(doc, param);
            let allowed = enum_texts(schema);
            let default = match schema.get("default") {
                Some(value) => {
                    let text = value.to_string();
                    quote!(Some(#text))
                }
                None => quote!(None),
            };
            let minimum = option_f64(schema.get("minimum"));
            let maximum = option_f64(schema.get("maximum"));
            quote! {
                QueryParam {
                    name: #name,
                    required: #required,
                    description: #description,
                    kind: #kind,
                    allowed: &[ #( #allowed ),* ],
                    default: #default,
                    minimum: #minimum,
                    maximum: #maximum,
                }
            }
        })
        .collect();
    let header_params: Vec<TokenStream> = params
        .iter()
        .filter(|p| p.get("in").and_then(Value::as_str) == Some("header"))
        .map(|param| {
            let Described { name, required, description, schema, kind } = described(doc, param);
            let allowed = enum_texts(schema);
            let pattern = pattern_of(schema, patterns);
            let min = option_usize(schema.get("minLength"));
            let max = option_usize(schema.get("maxLength"));
            let minimum = option_f64(schema.get("minimum"));
            let maximum = option_f64(schema.get("maximum"));
            // Named in full: a spec without header parameters imports nothing unused.
            quote! {
                crate::operation::HeaderParam {
                    name: #name,
                    required: #required,
                    description: #description,
                    kind: #kind,
                    allowed: &[ #( #allowed ),* ],
                    pattern: #pattern,
                    min_length: #min,
                    max_length: #max,
                    minimum: #minimum,
                    maximum: #maximum,
                }
            }
        })
        .collect();
    let body = request_body(doc, op);
    let summary = one_line(op.operation.get("summary"));
    let statuses: Vec<u16> = op
        .operation
        .get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(status, _)| status.parse().ok())
        .collect();
    let list = match crate::shapes::lists::list_shape(doc, op) {
        Some(Ok(shape)) => {
            let (items, total) = (&shape.items, &shape.total);
            let identity = match &shape.identity {
                Some(wire) => quote!(Some(#wire)),
                None => quote!(None),
            };
            let max_limit = match shape.max_limit {
                Some(max) => quote!(Some(#max)),
                None => quote!(None),
            };
            quote!(Some(crate::operation::ListShape { items: #items, total: #total, identity: #identity, max_limit: #max_limit }))
        }
        _ => quote!(None),
    };
    Ok(quote! {
        Operation {
            id: OperationId::#variant,
            method: #method,
            path: #path,
            key: #key,
            path_params: &[ #( #path_params ),* ],
            query_params: &[ #( #query_params ),* ],
            header_params: &[ #( #header_params ),* ],
            body: #body,
            summary: #summary,
            list: #list,
            statuses: &[ #( #statuses ),* ],
        }
    })
}

/// `Some(&PATTERN_N)` for a schema's `pattern` (each pattern compiled once, shared by every parameter
/// that states it), `None` without one.
fn pattern_of(schema: &Value, patterns: &mut Vec<String>) -> TokenStream {
    match schema.get("pattern").and_then(Value::as_str) {
        Some(p) => {
            let index = patterns.iter().position(|q| q == p).unwrap_or_else(|| {
                patterns.push(p.to_string());
                patterns.len() - 1
            });
            let ident = format_ident!("PATTERN_{index}");
            quote!(Some(&#ident))
        }
        None => quote!(None),
    }
}

/// `Some(RequestBody { .. })` for an operation with a JSON body: its top-level fields when the body is
/// one object schema.
fn request_body(doc: &Value, op: &OperationRef<'_>) -> TokenStream {
    let Some(body) = op.operation.get("requestBody").and_then(|b| crate::document::resolve(doc, b).ok()) else {
        return quote!(None);
    };
    let required = body.get("required").and_then(Value::as_bool).unwrap_or(false);
    let schema = body
        .pointer("/content/application~1json/schema")
        .and_then(|s| crate::document::resolve(doc, s).ok())
        .unwrap_or(&Value::Null);
    let needed: Vec<&str> =
        schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    let fields: Vec<TokenStream> = schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, property)| {
            let field = crate::document::resolve(doc, property).unwrap_or(property);
            let is_required = needed.contains(&name.as_str());
            let description = one_line(property.get("description").or_else(|| field.get("description")));
            let kind = field.get("type").and_then(Value::as_str).unwrap_or_default();
            let allowed = enum_texts(field);
            quote! {
                BodyField { name: #name, required: #is_required, description: #description, kind: #kind, allowed: &[ #( #allowed ),* ] }
            }
        })
        .collect();
    quote!(Some(RequestBody { required: #required, fields: &[ #( #fields ),* ] }))
}

/// What every query or header parameter states: its name, whether it is required, its description as
/// one line, its schema (resolved) and the schema's type.
struct Described<'a> {
    name: &'a str,
    required: bool,
    description: String,
    schema: &'a Value,
    kind: &'a str,
}

fn described<'a>(doc: &'a Value, param: &'a Value) -> Described<'a> {
    let schema = crate::document::resolve(doc, param.get("schema").unwrap_or(&Value::Null)).unwrap_or(&Value::Null);
    Described {
        name: param.get("name").and_then(Value::as_str).unwrap_or_default(),
        required: param.get("required").and_then(Value::as_bool).unwrap_or(false),
        description: one_line(param.get("description")),
        schema,
        kind: schema.get("type").and_then(Value::as_str).unwrap_or("string"),
    }
}

/// A description as one line of text.
fn one_line(value: Option<&Value>) -> String {
    value.and_then(Value::as_str).unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ")
}

fn enum_texts(schema: &Value) -> Vec<String> {
    schema
        .get("enum")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|v| !v.is_null())
        .map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))
        .collect()
}

fn option_f64(value: Option<&Value>) -> TokenStream {
    match value.and_then(Value::as_f64) {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    }
}

fn option_usize(value: Option<&Value>) -> TokenStream {
    match value.and_then(Value::as_u64).and_then(|v| usize::try_from(v).ok()) {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    }
}
