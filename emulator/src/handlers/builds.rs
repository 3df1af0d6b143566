//! Cloud builds (pipecat-cloud/guides/cloud-builds.mdx; the build-* endpoint pages). An upload URL
//! points at the emulator itself and takes the multipart form the real pre-signed URL takes: every
//! `uploadFields` entry by its exact name, then the archive as `file`. A build of an uploaded context
//! goes `pending` → `building` → `success` (or `failed`, by rule) with a log; a successful build of
//! the same context, region and Dockerfile is answered from cache (200, `cached: true`).
//!
//! The context hash is the 64-bit FNV-1a of the archive, as 16 hex characters (the API names no
//! algorithm).

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Answer, Call, page};
use crate::clock::timestamp;
use crate::progression::{Progression, Stage};
use crate::reply::{Reply, bad_request, error, not_found};
use crate::state::{Build, BuildStatus, State, Upload, is_region, new_id};
use crate::upload_form::Form;

/// How long an upload URL works.
const UPLOAD_LIFETIME_MINUTES: i64 = 15;

/// The image a successful build makes.
pub(super) fn image_uri(state: &State, build: &Build) -> String {
    format!("registry.emulator.invalid/{}/agents:{}", state.organization_id, build.context_hash)
}

/// Takes every build step that is due.
pub(super) fn settle(state: &mut State, progression: Progression, now: DateTime<Utc>) {
    for build in state.builds.iter_mut().filter(|b| !b.status.is_final()) {
        while !build.status.is_final() && build.stage.step(progression, now) {
            let at = build.stage.since;
            let stamp = at.format("%Y/%m/%d %H:%M:%S");
            build.updated_at = at;
            if build.status == BuildStatus::Pending {
                build.status = BuildStatus::Building;
                build.started_at = Some(at);
                build.log.push(format!("[Container] {stamp} Entering phase: INSTALL"));
                build.log.push(format!("[Container] {stamp} Entering phase: BUILD"));
                build
                    .log
                    .push(format!("[Container] {stamp} Running command docker build -f {} .", build.dockerfile_path));
                continue;
            }
            build.completed_at = Some(at);
            if let Some(message) = &build.failure {
                build.status = BuildStatus::Failed;
                build.log.push(format!("[Container] {stamp} Command did not exit successfully: {message}"));
                build.log.push(format!("[Container] {stamp} Phase complete: BUILD State: FAILED"));
            } else {
                build.status = BuildStatus::Success;
                build.log.push(format!("[Container] {stamp} Phase complete: BUILD State: SUCCEEDED"));
                build.log.push(format!("[Container] {stamp} Entering phase: POST_BUILD"));
            }
        }
    }
}

fn view(state: &State, build: &Build, base_url: &str) -> Value {
    let mut view = json!({
        "id": build.id.to_string(),
        "organizationId": state.organization_id,
        "status": build.status.as_str(),
        "region": build.region,
        "contextHash": build.context_hash,
        "dockerfilePath": build.dockerfile_path,
        "logsUrl": format!("{base_url}/v1/builds/{}/logs", build.id),
        "contextSizeBytes": build.context_size_bytes,
        "createdAt": timestamp(build.created_at),
        "updatedAt": timestamp(build.updated_at),
    });
    if let Some(started) = build.started_at {
        view["startedAt"] = json!(timestamp(started));
    }
    if let Some(completed) = build.completed_at {
        view["completedAt"] = json!(timestamp(completed));
        view["buildDurationSeconds"] = json!((completed - build.started_at.unwrap_or(completed)).num_seconds());
    }
    match build.status {
        BuildStatus::Success => {
            view["imageUri"] = json!(image_uri(state, build));
            view["imageSizeBytes"] = json!(build.context_size_bytes.saturating_mul(4).saturating_add(50_000_000));
        }
        BuildStatus::Failed | BuildStatus::Timeout => {
            view["errorMessage"] = json!(build.failure.clone().unwrap_or_else(|| "the build failed".into()));
        }
        _ => {}
    }
    view
}

fn find(state: &State, call: &Call<'_>) -> Option<usize> {
    let id: Uuid = call.param("buildId").parse().ok()?;
    state.builds.iter().position(|b| b.id == id)
}

/// `listBuilds`' query.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListQuery {
    status: Option<String>,
    region: Option<String>,
    context_hash: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// `getBuildLogs`' query.
#[derive(Deserialize)]
struct LogsQuery {
    limit: Option<usize>,
}

/// `getBuildUploadUrl`'s body.
#[derive(Deserialize)]
struct UploadUrlRequest {
    region: Option<String>,
}

/// `createBuild`'s body.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateRequest {
    upload_id: Option<String>,
    region: Option<String>,
    dockerfile_path: Option<String>,
}

fn build_not_found() -> Reply {
    not_found("Build not found")
}

pub(super) fn get(state: &mut State, call: &Call<'_>) -> Answer {
    let index = find(state, call).ok_or_else(build_not_found)?;
    if let Some(build) = state.builds.get_mut(index) {
        build.stage.poll();
    }
    settle(state, call.settings.progression, call.now);
    let build = state.builds.get(index).ok_or_else(build_not_found)?;
    Ok(Reply::json(200, json!({"build": view(state, build, &call.settings.base_url)})))
}

pub(super) fn logs(state: &mut State, call: &Call<'_>) -> Answer {
    let query: LogsQuery = call.query_as()?;
    let build = find(state, call).and_then(|i| state.builds.get(i)).ok_or_else(build_not_found)?;
    let start = build.log.len().saturating_sub(query.limit.unwrap_or(500));
    let mut answer = json!({"logs": build.log[start..]});
    // Lines before the tail exist; the API says so with a token it takes no parameter for.
    if start > 0 {
        answer["nextToken"] = json!(format!("emulator-{start}"));
    }
    Ok(Reply::json(200, answer))
}

pub(super) fn list(state: &mut State, call: &Call<'_>) -> Answer {
    let query: ListQuery = call.query_as()?;
    let keep = |b: &&Build| {
        query.status.as_ref().is_none_or(|s| b.status.as_str() == s)
            && query.region.as_ref().is_none_or(|r| &b.region == r)
            && query.context_hash.as_ref().is_none_or(|h| &b.context_hash == h)
    };
    let total = state.builds.iter().filter(keep).count();
    let (limit, offset) = (query.limit.unwrap_or(20), query.offset.unwrap_or(0));
    let builds: Vec<Value> = page(state.builds.iter().rev().filter(keep), limit, offset)
        .into_iter()
        .map(|b| view(state, b, &call.settings.base_url))
        .collect();
    Ok(Reply::json(200, json!({"builds": builds, "total": total, "limit": limit, "offset": offset})))
}

pub(super) fn upload_url(state: &mut State, call: &Call<'_>) -> Answer {
    let request: UploadUrlRequest = call.body_as()?;
    let region = request.region.unwrap_or_else(|| state.default_region.clone());
    if !is_region(&region) {
        return Err(bad_request(format!("Cloud builds are not available in region '{region}'")));
    }
    let id = new_id();
    let signature = format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
    let key = format!("{}/{id}.tar.gz", state.organization_id);
    let expires_at = call.now + chrono::Duration::minutes(UPLOAD_LIFETIME_MINUTES);
    let date = call.now.format("%Y%m%dT%H%M%SZ").to_string();
    let fields = json!({
        "key": key,
        "bucket": "pipecat-emulator-builds",
        "Content-Type": "application/gzip",
        "Policy": format!("emulator-policy-{id}"),
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": format!("EMULATOR/{}/{region}/s3/aws4_request", &date[..8]),
        "X-Amz-Date": date,
        "X-Amz-Security-Token": "emulator",
        "X-Amz-Signature": signature,
    });
    let expected: std::collections::BTreeMap<String, String> = fields
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, value)| (name.clone(), value.as_str().unwrap_or_default().to_string()))
        .collect();
    state.uploads.insert(id, Upload { region, signature, key, expires_at, archive: None, fields: expected });
    Ok(Reply::json(
        200,
        json!({
            "uploadId": id.to_string(),
            "uploadUrl": format!("{}/_emulator/uploads/{id}", call.settings.base_url),
            "uploadFields": fields,
            "expiresAt": timestamp(expires_at),
        }),
    ))
}

pub(super) fn create(state: &mut State, call: &Call<'_>) -> Answer {
    let request: CreateRequest = call.body_as()?;
    let upload_id: Option<Uuid> = request.upload_id.as_deref().and_then(|id| id.parse().ok());
    let upload = upload_id
        .and_then(|id| state.uploads.get(&id))
        .ok_or_else(|| bad_request("Upload not found: request an upload URL and upload the context first"))?;
    let (hash, size) =
        upload.archive.clone().ok_or_else(|| bad_request("Upload not found: the context was not uploaded"))?;
    let region = request.region.unwrap_or_default();
    if region != upload.region {
        return Err(bad_request(format!("Region '{region}' is not the region of the upload, '{}'", upload.region)));
    }
    let dockerfile = request.dockerfile_path.unwrap_or_else(|| "Dockerfile".to_string());
    let cached = state.builds.iter().rev().find(|b| {
        b.status == BuildStatus::Success
            && b.context_hash == hash
            && b.region == region
            && b.dockerfile_path == dockerfile
    });
    if let Some(build) = cached {
        return Ok(Reply::json(
            200,
            json!({"build": view(state, build, &call.settings.base_url), "contextHash": hash, "cached": true}),
        ));
    }
    let failure =
        state.rules.build_fails(&dockerfile).then(|| format!("docker build of {dockerfile} failed (emulator rule)"));
    let build = Build {
        id: new_id(),
        status: BuildStatus::Pending,
        stage: Stage::new(call.now),
        region,
        context_hash: hash.clone(),
        dockerfile_path: dockerfile,
        context_size_bytes: size,
        created_at: call.now,
        started_at: None,
        completed_at: None,
        updated_at: call.now,
        failure,
        log: Vec::new(),
    };
    let answer = json!({"build": view(state, &build, &call.settings.base_url), "contextHash": hash, "cached": false});
    state.builds.push(build);
    Ok(Reply::json(201, answer))
}

/// The upload form posted to `/_emulator/uploads/{id}`: every field the upload URL gave, by its exact
/// name and value, then the archive as `file`. Answers 204 as the storage service does.
pub(crate) fn receive_upload(state: &mut State, id: &str, form: &Form, now: DateTime<Utc>) -> Reply {
    let denied = |message: &str| error(403, "ACCESS_DENIED", message);
    let Some(upload) = id.parse::<Uuid>().ok().and_then(|id| state.uploads.get_mut(&id)) else {
        return denied("no such upload");
    };
    if now > upload.expires_at {
        return denied("the upload URL has expired; request a new one");
    }
    if form.field("X-Amz-Signature") != Some(upload.signature.as_bytes())
        || form.field("key") != Some(upload.key.as_bytes())
    {
        return denied("the form's fields do not match the upload URL's (names are case-sensitive)");
    }
    if let Some(missing) =
        upload.fields.iter().find(|(name, value)| form.field(name) != Some(value.as_bytes())).map(|(n, _)| n)
    {
        return denied(&format!(
            "the form's field `{missing}` is missing or differs from the upload URL's (names are case-sensitive)"
        ));
    }
    let Some(archive) = form.file else {
        return error(400, "MALFORMED_POST_REQUEST", "the form has no `file` part");
    };
    upload.archive = Some((archive.context_hash(), archive.size));
    Reply::empty(204)
}
