//! The wrapper's facade: for every operation, a method on `pipecat_cloud::Client` taking the required
//! values, and a request builder (`pipecat_cloud::operations::X`) for everything optional, sent with
//! `.send().await` (or awaited directly). New optional parameters become new setters, so callers keep
//! compiling as the spec grows.
//!
//! It is produced in the same pass as the client, from the same syntax progenitor generated (its
//! argument and return types), and lands as a macro in the generated crate that the wrapper expands
//! inside itself: the facade is the wrapper's own code, documented on the wrapper's own page. Inside it,
//! `crate::` names the wrapper; request building, keys, retries and errors are the wrapper's
//! (`crate::request`), reached directly with the operation's catalog entry.

pub mod client_methods;
pub mod docs;
pub mod model;
pub mod paging;

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use self::model::{Body, OperationModel, Success, model};
use super::signatures::Signature;
use crate::document::{operations, snake_case};
use crate::error::{Result, SpecError};
use crate::shapes::paths::template_names;

/// The facade's items, for a normalized document, progenitor's signatures and the generated types (which
/// paged lists are read from); and one line per operation that takes `limit` or `offset`, saying how it
/// pages or why it does not.
pub fn facade(
    doc: &Value,
    signatures: &BTreeMap<String, Signature>,
    types: &[syn::Item],
) -> Result<(TokenStream, Vec<String>)> {
    refuse_colliding_names(doc)?;
    let mut items = Vec::new();
    let mut paging_report = Vec::new();
    for (index, op) in operations(doc).into_iter().enumerate() {
        let id = op.operation_id().unwrap_or_default();
        let model = model(doc, op, index, signatures.get(&snake_case(id)))?;
        let generated = operation(doc, &model)?;
        refuse_duplicate_members(&generated, &model.builder.to_string(), &model.op.label())?;
        items.push(generated);
        match paging::paging(doc, &model, types) {
            Some(Ok(paging)) => {
                paging_report.push(format!("{id}: pages itself ({})", paging.shape));
                items.push(paging::impls(&model, &paging));
            }
            Some(Err(why)) => paging_report.push(format!("{id}: not paged: {why}")),
            None => {}
        }
    }
    Ok((quote! { #( #items )* }, paging_report))
}

/// Two operationIds that become the same method (`getLogs`, `GetLogs`, `get_logs`) or the same builder
/// type are refused with both names, before anything is generated for either.
fn refuse_colliding_names(doc: &Value) -> Result<()> {
    let mut methods: BTreeMap<String, String> = BTreeMap::new();
    let mut builders: BTreeMap<String, String> = BTreeMap::new();
    for op in operations(doc) {
        let id = op.operation_id().unwrap_or_default();
        let method = snake_case(id);
        if let Some((_, file)) = client_methods::CLIENT_METHODS.iter().find(|(name, _)| *name == method) {
            return Err(SpecError::invalid(
                op.label(),
                format!(
                    "operationId `{id}` becomes the method `Client::{method}`, which the client already has \
                     ({file}); rename the operationId"
                ),
            ));
        }
        if let Some(other) = methods.insert(method.clone(), id.to_string()) {
            return Err(SpecError::invalid(
                op.label(),
                format!("operationIds `{other}` and `{id}` both become the method `{method}`; rename one"),
            ));
        }
        let builder = crate::document::upper_camel_case(id);
        if let Some(other) = builders.insert(builder.clone(), id.to_string()) {
            return Err(SpecError::invalid(
                op.label(),
                format!("operationIds `{other}` and `{id}` both become the type `{builder}`; rename one"),
            ));
        }
    }
    Ok(())
}

/// A builder whose inherent methods and fields repeat a name: a parameter's setter that took a name the
/// builder uses for itself (which [`model::BUILDER_NAMES`] should have renamed), refused at the spec's
/// place before rustc would report a duplicate definition inside the wrapper's expanded facade.
fn refuse_duplicate_members(generated: &TokenStream, builder: &str, label: &str) -> Result<()> {
    let file: syn::File = syn::parse2(generated.clone())
        .map_err(|e| SpecError::Generate(format!("the facade of {label} does not parse: {e}")))?;
    let mut members: Vec<(&str, String)> = Vec::new();
    for item in &file.items {
        match item {
            syn::Item::Struct(s) if s.ident == builder => {
                members.extend(s.fields.iter().filter_map(|f| f.ident.as_ref()).map(|i| ("field", i.to_string())));
            }
            syn::Item::Impl(block) if block.trait_.is_none() => {
                members.extend(block.items.iter().filter_map(|item| match item {
                    syn::ImplItem::Fn(method) => Some(("method", method.sig.ident.to_string())),
                    _ => None,
                }));
            }
            _ => {}
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    match members.into_iter().find(|member| !seen.insert(member.clone())) {
        None => Ok(()),
        Some((kind, name)) => Err(SpecError::invalid(
            label,
            format!(
                "a parameter becomes the {kind} `{name}`, which the request builder `{builder}` has itself; add \
                 `{name}` to BUILDER_NAMES in build-helpers/src/generate/facade/model.rs so such parameters are renamed"
            ),
        )),
    }
}

fn operation(doc: &Value, model: &OperationModel<'_>) -> Result<TokenStream> {
    let OperationModel { method, builder, .. } = model;
    let method_doc = docs::method_doc(doc, model);
    let summary = model.op.operation.get("summary").and_then(Value::as_str).unwrap_or(&model.id).trim();
    let builder_doc = format!(
        "Request builder of [`Client::{}`](crate::Client::{}): {summary}\n\nSet optional values with its \
         methods, then `.send().await` it (or `.await` it directly). Per call, `.header()`, `.timeout()` and \
         `.retry()` change what this one request sends and how long it may take.",
        model.method_text(),
        model.method_text()
    );

    let mut args = Vec::new();
    let mut fields = Vec::new();
    let mut inits = Vec::new();
    for param in &model.path_params {
        let ident = &param.ident;
        let ty = &param.ty;
        args.push(quote!(#ident: #ty));
        fields.push(quote!(#ident: #ty));
        inits.push(quote!(#ident));
    }
    for param in model.required_query.iter().chain(&model.required_headers) {
        let ident = &param.ident;
        let ty = &param.ty;
        args.push(quote!(#ident: impl ::std::convert::Into<#ty>));
        fields.push(quote!(#ident: #ty));
        inits.push(quote!(#ident: #ident.into()));
    }
    let mut setters = Vec::new();
    for param in model.optional_query.iter().chain(&model.optional_headers) {
        let ident = &param.ident;
        let ty = &param.ty;
        fields.push(quote!(#ident: ::std::option::Option<#ty>));
        inits.push(quote!(#ident: ::std::option::Option::None));
        let doc = docs::param_line(param);
        setters.push(quote! {
            #[doc = #doc]
            pub fn #ident(mut self, value: impl ::std::convert::Into<#ty>) -> Self {
                self.#ident = ::std::option::Option::Some(value.into());
                self
            }
        });
    }
    let pass_through = matches!(model.success, Success::PassThrough);
    match (&model.body, pass_through) {
        (_, true) => {
            fields.push(quote!(body: ::std::option::Option<crate::contract::Payload>));
            inits.push(quote!(body: ::std::option::Option::None));
            fields.push(quote!(query: ::std::vec::Vec<(::std::string::String, ::std::string::String)>));
            inits.push(quote!(query: ::std::vec::Vec::new()));
            setters.push(pass_through_setters(model.body.is_some()));
        }
        (Some(Body { ty, required: true, .. }), false) => {
            args.push(quote!(body: impl ::std::convert::Into<#ty>));
            fields.push(quote!(body: #ty));
            inits.push(quote!(body: body.into()));
        }
        (Some(Body { ty, required: false, description, .. }), false) => {
            fields.push(quote!(body: ::std::option::Option<#ty>));
            inits.push(quote!(body: ::std::option::Option::None));
            let doc = if description.is_empty() { "The request body.".to_string() } else { description.clone() };
            setters.push(quote! {
                #[doc = #doc]
                pub fn body(mut self, value: impl ::std::convert::Into<#ty>) -> Self {
                    self.body = ::std::option::Option::Some(value.into());
                    self
                }
            });
        }
        (None, false) => {}
    }

    let build = build_request(model)?;
    let (output, send, send_with_response) = match &model.success {
        Success::Json(ty) => (
            quote!(#ty),
            quote! {
                /// Sends the request; the decoded body on success.
                pub async fn send(self) -> ::std::result::Result<#ty, crate::contract::Error> {
                    self.send_with_response().await.map(crate::contract::Response::into_body)
                }
            },
            quote! {
                /// Sends the request; the decoded body with the status and headers on success.
                pub async fn send_with_response(self) -> ::std::result::Result<crate::contract::Response<#ty>, crate::contract::Error> {
                    #build
                    client.send_json(request).await
                }
            },
        ),
        Success::Empty => (
            quote!(()),
            quote! {
                /// Sends the request; `()` on success (the operation answers without a body).
                pub async fn send(self) -> ::std::result::Result<(), crate::contract::Error> {
                    self.send_with_response().await.map(crate::contract::Response::into_body)
                }
            },
            quote! {
                /// Sends the request; the status and headers on success.
                pub async fn send_with_response(self) -> ::std::result::Result<crate::contract::Response<()>, crate::contract::Error> {
                    #build
                    client.send_empty(request).await
                }
            },
        ),
        Success::PassThrough => (
            quote!(crate::contract::PassThroughResponse),
            quote! {
                /// Sends the request; your agent's answer as it came (status, headers, bytes) when it is
                /// a success. An error status is [`crate::Error::Api`] with the status, the `code` and
                /// message when the body is JSON carrying them, else the start of the body.
                pub async fn send(self) -> ::std::result::Result<crate::contract::PassThroughResponse, crate::contract::Error> {
                    #build
                    client.send_pass_through(request).await
                }
            },
            TokenStream::new(),
        ),
    };
    Ok(quote! {
        impl crate::contract::Client {
            #[doc = #method_doc]
            pub fn #method<'a>(&'a self, #( #args ),*) -> #builder<'a> {
                #builder { client: self, #( #inits, )* settings: crate::contract::CallSettings::default() }
            }
        }

        #[doc = #builder_doc]
        #[must_use = "a request does nothing until it is sent: call `.send().await` or `.await` it"]
        pub struct #builder<'a> {
            client: &'a crate::contract::Client,
            #( #fields, )*
            settings: crate::contract::CallSettings,
        }

        impl<'a> #builder<'a> {
            #( #setters )*

            /// Adds a header to this request only (`Authorization` is refused: keys come from the client).
            pub fn header(mut self, name: &str, value: &str) -> Self {
                self.settings.add_header(name, value);
                self
            }

            /// Time allowed for each attempt of this request, instead of the client's.
            pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.settings.timeout = ::std::option::Option::Some(timeout);
                self
            }

            /// The retry policy of this request, instead of the client's.
            pub fn retry(mut self, retry: crate::contract::RetryConfig) -> Self {
                self.settings.retry = ::std::option::Option::Some(retry);
                self
            }

            #send
            #send_with_response
        }

        impl<'a> ::std::future::IntoFuture for #builder<'a> {
            type Output = ::std::result::Result<#output, crate::contract::Error>;
            type IntoFuture = crate::contract::SendFuture<'a, #output>;
            fn into_future(self) -> Self::IntoFuture {
                ::std::boxed::Box::pin(self.send())
            }
        }

        impl ::std::fmt::Debug for #builder<'_> {
            // Values may be secrets (a secret set's values): only the operation is shown.
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(::std::stringify!(#builder)).finish_non_exhaustive()
            }
        }
    })
}

/// The setters of the session proxy's builders: any query string, and a body of any content type.
fn pass_through_setters(takes_body: bool) -> TokenStream {
    let body = takes_body.then(|| {
        quote! {
            /// Sends `value` as a JSON body (`content-type: application/json`).
            pub fn json(mut self, value: &impl ::serde::Serialize) -> Self {
                self.body = ::std::option::Option::Some(crate::contract::Payload::json(value));
                self
            }

            /// Sends `bytes` as the body, with the given content type.
            pub fn bytes(mut self, content_type: &str, bytes: impl ::std::convert::Into<::bytes::Bytes>) -> Self {
                self.body = ::std::option::Option::Some(crate::contract::Payload::bytes(content_type, bytes.into()));
                self
            }
        }
    });
    quote! {
        /// Adds `name=value` to the query string your agent receives (escaped as a form value).
        pub fn query(mut self, name: impl ::std::convert::Into<::std::string::String>, value: impl ::std::convert::Into<::std::string::String>) -> Self {
            self.query.push((name.into(), value.into()));
            self
        }
        #body
    }
}

/// The statements that turn a builder into `client` and `request`: the key checked, each path value
/// checked and escaped, the query and the body written.
fn build_request(model: &OperationModel<'_>) -> Result<TokenStream> {
    let operation = crate::generate::catalog::static_name(&model.op)?;
    let mut steps = Vec::new();
    let mut rest = model.op.path;
    let names = template_names(model.op.path);
    for (param_index, name) in names.iter().enumerate() {
        let placeholder = format!("{{{name}}}");
        let Some(at) = rest.find(&placeholder) else {
            return Err(SpecError::Generate(format!("{}: `{placeholder}` not found in the path", model.op.label())));
        };
        let literal = &rest[..at];
        if !literal.is_empty() {
            steps.push(quote!(request.literal(#literal);));
        }
        let Some(param) = model.path_params.get(param_index) else {
            return Err(SpecError::Generate(format!("{}: no parameter for `{placeholder}`", model.op.label())));
        };
        let ident = &param.ident;
        steps.push(if param.uuid {
            quote!(request.uuid_segment(&self.#ident);)
        } else {
            quote!(request.segment(#param_index, self.#ident)?;)
        });
        rest = &rest[at + placeholder.len()..];
    }
    if !rest.is_empty() {
        steps.push(quote!(request.literal(#rest);));
    }
    for param in &model.required_query {
        let ident = &param.ident;
        let wire = &param.wire_name;
        steps.push(quote!(request.query(#wire, ::std::option::Option::Some(&self.#ident));));
    }
    for param in &model.optional_query {
        let ident = &param.ident;
        let wire = &param.wire_name;
        steps.push(quote!(request.query(#wire, self.#ident.as_ref());));
    }
    // Each header value is checked against its rules (the catalog's, by index) before anything is sent.
    for param in &model.required_headers {
        let (ident, index) = (&param.ident, param.header.unwrap_or_default());
        steps.push(quote!(request.header(#index, ::std::option::Option::Some(&self.#ident))?;));
    }
    for param in &model.optional_headers {
        let (ident, index) = (&param.ident, param.header.unwrap_or_default());
        steps.push(quote!(request.header(#index, self.#ident.as_ref())?;));
    }
    match (&model.body, &model.success) {
        (_, Success::PassThrough) => {
            steps.push(quote! {
                for (name, value) in &self.query {
                    request.query(name, ::std::option::Option::Some(value));
                }
                if let ::std::option::Option::Some(body) = self.body {
                    request.payload(body)?;
                }
            });
        }
        (Some(Body { required: true, .. }), _) => steps.push(quote!(request.json(&self.body)?;)),
        (Some(Body { required: false, .. }), _) => steps.push(quote! {
            if let ::std::option::Option::Some(body) = &self.body {
                request.json(body)?;
            }
        }),
        (None, _) => {}
    }
    Ok(quote! {
        let client = self.client;
        let mut request = client.request(crate::catalog::#operation, self.settings)?;
        #( #steps )*
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_builder_member_named_twice_is_refused_at_the_operation_naming_the_list() {
        let clean = quote! {
            pub struct GetThing<'a> { client: &'a (), limit: Option<i64> }
            impl<'a> GetThing<'a> { pub fn limit(self) -> Self { self } pub fn send(self) {} }
        };
        assert!(refuse_duplicate_members(&clean, "GetThing", "operation getThing").is_ok());
        let twice = quote! {
            pub struct GetThing<'a> { client: &'a (), send: Option<i64> }
            impl<'a> GetThing<'a> { pub fn send(self) -> Self { self } }
            impl<'a> GetThing<'a> { pub fn send(self) {} }
        };
        let refused = refuse_duplicate_members(&twice, "GetThing", "operation getThing").unwrap_err().to_string();
        assert!(refused.contains("operation getThing") && refused.contains("`send`"), "{refused}");
        assert!(refused.contains("BUILDER_NAMES"), "{refused}");
        let field_twice = quote! { pub struct GetThing<'a> { client: &'a (), client: Option<i64> } };
        assert!(refuse_duplicate_members(&field_twice, "GetThing", "operation getThing").is_err());
    }
}
