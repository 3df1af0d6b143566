//! Secret sets and image pull secrets (pipecat-cloud/fundamentals/secrets.mdx). An upsert stores the
//! values at once and answers 202; the set is `pending` until it is provisioned in its region, then
//! `ready`. Values are never returned: only key names come back.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Answer, Call};
use crate::progression::{Progression, Stage};
use crate::reply::{Reply, bad_request, error, not_found};
use crate::state::{SecretSet, SetKind, SetStatus, State, is_region};

/// Key names a set may hold: letters, digits, `_` and `-`, up to 64 characters.
fn valid_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= 64 && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `pending` sets whose provisioning is due become `ready`.
pub(super) fn settle(state: &mut State, progression: Progression, now: DateTime<Utc>) {
    for set in state.secret_sets.values_mut() {
        if set.status == SetStatus::Pending && set.stage.step(progression, now) {
            set.status = SetStatus::Ready;
        }
    }
}

/// `upsertSecretSet`'s body: key-value secrets, or an image pull secret.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpsertRequest {
    region: Option<String>,
    is_image_pull_secret: Option<bool>,
    host: Option<String>,
    secret_value: Option<String>,
    secrets: Option<Vec<Pair>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Pair {
    secret_key: String,
    secret_value: String,
}

fn failed_message() -> Value {
    json!("Provisioning failed. Re-create the secret set.")
}

pub(super) fn list(state: &mut State, call: &Call<'_>) -> Answer {
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
                item["errorMessage"] = failed_message();
            }
            item
        })
        .collect();
    Ok(Reply::json(200, json!({"sets": sets})))
}

pub(super) fn get(state: &mut State, call: &Call<'_>) -> Answer {
    let name = call.param("setName");
    let set = state.secret_sets.get_mut(name).ok_or_else(|| not_found("Set not found"))?;
    if set.kind == SetKind::ImagePullSecret {
        return Err(bad_request("Cannot retrieve image pull secrets by name"));
    }
    set.stage.poll();
    settle(state, call.settings.progression, call.now);
    let set = state.secret_sets.get(name).ok_or_else(|| not_found("Set not found"))?;
    let secrets: Vec<Value> = set.values.keys().map(|key| json!({"fieldName": key})).collect();
    let mut body = json!({"region": set.region, "status": set.status.as_str(), "secrets": secrets});
    if set.status == SetStatus::Failed {
        body["errorMessage"] = failed_message();
    }
    Ok(Reply::json(200, body))
}

pub(super) fn upsert(state: &mut State, call: &Call<'_>) -> Answer {
    let request: UpsertRequest = call.body_as().map_err(|_| bad_request("Invalid request format"))?;
    let name = call.param("setName").to_string();
    let region = request.region.clone().unwrap_or_else(|| state.default_region.clone());
    if !is_region(&region) {
        return Err(bad_request("Invalid region or organization does not have access"));
    }
    let existing = state.secret_sets.get(&name);
    if let Some(set) = existing
        && request.region.is_some()
        && set.region != region
    {
        return Err(bad_request(format!(
            "Secret already exists in region '{}'. Cannot change region to '{region}'.",
            set.region
        )));
    }
    let region = existing.map_or(region, |set| set.region.clone());
    let (kind, values, host) = if request.is_image_pull_secret == Some(true) {
        let (Some(host), Some(value)) = (&request.host, &request.secret_value) else {
            return Err(bad_request(
                "Must provide isImagePullSecret, host, and secretValue to update an image pull secret",
            ));
        };
        if existing.is_some_and(|set| set.kind == SetKind::Secret) {
            return Err(bad_request("Cannot update existing regular secrets to image pull secrets"));
        }
        let host = if host.ends_with('/') { host.clone() } else { format!("{host}/") };
        (SetKind::ImagePullSecret, BTreeMap::from([("secretValue".to_string(), value.clone())]), Some(host))
    } else {
        if existing.is_some_and(|set| set.kind == SetKind::ImagePullSecret) {
            return Err(bad_request(
                "Must provide isImagePullSecret, host, and secretValue to update an image pull secret",
            ));
        }
        let pairs = request.secrets.ok_or_else(|| bad_request("Invalid request format"))?;
        let mut values = existing.map(|set| set.values.clone()).unwrap_or_default();
        for Pair { secret_key, secret_value } in pairs {
            if !valid_key(&secret_key) {
                return Err(bad_request(format!(
                    "Invalid secret key '{secret_key}': use letters, digits, '_' and '-', at most 64 characters"
                )));
            }
            values.insert(secret_key, secret_value);
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
    Ok(Reply::json(202, json!({"status": "OK", "region": region})))
}

pub(super) fn delete(state: &mut State, call: &Call<'_>) -> Answer {
    state.secret_sets.remove(call.param("setName")).ok_or_else(|| not_found("Set not found"))?;
    Ok(Reply::ok())
}

pub(super) fn delete_key(state: &mut State, call: &Call<'_>) -> Answer {
    let set = state.secret_sets.get_mut(call.param("setName")).ok_or_else(|| not_found("Set not found"))?;
    if set.kind == SetKind::ImagePullSecret {
        return Err(error(
            400,
            "GENERIC_BAD_REQUEST",
            "Cannot delete a key from an image pull secret; delete the set instead",
        ));
    }
    set.values.remove(call.param("secretKey")).ok_or_else(|| not_found("Secret not found"))?;
    // The change is provisioned like an upsert.
    set.status = SetStatus::Pending;
    set.stage = Stage::new(call.now);
    Ok(Reply::ok())
}
