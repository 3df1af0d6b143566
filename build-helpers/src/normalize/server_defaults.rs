//! `server-side-defaults`: a request field the caller leaves out is left out.
//!
//! A `default` in a request schema says what the server assumes when the field is absent. Generated as
//! is, the field becomes non-optional and the client always sends the default: `createService` would
//! send `region: us-west` and override the organization's own default region. Request properties that
//! are not required lose their `default` (kept in the description), so they stay optional and an unset
//! field is not sent.

use serde_json::Value;

use super::Pass;
use super::schema_walk::{Side, for_each_schema};
use crate::error::Result;

pub(super) const PASS: Pass = Pass {
    name: "server-side-defaults",
    purpose: "keep request fields with a server-side default optional, so unset fields are not sent",
    apply,
};

fn apply(doc: &mut Value) -> Result<Vec<String>> {
    let mut changes = Vec::new();
    for_each_schema(doc, Side::Request, |site| {
        let required: Vec<String> = site
            .schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        let Some(properties) = site.schema.get_mut("properties").and_then(Value::as_object_mut) else { return };
        for (name, property) in properties.iter_mut() {
            if required.contains(name) {
                continue;
            }
            let Some(map) = property.as_object_mut() else { continue };
            if let Some(default) = map.remove("default") {
                let note = format!("The server assumes {default} when this is not sent.");
                let description = match map.get("description").and_then(Value::as_str) {
                    Some(text) => format!("{text} {note}"),
                    None => note,
                };
                map.insert("description".into(), Value::String(description));
                changes.push(format!("{}.{name}: optional, not sent when unset (server default {default})", site.name));
            }
        }
    });
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn optional_request_properties_lose_their_default_but_responses_keep_it() {
        let object = json!({"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string", "default": "x"},
            "region": {"type": "string", "default": "us-west", "description": "Region."}}});
        let mut doc = json!({"paths": {"/agents": {"post": {"operationId": "createService",
            "requestBody": {"content": {"application/json": {"schema": object.clone()}}},
            "responses": {"200": {"content": {"application/json": {"schema": object.clone()}}}}}}}});
        let changes = apply(&mut doc).unwrap_or_default();
        let op = &doc["paths"]["/agents"]["post"];
        let request = &op["requestBody"]["content"]["application/json"]["schema"]["properties"];
        assert_eq!(
            request["region"],
            json!({"type": "string", "description": "Region. The server assumes \"us-west\" when this is not sent."})
        );
        assert_eq!(request["name"]["default"], json!("x"), "a required field keeps its default");
        assert_eq!(op["responses"]["200"]["content"]["application/json"]["schema"], object);
        assert_eq!(
            changes,
            vec!["CreateServiceBody.region: optional, not sent when unset (server default \"us-west\")"]
        );
    }
}
