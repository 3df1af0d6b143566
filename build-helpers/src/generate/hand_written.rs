//! Methods progenitor cannot emit, written here in the shape of its positional methods and through the
//! same hooks (`pre`, `exec`, `post`): OPTIONS operations, whose generated code would call a
//! `reqwest::Client::options` that does not exist. Normalization made their responses body-less.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::document::{OperationRef, operations, parameters, snake_case};
use crate::error::{Result, SpecError};
use crate::normalize::X_HAND_WRITTEN;
use crate::validate::template_names;

/// The hand-written methods for every `x-pipecat-hand-written` operation, in one `impl Client`.
pub fn methods(doc: &Value) -> Result<TokenStream> {
    let mut methods = Vec::new();
    for op in operations(doc) {
        if op.operation.get(X_HAND_WRITTEN).and_then(Value::as_bool) == Some(true) {
            methods.push(method(doc, &op)?);
        }
    }
    if methods.is_empty() {
        return Ok(TokenStream::new());
    }
    Ok(quote! {
        /// Operations written by the generator itself, through the same hooks as progenitor's.
        impl Client {
            #( #methods )*
        }
    })
}

fn method(doc: &Value, op: &OperationRef<'_>) -> Result<TokenStream> {
    let id = op.operation_id().unwrap_or_default();
    let name = format_ident!("{}", snake_case(id));
    let method_name = snake_case(id);
    let params = parameters(doc, op)?;
    if params.iter().any(|p| p.get("in").and_then(Value::as_str) != Some("path"))
        || op.operation.get("requestBody").is_some()
    {
        return Err(SpecError::invalid(
            op.label(),
            "only path parameters are supported on an OPTIONS operation; drop its query, header and body parameters",
        ));
    }
    let mut args = Vec::new();
    let mut idents = Vec::new();
    let mut arg_docs = Vec::new();
    for param_name in template_names(op.path) {
        let ident = format_ident!("{}", snake_case(param_name));
        let is_uuid = params.iter().any(|p| {
            p.get("name").and_then(Value::as_str) == Some(param_name)
                && p.pointer("/schema/format").and_then(Value::as_str) == Some("uuid")
        });
        let ty = if is_uuid { quote!(&'a ::uuid::Uuid) } else { quote!(&'a str) };
        args.push(quote!(#ident: #ty));
        idents.push(ident);
        arg_docs.push(format!("- `{}`", snake_case(param_name)));
    }
    let mut template = op.path.to_string();
    for param_name in template_names(op.path) {
        template = template.replace(&format!("{{{param_name}}}"), "{}");
    }
    let template = format!("{{}}{template}");
    let mut arms = Vec::new();
    for status in op.operation.get("responses").and_then(Value::as_object).into_iter().flatten().map(|(s, _)| s) {
        let Ok(code) = status.parse::<u16>() else { continue };
        if (200..300).contains(&code) {
            arms.push(quote!(#code => Ok(ResponseValue::empty(response)),));
        } else if code >= 400 {
            arms.push(quote!(#code => Err(Error::ErrorResponse(ResponseValue::empty(response))),));
        }
    }
    let summary = op.operation.get("summary").and_then(Value::as_str).unwrap_or(id);
    let doc_text =
        format!("{summary}\n\nSends an `OPTIONS` request to `{}`\n\nArguments:\n{}", op.path, arg_docs.join("\n"));
    Ok(quote! {
        #[doc = #doc_text]
        pub async fn #name<'a>(&'a self, #( #args ),*) -> Result<ResponseValue<()>, Error<()>> {
            let url = format!(#template, self.baseurl, #( encode_path(&#idents.to_string()) ),*);
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map.append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(Self::api_version()),
            );
            #[allow(unused_mut)]
            let mut request = self.client.request(::reqwest::Method::OPTIONS, url).headers(header_map).build()?;
            let info = OperationInfo { operation_id: #method_name };
            self.pre(&mut request, &info).await?;
            let result = self.exec(request, &info).await;
            self.post(&result, &info).await?;
            let response = result?;
            match response.status().as_u16() {
                #( #arms )*
                _ => Err(Error::UnexpectedResponse(response)),
            }
        }
    })
}
