//! One operation as the facade generator sees it: the spec's facts (wire names, rules, prose) joined
//! with the Rust types progenitor chose for it.

use quote::ToTokens;
use serde_json::Value;
use syn::visit_mut::VisitMut;

use crate::document::{OperationRef, parameters, snake_case};
use crate::error::{Result, SpecError};
use crate::generate::signatures::{Signature, is_uuid, option_inner, owned};
use crate::normalize::{X_KEY, X_SUB_PATH};
use crate::shapes::names::{NameCase, camel_ident, ident, snake_ident, typify_name};
use crate::shapes::paths::template_names;

/// Names a builder already uses for its own methods and fields; a parameter named so gets `_param` added
/// to its field and setter (`query` → `.query_param(..)`), deterministically. A name missing here meets
/// its twin when the facade is generated, which refuses the spec at the parameter's operation, naming
/// this list (`facade::refuse_duplicate_members`).
pub const BUILDER_NAMES: [&str; 15] = [
    "send",
    "items",
    "pages",
    "paginate",
    "send_with_response",
    "header",
    "timeout",
    "retry",
    "into_future",
    "body",
    "query",
    "json",
    "bytes",
    "client",
    "settings",
];

/// A parameter of an operation.
#[derive(Debug)]
pub struct Param {
    /// Name in the spec (on the wire), e.g. `deploymentId`.
    pub wire_name: String,
    /// The argument's, field's and setter's identifier, e.g. `deployment_id` (`query_param` for a
    /// parameter named like a builder method).
    pub ident: syn::Ident,
    /// The owned Rust type of the value (without `Option`).
    pub ty: syn::Type,
    /// The type as a user names it, for docs: `pipecat_cloud::types::X`.
    pub doc_type: String,
    /// A path parameter of format uuid, taken as `Uuid`.
    pub uuid: bool,
    /// The parameter's description.
    pub description: String,
    /// Its schema (rules for docs).
    pub schema: Value,
    /// The spec's example value, if any.
    pub example: Option<String>,
    /// For a header parameter, its index among the operation's header parameters in the catalog
    /// (`Operation::header_params`), which hold the rules its value is checked against.
    pub header: Option<usize>,
}

impl Param {
    /// The identifier as text, without `r#`.
    pub fn ident_text(&self) -> String {
        self.ident.to_string().trim_start_matches("r#").to_string()
    }

    /// A value for examples: the spec's example, else one derived from the name.
    pub fn sample(&self) -> String {
        match &self.example {
            Some(example) => example.clone(),
            None if self.uuid => "1d6f6c4a-3f5e-4d7b-9a65-0c9b9e2f4a10".to_string(),
            None => heck::ToKebabCase::to_kebab_case(self.wire_name.as_str()),
        }
    }
}

/// The request body of an operation.
#[derive(Debug)]
pub struct Body {
    /// The owned Rust type.
    pub ty: syn::Type,
    /// The type as a user names it, for docs.
    pub doc_type: String,
    /// True when the spec requires it.
    pub required: bool,
    /// The body's description.
    pub description: String,
}

/// What a successful call returns.
#[derive(Debug)]
pub enum Success {
    /// A JSON body decoded as this type.
    Json(Box<syn::Type>),
    /// Nothing (HEAD, OPTIONS, or no documented body).
    Empty,
    /// The session proxy: the agent's answer as it came.
    PassThrough,
}

/// Everything the facade needs about one operation.
#[derive(Debug)]
pub struct OperationModel<'a> {
    /// The operation in the spec.
    pub op: OperationRef<'a>,
    /// Its index in the catalog.
    pub index: usize,
    /// Its operationId.
    pub id: String,
    /// The client method's name.
    pub method: syn::Ident,
    /// The builder type's name.
    pub builder: syn::Ident,
    /// The key it needs, in words (`private`, `public`, `no`).
    pub key: String,
    /// Path parameters, in path order.
    pub path_params: Vec<Param>,
    /// Required query parameters: method arguments.
    pub required_query: Vec<Param>,
    /// Optional query parameters: builder setters.
    pub optional_query: Vec<Param>,
    /// Required header parameters: method arguments, after the required query parameters.
    pub required_headers: Vec<Param>,
    /// Optional header parameters: builder setters.
    pub optional_headers: Vec<Param>,
    /// The body, if the operation takes one.
    pub body: Option<Body>,
    /// What a successful call returns.
    pub success: Success,
}

impl OperationModel<'_> {
    /// The method's name as text.
    pub fn method_text(&self) -> String {
        self.method.to_string().trim_start_matches("r#").to_string()
    }
}

/// The model of `op`, with progenitor's `signature` when it generated the operation (it does not
/// generate OPTIONS).
pub fn model<'a>(
    doc: &'a Value,
    op: OperationRef<'a>,
    index: usize,
    signature: Option<&Signature>,
) -> Result<OperationModel<'a>> {
    let id = op.operation_id().unwrap_or_default().to_string();
    let label = op.label();
    let method = snake_ident(&id, &label)?;
    let builder = camel_ident(&id, &label)?;
    let key = match op.operation.get(X_KEY).and_then(Value::as_str) {
        Some("public") => "public",
        Some("none") => "no",
        _ => "private",
    }
    .to_string();
    let params = parameters(doc, &op)?;
    let spec_param = |name: &str, location: &str| {
        params.iter().copied().find(|p| {
            p.get("in").and_then(Value::as_str) == Some(location)
                && (p.get("name").and_then(Value::as_str) == Some(name)
                    || p.get("name").and_then(Value::as_str).map(snake_case).as_deref() == Some(name))
        })
    };
    // Every argument has a name of its own: a header named like a path or query parameter was given
    // progenitor another name (`generate::renamed_headers`).
    let argument_type = |rust_name: &str| {
        signature.and_then(|s| s.arguments.iter().find(|(n, _)| n == rust_name).map(|(_, ty)| ty.clone()))
    };
    let header_type = argument_type;

    let mut path_params = Vec::new();
    for name in template_names(op.path) {
        let spec = spec_param(name, "path");
        let schema = spec.and_then(|p| p.get("schema")).cloned().unwrap_or(Value::Null);
        let uuid = match argument_type(&typify_name(name, NameCase::Snake)) {
            Some(ty) => is_uuid(&ty),
            None => schema.get("format").and_then(Value::as_str) == Some("uuid"),
        };
        let ty: syn::Type = if uuid { syn::parse_quote!(::uuid::Uuid) } else { syn::parse_quote!(&'a str) };
        path_params.push(param(name, &format!("{label}: path parameter `{name}`"), ty, uuid, spec, schema)?);
    }

    let mut required_query = Vec::new();
    let mut optional_query = Vec::new();
    for spec in params.iter().filter(|p| p.get("in").and_then(Value::as_str) == Some("query")) {
        let name = spec.get("name").and_then(Value::as_str).unwrap_or_default();
        let location = format!("{label}: query parameter `{name}`");
        let schema = spec.get("schema").cloned().unwrap_or(Value::Null);
        refuse_unsendable_query(&crate::document::resolve(doc, &schema).cloned().unwrap_or(schema.clone()), &location)?;
        let Some(ty) = argument_type(&typify_name(name, NameCase::Snake)) else {
            return Err(SpecError::Generate(format!("{location}: progenitor generated no argument for it")));
        };
        let owned = owned(&ty);
        match option_inner(&owned) {
            Some(inner) => optional_query.push(param(name, &location, inner.clone(), false, Some(spec), schema)?),
            None => required_query.push(param(name, &location, owned.clone(), false, Some(spec), schema)?),
        }
    }

    // A header's setter takes the header's name in snake case (`X-Request-Tag` → `x_request_tag`),
    // `_header` added when a path or query parameter has that name already (the name progenitor was
    // given, see `generate::renamed_headers`); one named like a builder method gets `_param`, as any.
    let others: Vec<&str> =
        path_params.iter().chain(&required_query).chain(&optional_query).map(|p| p.wire_name.as_str()).collect();
    let mut required_headers = Vec::new();
    let mut optional_headers = Vec::new();
    let headers = params.iter().filter(|p| p.get("in").and_then(Value::as_str) == Some("header"));
    for (index, spec) in headers.enumerate() {
        let name = spec.get("name").and_then(Value::as_str).unwrap_or_default();
        let location = format!("{label}: header parameter `{name}`");
        let schema = spec.get("schema").cloned().unwrap_or(Value::Null);
        refuse_unsendable_query(&crate::document::resolve(doc, &schema).cloned().unwrap_or(schema.clone()), &location)?;
        let rust_name = typify_name(&crate::shapes::names::header_argument_name(name, &others), NameCase::Snake);
        let ty = header_type(&rust_name)
            .ok_or_else(|| SpecError::Generate(format!("{location}: progenitor generated no argument for it")))?;
        let owned = owned(&ty);
        let (ty, required) = match option_inner(&owned) {
            Some(inner) => (inner.clone(), false),
            None => (owned.clone(), true),
        };
        // A string with a pattern or a length is a checked newtype in progenitor's types; a header takes
        // the text as it is, checked by the catalog's rules when the request is built (as a path value
        // is), so the refusal names the header and its rule. An enum keeps its generated type.
        let resolved = crate::document::resolve(doc, &schema).cloned().unwrap_or(Value::Null);
        let text = resolved.get("type").and_then(Value::as_str) == Some("string") && resolved.get("enum").is_none();
        let ty = if text { syn::parse_quote!(::std::string::String) } else { ty };
        let mut param = param(name, &location, ty, false, Some(spec), schema)?;
        if rust_name != typify_name(name, NameCase::Snake) {
            param.ident = ident(&rust_name, &location)?;
        }
        param.header = Some(index);
        if required { required_headers.push(param) } else { optional_headers.push(param) }
    }

    let sub_path = op.operation.get(X_SUB_PATH).is_some();
    let body = match op.operation.get("requestBody") {
        Some(request_body) => {
            let resolved = crate::document::resolve(doc, request_body)?;
            let required = resolved.get("required").and_then(Value::as_bool).unwrap_or(false);
            let description =
                resolved.get("description").and_then(Value::as_str).unwrap_or_default().trim().to_string();
            let ty = match argument_type("body") {
                Some(ty) => owned(&ty),
                None => syn::parse_quote!(::serde_json::Value),
            };
            let ty = option_inner(&ty).cloned().unwrap_or(ty);
            Some(Body { doc_type: doc_type(&ty), ty, required, description })
        }
        None => None,
    };

    let success = if sub_path {
        Success::PassThrough
    } else {
        match signature.map(|s| &s.success) {
            Some(syn::Type::Tuple(unit)) if unit.elems.is_empty() => Success::Empty,
            Some(ty) if is_byte_stream(ty) => Success::Empty,
            Some(ty) => Success::Json(Box::new(ty.clone())),
            None => Success::Empty,
        }
    };

    Ok(OperationModel {
        op,
        index,
        id,
        method,
        builder,
        key,
        path_params,
        required_query,
        optional_query,
        required_headers,
        optional_headers,
        body,
        success,
    })
}

/// Query and header values are written as text (`Display`): strings, numbers, booleans and enums of them.
/// An array, an object or a date-time would need a serialization the client does not write; refused,
/// located.
fn refuse_unsendable_query(schema: &Value, location: &str) -> Result<()> {
    let kind = schema.get("type").and_then(Value::as_str);
    let format = schema.get("format").and_then(Value::as_str);
    let unsendable = match (kind, format) {
        (Some("array" | "object"), _) => kind.map(|k| format!("of type {k}")),
        (_, Some(f @ ("date-time" | "date" | "byte" | "binary"))) => Some(format!("of format {f}")),
        (None, _) if schema.get("enum").is_none() && schema.as_object().is_some_and(|o| !o.is_empty()) => {
            Some("without a scalar type".to_string())
        }
        _ => None,
    };
    match unsendable {
        Some(what) => Err(SpecError::invalid(
            location,
            format!("a parameter {what} cannot be sent by this client; give it a string, number or boolean type"),
        )),
        None => Ok(()),
    }
}

fn is_byte_stream(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "ByteStream"))
}

fn param(name: &str, location: &str, ty: syn::Type, uuid: bool, spec: Option<&Value>, schema: Value) -> Result<Param> {
    // progenitor's own spelling of the name (`crate` → `crate_`, `1st` → `x1st`): always an identifier.
    let plain = typify_name(name, NameCase::Snake);
    let field = if BUILDER_NAMES.contains(&plain.as_str()) {
        ident(&format!("{plain}_param"), location)?
    } else {
        ident(&plain, location)?
    };
    let description = spec.and_then(|p| p.get("description")).and_then(Value::as_str).unwrap_or_default();
    let example = spec
        .and_then(|p| p.get("example").or_else(|| p.pointer("/schema/example")))
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(Param {
        wire_name: name.to_string(),
        ident: field,
        doc_type: doc_type(&ty),
        ty,
        uuid,
        description: description.split_whitespace().collect::<Vec<_>>().join(" "),
        schema,
        example,
        header: None,
    })
}

/// `ty` as a user outside the crate names it: paths into `types` go through `pipecat_cloud::types`.
pub fn doc_type(ty: &syn::Type) -> String {
    struct Qualify;
    impl VisitMut for Qualify {
        fn visit_path_mut(&mut self, path: &mut syn::Path) {
            let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
            let skip = match names.as_slice() {
                [first, second, ..] if first == "crate" && second == "types" => 1,
                [first, ..] if first == "types" => 0,
                _ => {
                    syn::visit_mut::visit_path_mut(self, path);
                    return;
                }
            };
            let rest: Vec<syn::PathSegment> = path.segments.iter().skip(skip).cloned().collect();
            let mut qualified: syn::Path = syn::parse_quote!(pipecat_cloud);
            qualified.leading_colon = None;
            qualified.segments.extend(rest);
            *path = qualified;
            syn::visit_mut::visit_path_mut(self, path);
        }
    }
    let mut ty = ty.clone();
    Qualify.visit_type_mut(&mut ty);
    ty.to_token_stream()
        .to_string()
        .replace(" :: ", "::")
        .replace(":: ", "::")
        .replace(" < ", "<")
        .replace(" >", ">")
        .replace("< ", "<")
}
