//! The rustdoc of each operation as users read it on the wrapper's own page: the spec's summary and
//! description, the route and the key, every parameter with its rules, the documented error statuses,
//! and an example that compiles.

use serde_json::Value;

use super::model::{Body, OperationModel, Param, Success};
use crate::document::resolve;

/// The rules a parameter's schema sets, in words: `3–63 characters, pattern ^[a-z]$, a UUID`.
pub fn rules(schema: &Value) -> Vec<String> {
    let mut rules = Vec::new();
    let number = |key: &str| schema.get(key).and_then(Value::as_u64);
    match (number("minLength"), number("maxLength")) {
        (Some(min), Some(max)) => rules.push(format!("{min}–{max} characters")),
        (Some(min), None) => rules.push(format!("at least {min} characters")),
        (None, Some(max)) => rules.push(format!("at most {max} characters")),
        (None, None) => {}
    }
    let bound = |key: &str| schema.get(key).filter(|v| v.is_number()).map(Value::to_string);
    match (bound("minimum"), bound("maximum")) {
        (Some(min), Some(max)) => rules.push(format!("{min} to {max}")),
        (Some(min), None) => rules.push(format!("at least {min}")),
        (None, Some(max)) => rules.push(format!("at most {max}")),
        (None, None) => {}
    }
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
        rules.push(format!("must match `{pattern}`"));
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let values: Vec<String> =
            values.iter().map(|v| format!("`{}`", v.as_str().map_or(v.to_string(), str::to_string))).collect();
        rules.push(format!("one of {}", values.join(", ")));
    }
    if let Some(format) = schema.get("format").and_then(Value::as_str) {
        rules.push(match format {
            "uuid" => "a UUID".to_string(),
            "date-time" => "an RFC 3339 date-time".to_string(),
            other => format!("format `{other}`"),
        });
    }
    if let Some(default) = schema.get("default") {
        rules.push(format!(
            "the server assumes `{}` when not sent",
            default.as_str().map_or(default.to_string(), str::to_string)
        ));
    }
    rules
}

/// One line describing a parameter: its description and its rules.
pub fn param_line(param: &Param) -> String {
    let mut text = param.description.trim().trim_end_matches('.').to_string();
    if text.is_empty() {
        text = format!("`{}`", param.wire_name);
    }
    let rules = rules(&param.schema);
    if !rules.is_empty() {
        text.push_str(&format!(" ({})", rules.join("; ")));
    }
    text.push('.');
    if param.header.is_some() {
        text.push_str(&format!(
            " Sent as the header `{}`, its value checked before sending (no CR, LF or NUL, and the rules above).",
            param.wire_name
        ));
    }
    text
}

/// The rustdoc of the client's method for `model`.
pub fn method_doc(doc: &Value, model: &OperationModel<'_>) -> String {
    let op = model.op.operation;
    let text = |key: &str| op.get(key).and_then(Value::as_str).unwrap_or_default().trim().to_string();
    let mut out = Vec::new();
    let summary = text("summary");
    out.push(if summary.is_empty() { format!("Calls `{}`.", model.id) } else { summary });
    let description = text("description");
    if !description.is_empty() {
        out.push(description);
    }
    out.push(format!(
        "`{} /v1{}` (operation `{}`), authenticated with the **{}** key.",
        model.op.method.to_uppercase(),
        model.op.path,
        model.id,
        model.key
    ));
    if !model.path_params.is_empty()
        || !model.required_query.is_empty()
        || !model.required_headers.is_empty()
        || matches!(model.body, Some(Body { required: true, .. }))
    {
        let mut lines = vec!["# Arguments".to_string(), String::new()];
        for param in model.path_params.iter().chain(&model.required_query).chain(&model.required_headers) {
            lines.push(format!("- `{}`: {}", param.ident_text(), param_line(param)));
        }
        if let Some(Body { required: true, description, .. }) = &model.body {
            lines.push(format!("- `body`: {}", if description.is_empty() { "the request body." } else { description }));
        }
        if !model.path_params.is_empty() {
            lines.push(String::new());
            lines.push(
                "Path values are checked against these rules before anything is sent, and escaped so that each \
                 stays one path segment."
                    .to_string(),
            );
        }
        out.push(lines.join("\n"));
    }
    let mut optional: Vec<String> = model
        .optional_query
        .iter()
        .chain(&model.optional_headers)
        .map(|p| format!("- [`{}::{}`]: {}", model.builder, p.ident_text(), param_line(p)))
        .collect();
    if let Some(Body { required: false, description, .. }) = &model.body {
        optional.push(format!(
            "- [`{}::body`]: {}",
            model.builder,
            if description.is_empty() { "the request body." } else { description }
        ));
    }
    if !optional.is_empty() {
        out.push(format!(
            "# Optional parameters\n\nSet on the returned [`{}`] before sending:\n\n{}",
            model.builder,
            optional.join("\n")
        ));
    }
    out.push(match &model.success {
        Success::Json(_) => format!(
            "# Returns\n\n`.send().await` gives the decoded body; `.send_with_response().await` gives it with the \
             status and headers ([`crate::Response`]). Success statuses: {}.",
            statuses(doc, model, |s| (200..300).contains(&s))
        ),
        Success::Empty => {
            "# Returns\n\nNo body: `.send_with_response().await` gives the status and headers.".to_string()
        }
        Success::PassThrough => "# Returns\n\nYour agent's answer as it came, whatever its content type: a \
             [`crate::PassThroughResponse`] with status, headers and bytes (`.json()`, `.text()`)."
            .to_string(),
    });
    let mut errors = Vec::new();
    for (status, description) in responses(doc, model).into_iter().filter(|(s, _)| *s >= 400) {
        errors.push(format!("- HTTP {status}: {description}"));
    }
    errors.push(format!(
        "- [`crate::Error::MissingKey`] when the client holds no {} key, and [`crate::Error::InvalidParameter`] \
         when a path value breaks its rules: both before anything is sent.",
        model.key
    ));
    out.push(format!(
        "# Errors\n\nAn answer outside 2xx is [`crate::Error::Api`] with its status and the API's code and \
         message. Documented:\n\n{}",
        errors.join("\n")
    ));
    out.push(example(model));
    out.join("\n\n")
}

/// The documented statuses matching `keep`, comma-separated.
fn statuses(doc: &Value, model: &OperationModel<'_>, keep: impl Fn(u16) -> bool) -> String {
    let list: Vec<String> =
        responses(doc, model).into_iter().filter(|(s, _)| keep(*s)).map(|(s, _)| s.to_string()).collect();
    if list.is_empty() { "any 2xx".to_string() } else { list.join(", ") }
}

/// `(status, description)` of every documented response with a numeric status.
fn responses(doc: &Value, model: &OperationModel<'_>) -> Vec<(u16, String)> {
    let mut out = Vec::new();
    for (status, response) in model.op.operation.get("responses").and_then(Value::as_object).into_iter().flatten() {
        let Ok(code) = status.parse::<u16>() else { continue };
        let response = resolve(doc, response).unwrap_or(response);
        let description = response.get("description").and_then(Value::as_str).unwrap_or_default().trim();
        out.push((code, one_line(description)));
    }
    out
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An example that compiles (doc tests compile it without running it).
fn example(model: &OperationModel<'_>) -> String {
    let mut lines = vec![
        "# Example".to_string(),
        String::new(),
        "```no_run".to_string(),
        "# async fn example(client: &pipecat_cloud::Client) -> Result<(), Box<dyn std::error::Error>> {".to_string(),
    ];
    let mut args = Vec::new();
    for param in &model.path_params {
        let sample = param.sample();
        if param.uuid {
            lines.push(format!("let {}: pipecat_cloud::Uuid = {sample:?}.parse()?;", param.ident_text()));
            args.push(param.ident_text());
        } else {
            args.push(format!("{sample:?}"));
        }
    }
    for param in model.required_query.iter().chain(&model.required_headers) {
        lines.push(format!("# let {}: {} = unimplemented!();", param.ident_text(), param.doc_type));
        args.push(param.ident_text());
    }
    if let Some(Body { required: true, doc_type, .. }) = &model.body {
        lines.push(format!("# let body: {doc_type} = unimplemented!();"));
        args.push("body".to_string());
    }
    let call = format!("client.{}({})", model.method_text(), args.join(", "));
    match &model.success {
        // The answer is not printed whole: some carry secrets (`startService`'s tokens).
        Success::Json(_) => lines.push(format!("let response = {call}.send_with_response().await?;\nprintln!(\"HTTP {{}}\", response.status());\nlet answer = response.into_body();\n# let _ = answer;")),
        Success::Empty => lines.push(format!(
            "let response = {call}.send_with_response().await?;\nprintln!(\"HTTP {{}}\", response.status());"
        )),
        Success::PassThrough => lines.push(format!(
            "let answer = {call}.send().await?;\nprintln!(\"HTTP {{}}: {{}}\", answer.status(), answer.text()?);"
        )),
    }
    lines.push("# Ok(()) }".to_string());
    lines.push("```".to_string());
    lines.join("\n")
}
