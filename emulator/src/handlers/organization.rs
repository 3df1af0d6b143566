//! Regions and the organization's one property, `defaultRegion` (pipecat-cloud/guides/regions.mdx; the
//! spec's listRegions, getProperties, updateProperties, getPropertiesSchema). `defaultRegion` is the
//! region a new agent, secret set or build gets when the request names none.

use serde_json::{Value, json};

use super::Call;
use crate::reply::{Reply, bad_request};
use crate::state::{REGIONS, State, is_region};

pub fn regions(_state: &mut State, _call: &Call<'_>) -> Reply {
    let regions: Vec<Value> = REGIONS.iter().map(|(code, name)| json!({"code": code, "display_name": name})).collect();
    Reply::json(200, json!({"regions": regions}))
}

pub fn properties(state: &mut State, _call: &Call<'_>) -> Reply {
    Reply::json(200, json!({"properties": {"defaultRegion": state.default_region}}))
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

pub fn properties_schema(state: &mut State, _call: &Call<'_>) -> Reply {
    Reply::json(200, schema(state))
}

pub fn update_properties(state: &mut State, call: &Call<'_>) -> Reply {
    let Some(fields) = call.body.and_then(Value::as_object).filter(|f| !f.is_empty()) else {
        return bad_request("No properties provided");
    };
    if let Some(unknown) = fields.keys().find(|k| *k != "defaultRegion") {
        return bad_request(format!("Property '{unknown}' is not a valid property"));
    }
    let region = call.text("defaultRegion").unwrap_or_default();
    if !is_region(region) {
        let available = REGIONS.iter().map(|(code, _)| *code).collect::<Vec<_>>().join(", ");
        return bad_request(format!("Region '{region}' is not available. Available regions: {available}"));
    }
    state.default_region = region.to_string();
    Reply::json(200, schema(state))
}
