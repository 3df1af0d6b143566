//! Regions and the organization's one property, `defaultRegion` (pipecat-cloud/guides/regions.mdx; the
//! spec's listRegions, getProperties, updateProperties, getPropertiesSchema). `defaultRegion` is the
//! region a new agent, secret set or build gets when the request names none.

use serde_json::{Map, Value, json};

use super::{Answer, Call};
use crate::reply::{Reply, bad_request};
use crate::state::{REGIONS, State, is_region};

pub(super) fn regions(_state: &mut State, _call: &Call<'_>) -> Answer {
    let regions: Vec<Value> = REGIONS.iter().map(|(code, name)| json!({"code": code, "display_name": name})).collect();
    Ok(Reply::json(200, json!({"regions": regions})))
}

pub(super) fn properties(state: &mut State, _call: &Call<'_>) -> Answer {
    Ok(Reply::json(200, json!({"properties": {"defaultRegion": state.default_region}})))
}

fn schema(state: &State) -> Value {
    json!({"properties": {"defaultRegion": {
        "type": "string",
        "description": "The region new agents, secret sets and builds get when a request names none.",
        "default": "us-west",
        "currentValue": state.default_region,
        "availableValues": REGIONS.iter().map(|(code, _)| *code).collect::<Vec<_>>(),
        "readOnly": false,
    }}})
}

pub(super) fn properties_schema(state: &mut State, _call: &Call<'_>) -> Answer {
    Ok(Reply::json(200, schema(state)))
}

pub(super) fn update_properties(state: &mut State, call: &Call<'_>) -> Answer {
    // Every property by name: an unknown one is refused by name.
    let properties: Map<String, Value> = call.body_as()?;
    if properties.is_empty() {
        return Err(bad_request("No properties provided"));
    }
    if let Some(unknown) = properties.keys().find(|k| *k != "defaultRegion") {
        return Err(bad_request(format!("Property '{unknown}' is not a valid property")));
    }
    let region = properties.get("defaultRegion").and_then(Value::as_str).unwrap_or_default();
    if !is_region(region) {
        let available = REGIONS.iter().map(|(code, _)| *code).collect::<Vec<_>>().join(", ");
        return Err(bad_request(format!("Region '{region}' is not available. Available regions: {available}")));
    }
    state.default_region = region.to_string();
    Ok(Reply::json(200, schema(state)))
}
