//! Secret sets and image pull secrets (pipecat-cloud/fundamentals/secrets.mdx). An upsert stores the
//! values at once and answers 202; the set is `pending` until it is provisioned in its region, then
//! `ready`. Values are never returned: only key names come back.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::Call;
use crate::progression::{Progression, Stage};
use crate::reply::{Reply, bad_request, error, not_found};
use crate::state::{SecretSet, SetKind, SetStatus, State, is_region};

/// Key names a set may hold: letters, digits, `_` and `-`, up to 64 characters.
fn valid_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= 64 && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `pending` sets whose provisioning is due become `ready`.
pub fn settle(state: &mut State, progression: Progression, now: DateTime<Utc>) {
    for set in state.secret_sets.values_mut() {
        if set.status == SetStatus::Pending && set.stage.step(progression, now) {
            set.status = SetStatus::Ready;
        }
    }
}

pub fn list(state: &mut State, call: &Call<'_>) -> Reply {
    // The list reports each set's status, and it is the only read of an image pull secret: a list is a
    // poll of every set in it.
    for set in state.secret_sets.values_mut() {
        set.stage.poll();
    }
    settle(state, call.settings.progression, call.now);
    let sets: Vec<Value> = state
        .secret_sets
        .iter()
        .map(|(name, set)| {
            let mut item =
                json!({"name": name, "type": set.kind.as_str(), "region": set.region, "status": set.status.as_str()});
            if set.status == SetStatus::Failed {
                item["errorMessage"] = json!("Provisioning failed. Re-create the secret set.");
            }
            item
        })
        .collect();
    Reply::json(200, json!({"sets": sets}))
}

pub fn get(state: &mut State, call: &Call<'_>) -> Reply {
    let name = call.param("setName");
    let Some(set) = state.secret_sets.get_mut(name) else { return not_found("Set not found") };
    if set.kind == SetKind::ImagePullSecret {
        return bad_request("Cannot retrieve image pull secrets by name");
    }
    set.stage.poll();
    settle(state, call.settings.progression, call.now);
    let Some(set) = state.secret_sets.get(name) else { return not_found("Set not found") };
    let secrets: Vec<Value> = set.values.keys().map(|key| json!({"fieldName": key})).collect();
    let mut body = json!({"region": set.region, "status": set.status.as_str(), "secrets": secrets});
    if set.status == SetStatus::Failed {
        body["errorMessage"] = json!("Provisioning failed. Re-create the secret set.");
    }
    Reply::json(200, body)
}

pub fn upsert(state: &mut State, call: &Call<'_>) -> Reply {
    let name = call.param("setName").to_string();
    let region = call.text("region").map(str::to_string).unwrap_or_else(|| state.default_region.clone());
    if !is_region(&region) {
        return bad_request("Invalid region or organization does not have access");
    }
    let existing = state.secret_sets.get(&name);
    if let Some(set) = existing
        && call.text("region").is_some()
        && set.region != region
    {
        return bad_request(format!(
            "Secret already exists in region '{}'. Cannot change region to '{region}'.",
            set.region
        ));
    }
    let region = existing.map_or(region, |set| set.region.clone());
    let image_pull = call.field("isImagePullSecret").and_then(Value::as_bool) == Some(true);
    let (kind, values, host) = if image_pull {
        let (Some(host), Some(value)) = (call.text("host"), call.text("secretValue")) else {
            return bad_request("Must provide isImagePullSecret, host, and secretValue to update an image pull secret");
        };
        if existing.is_some_and(|set| set.kind == SetKind::Secret) {
            return bad_request("Cannot update existing regular secrets to image pull secrets");
        }
        let host = if host.ends_with('/') { host.to_string() } else { format!("{host}/") };
        (SetKind::ImagePullSecret, BTreeMap::from([("secretValue".to_string(), value.to_string())]), Some(host))
    } else {
        if existing.is_some_and(|set| set.kind == SetKind::ImagePullSecret) {
            return bad_request("Must provide isImagePullSecret, host, and secretValue to update an image pull secret");
        }
        let Some(pairs) = call.field("secrets").and_then(Value::as_array) else {
            return bad_request("Invalid request format");
        };
        let mut values = existing.map(|set| set.values.clone()).unwrap_or_default();
        for pair in pairs {
            let (Some(key), Some(value)) =
                (pair.get("secretKey").and_then(Value::as_str), pair.get("secretValue").and_then(Value::as_str))
            else {
                return bad_request("Invalid request format");
            };
            if !valid_key(key) {
                return bad_request(format!(
                    "Invalid secret key '{key}': use letters, digits, '_' and '-', at most 64 characters"
                ));
            }
            values.insert(key.to_string(), value.to_string());
        }
        (SetKind::Secret, values, None)
    };
    let set = SecretSet {
        kind,
        region: region.clone(),
        status: SetStatus::Pending,
        stage: Stage::new(call.now),
        values,
        host,
    };
    state.secret_sets.insert(name, set);
    Reply::json(202, json!({"status": "OK", "region": region}))
}

pub fn delete(state: &mut State, call: &Call<'_>) -> Reply {
    match state.secret_sets.remove(call.param("setName")) {
        Some(_) => Reply::ok(),
        None => not_found("Set not found"),
    }
}

pub fn delete_key(state: &mut State, call: &Call<'_>) -> Reply {
    let Some(set) = state.secret_sets.get_mut(call.param("setName")) else { return not_found("Set not found") };
    if set.kind == SetKind::ImagePullSecret {
        return error(
            400,
            "GENERIC_BAD_REQUEST",
            "Cannot delete a key from an image pull secret; delete the set instead",
        );
    }
    if set.values.remove(call.param("secretKey")).is_none() {
        return not_found("Secret not found");
    }
    // The change is provisioned like an upsert.
    set.status = SetStatus::Pending;
    set.stage = Stage::new(call.now);
    Reply::ok()
}
