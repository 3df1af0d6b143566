//! `explicit-null-requests`: a request field whose documented values include `null` can send `null`.
//!
//! `krispViva.audioFilter` lists `null` among its values, meaning "turn the filter off". Generated as an
//! optional field, `None` would be left out of the JSON and the caller could never send `null`. Such a
//! property becomes required (still nullable) in its object, so `None` is written as an explicit `null`;
//! leaving the whole parent object out still leaves the setting unchanged.

use serde_json::Value;

use super::Pass;
use super::schema_walk::{Side, for_each_schema};
use crate::error::Result;

pub(super) const PASS: Pass = Pass {
    name: "explicit-null-requests",
    purpose: "let request fields that document `null` as a value send an explicit null",
    apply,
};

fn lists_null(schema: &Value) -> bool {
    schema.get("nullable") == Some(&Value::Bool(true))
        && schema.get("enum").and_then(Value::as_array).is_some_and(|values| values.iter().any(Value::is_null))
}

fn apply(doc: &mut Value) -> Result<Vec<String>> {
    let mut changes = Vec::new();
    for_each_schema(doc, Side::Request, |site| {
        let nullable: Vec<String> = site
            .schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter(|(_, schema)| lists_null(schema))
            .map(|(name, _)| name.clone())
            .collect();
        let Some(object) = site.schema.as_object_mut() else { return };
        for name in nullable {
            let required = object.entry("required").or_insert_with(|| Value::Array(Vec::new()));
            if let Some(list) = required.as_array_mut()
                && !list.iter().any(|v| v.as_str() == Some(&name))
            {
                list.push(Value::String(name.clone()));
                changes.push(format!("{}.{name}: sent as explicit null when unset", site.name));
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
    fn request_properties_listing_null_become_required_nullable() {
        let filter = json!({"type": "string", "nullable": true, "enum": ["tel", "pro", null]});
        let object = json!({"type": "object", "properties": {"audioFilter": filter.clone()}});
        let mut doc = json!({"paths": {"/agents": {"post": {"operationId": "createService",
            "requestBody": {"content": {"application/json": {"schema": {"type": "object",
                "properties": {"krispViva": object.clone()}}}}},
            "responses": {"200": {"content": {"application/json": {"schema": object.clone()}}}}}}}});
        let changes = apply(&mut doc).unwrap_or_default();
        let op = &doc["paths"]["/agents"]["post"];
        assert_eq!(
            op["requestBody"]["content"]["application/json"]["schema"]["properties"]["krispViva"]["required"],
            json!(["audioFilter"])
        );
        assert_eq!(op["responses"]["200"]["content"]["application/json"]["schema"], object);
        assert_eq!(changes, vec!["CreateServiceBodyKrispViva.audioFilter: sent as explicit null when unset"]);
    }
}
