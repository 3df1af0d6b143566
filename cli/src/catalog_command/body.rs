//! A generated command's JSON body: `--json-body FILE` (or `-`), with the field flags on top, each
//! flag's text read as the JSON value its schema states.

use clap::ArgMatches;
use pipecat_cloud::operation::{BodyField, Operation};
use serde_json::{Map, Value};

use super::arguments::{ArgKey, field_flag, json_body};
use crate::exit::refused;

/// The JSON body: `--json-body`, with the field flags on top; `None` when neither is given.
pub(crate) fn body(operation: &'static Operation, matches: &ArgMatches) -> anyhow::Result<Option<Value>> {
    let Some(spec) = &operation.body else { return Ok(None) };
    let mut object: Option<Map<String, Value>> = None;
    let mut whole: Option<Value> = None;
    if let Some(source) = json_body(matches)? {
        match crate::input::read_json(&source)? {
            Value::Object(map) => object = Some(map),
            other => whole = Some(other),
        }
    }
    for field in spec.fields {
        let Some(text) = ArgKey::Field(field.name).text(matches)? else { continue };
        let value = typed(operation, field, &text)?;
        object.get_or_insert_with(Map::new).insert(field.name.to_string(), value);
    }
    if let Some(whole) = whole {
        if object.is_some() {
            return Err(refused("--json-body is not a JSON object, so field flags cannot be added to it"));
        }
        return Ok(Some(whole));
    }
    let Some(object) = object else {
        return if spec.required {
            Err(refused(format!("{} needs a body: give --json-body FILE or the field flags", operation.id)))
        } else {
            Ok(None)
        };
    };
    let missing: Vec<String> = spec
        .fields
        .iter()
        .filter(|f| f.required && !object.contains_key(f.name))
        .map(|f| format!("--{}", field_flag(operation, f)))
        .collect();
    if !missing.is_empty() {
        return Err(refused(format!("the body lacks required fields; give {}", missing.join(", "))));
    }
    Ok(Some(Value::Object(object)))
}

/// A field flag's text as the JSON value its schema states.
fn typed(operation: &Operation, field: &BodyField, text: &str) -> anyhow::Result<Value> {
    let flag = field_flag(operation, field);
    Ok(match field.kind {
        "integer" => Value::from(
            text.parse::<i64>().map_err(|_| refused(format!("--{flag} takes a whole number, not `{text}`")))?,
        ),
        "number" => {
            let number: f64 = text.parse().map_err(|_| refused(format!("--{flag} takes a number, not `{text}`")))?;
            serde_json::Number::from_f64(number)
                .map(Value::Number)
                .ok_or_else(|| refused(format!("--{flag}: `{text}` is not finite")))?
        }
        "boolean" => Value::Bool(text == "true"),
        "string" => Value::String(text.to_string()),
        _ => serde_json::from_str(text).map_err(|e| refused(format!("--{flag} takes JSON: {e}")))?,
    })
}
