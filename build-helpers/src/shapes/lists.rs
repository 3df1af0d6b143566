//! Paged lists from the spec's shape: an operation whose query takes optional integer `limit` and
//! `offset` and whose JSON answer holds exactly one array and a total (`total` or `total_count`: an
//! integer, or an object with an integer `value`). The catalog states it, the facade pages it, and the
//! diff rates a change of it: all three read it here.

use serde_json::Value;

use crate::document::{OperationRef, parameters, resolve};

/// A paged list's shape on the wire: what the catalog states and the facade's paging reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListShape {
    /// The answer's array property.
    pub items: String,
    /// The answer's total property.
    pub total: String,
    /// The item property that identifies an item, if it has one.
    pub identity: Option<String>,
    /// The spec's maximum for `limit`.
    pub max_limit: Option<u64>,
}

impl ListShape {
    /// `items `sessions`, total `total_count`, identity `sessionId``, for reports.
    pub fn describe(&self) -> String {
        format!(
            "limit/offset, items `{}`, total `{}`, identity {}{}",
            self.items,
            self.total,
            self.identity.as_ref().map_or("the whole item".to_string(), |w| format!("`{w}`")),
            self.max_limit.map_or(String::new(), |m| format!(", at most {m} per page"))
        )
    }
}

/// The list shape of `op` from the spec alone; `None` when it takes neither `limit` nor `offset`, and
/// why it is not a paged list when it takes them but fails the rule.
pub fn list_shape(doc: &Value, op: &OperationRef<'_>) -> Option<Result<ListShape, String>> {
    let params = parameters(doc, op).ok()?;
    let query = |name: &str| {
        params.iter().find(|p| {
            p.get("in").and_then(Value::as_str) == Some("query") && p.get("name").and_then(Value::as_str) == Some(name)
        })
    };
    let (limit, offset) = (query("limit"), query("offset"));
    if limit.is_none() && offset.is_none() {
        return None;
    }
    Some(shape_of(doc, op, limit.copied(), offset.copied()))
}

fn shape_of(
    doc: &Value,
    op: &OperationRef<'_>,
    limit: Option<&Value>,
    offset: Option<&Value>,
) -> Result<ListShape, String> {
    let (Some(limit), Some(offset)) = (limit, offset) else {
        return Err("it takes only one of `limit` and `offset`".into());
    };
    let schema_of = |p: &Value| p.get("schema").and_then(|s| resolve(doc, s).ok()).cloned().unwrap_or(Value::Null);
    let (limit_schema, offset_schema) = (schema_of(limit), schema_of(offset));
    let integer = |s: &Value| s.get("type").and_then(Value::as_str) == Some("integer");
    let required = |p: &Value| p.get("required").and_then(Value::as_bool) == Some(true);
    if !integer(&limit_schema) || !integer(&offset_schema) || required(limit) || required(offset) {
        return Err("`limit` and `offset` are not both optional integers".into());
    }
    if op.operation.get("requestBody").is_some() {
        return Err("it takes a body".into());
    }
    let schema = success_schema(doc, op).ok_or("its success answer has no JSON schema")?;
    let properties = schema.get("properties").and_then(Value::as_object).ok_or("its answer is not an object")?;
    let arrays: Vec<(&String, &Value)> = properties
        .iter()
        .filter_map(|(name, p)| resolve(doc, p).ok().map(|p| (name, p)))
        .filter(|(_, p)| p.get("type").and_then(Value::as_str) == Some("array"))
        .collect();
    let [(items, array)] = arrays.as_slice() else {
        return Err(format!("its answer has {} arrays, not one", arrays.len()));
    };
    let total = ["total", "total_count"]
        .into_iter()
        .find(|name| properties.get(*name).is_some_and(|p| is_total(doc, p)))
        .ok_or(
            "its answer has no total (`total` or `total_count`: an integer, or an object with an integer `value`)",
        )?;
    let singular = items.strip_suffix('s').unwrap_or(items);
    let item_properties = array
        .get("items")
        .and_then(|i| resolve(doc, i).ok())
        .and_then(|i| i.get("properties"))
        .and_then(Value::as_object);
    let identity = ["id".to_string(), format!("{singular}Id")]
        .into_iter()
        .find(|wire| item_properties.is_some_and(|p| p.contains_key(wire)));
    let max_limit = limit_schema.get("maximum").and_then(Value::as_f64).filter(|m| *m >= 1.0).map(|m| m as u64);
    Ok(ListShape { items: (*items).clone(), total: total.to_string(), identity, max_limit })
}

fn success_schema<'a>(doc: &'a Value, op: &OperationRef<'a>) -> Option<&'a Value> {
    let responses = op.operation.get("responses")?.as_object()?;
    let (_, response) = responses.iter().find(|(status, _)| status.starts_with('2'))?;
    let schema = resolve(doc, response).ok()?.pointer("/content/application~1json/schema")?;
    resolve(doc, schema).ok()
}

fn is_total(doc: &Value, property: &Value) -> bool {
    let Ok(property) = resolve(doc, property) else { return false };
    match property.get("type").and_then(Value::as_str) {
        Some("integer") => true,
        Some("object") => {
            property
                .pointer("/properties/value")
                .and_then(|v| resolve(doc, v).ok())
                .and_then(|v| v.get("type"))
                .and_then(Value::as_str)
                == Some("integer")
        }
        _ => false,
    }
}
