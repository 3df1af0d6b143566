//! One caller of every operation, written the way the README shows: required values as arguments,
//! optional ones set by name, bodies built with `new()` and setters, response enums matched with a
//! fallback arm. `tests/tests/additive_spec_changes.rs` compiles this file against today's spec and
//! against the spec grown by additive changes; it must compile against both, unchanged.
#![allow(dead_code, clippy::unwrap_used)]

use std::time::Duration;

use pipecat_cloud::types::{
    CreateBuildRequest, CreateServiceRequest, GetLogsOrder, GetSecretSetResponseStatus, RegularSecretsRequest,
    RegularSecretsRequestSecretsItem, SecretSetSummaryStatus, StartRequest, UpdatePropertiesBody, UpdateServiceRequest,
    UploadUrlRequest,
};
use pipecat_cloud::{Client, Error, RetryConfig, Uuid};

/// Calls every operation once.
pub async fn every_call(client: &Client, session: Uuid, build: Uuid) -> Result<(), Error> {
    // Agents.
    let agents = client.list_services().region("us-west").include_active_deployment(true).send().await?;
    for agent in &agents.services {
        println!("{:?}", agent.name);
    }
    let create =
        CreateServiceRequest::new("my-agent".parse::<pipecat_cloud::types::CreateServiceRequestServiceName>().unwrap())
            .image("acme/bot:1")
            .secret_set("my-secrets")
            .max_session_duration(3600);
    let created = client.create_service(create).send().await?;
    println!("{:?}", created.name);
    let agent = client.get_service("my-agent").await?;
    println!("{:?}", agent.ready);
    let update = UpdateServiceRequest::new().image("acme/bot:2").force_redeploy(true);
    client.update_service("my-agent", update).timeout(Duration::from_secs(120)).send().await?;
    client.delete_service("my-agent").send().await?;
    let logs = client.get_logs("my-agent").limit(100).order(GetLogsOrder::Asc).query_param("error").send().await?;
    for entry in &logs.logs {
        println!("{:?} {:?}", entry.timestamp, entry.log);
    }

    // Sessions.
    let sessions = client.get_sessions("my-agent").limit(20).offset(0).send().await?;
    println!("{:?}", sessions.total_count);
    let one = client.get_session("my-agent", session).send().await?;
    println!("{:?}", one.session_id);
    client.stop_session("my-agent", session).send().await?;

    // Builds.
    let builds = client.list_builds().region("us-west").send().await?;
    println!("{}", builds.builds.len());
    let upload = client.get_build_upload_url(UploadUrlRequest::new("us-west")).send().await?;
    println!("{:?}", upload.upload_id);
    let started = client.create_build(CreateBuildRequest::new("us-west", build)).send_with_response().await?;
    if started.status() == 200 {
        println!("served from cache");
    }
    let status = client.get_build(build).send().await?;
    println!("{:?}", status.build);
    let build_logs = client.get_build_logs(build).send().await?;
    println!("{}", build_logs.logs.len());

    // Organization.
    let properties = client.get_properties().send().await?;
    println!("{:?}", properties.properties);
    client.update_properties(UpdatePropertiesBody::new().default_region("eu-central")).send().await?;
    let schema = client.get_properties_schema().send().await?;
    println!("{}", schema.properties.len());
    let regions = client.list_regions().send().await?;
    println!("{}", regions.regions.len());

    // Secrets.
    let sets = client.list_secret_sets().await?;
    for set in &sets.sets {
        match &set.status {
            Some(SecretSetSummaryStatus::Ready) => println!("{:?} ready", set.name),
            Some(other) => println!("{:?} {other}", set.name),
            None => {}
        }
    }
    let secrets =
        RegularSecretsRequest::new(vec![RegularSecretsRequestSecretsItem::new("OPENAI_API_KEY", "sk-example")])
            .region("us-west");
    client.upsert_secret_set("my-secrets", secrets).retry(RetryConfig::disabled()).send().await?;
    let set = client.get_secret_set("my-secrets").send().await?;
    match set.status {
        Some(GetSecretSetResponseStatus::Ready) => {}
        Some(GetSecretSetResponseStatus::Failed) => println!("{:?}", set.error_message),
        _ => println!("still working"),
    }
    client.delete_secret_from_set("my-secrets", "OLD_KEY").header("x-trace-id", "abc").send().await?;
    client.delete_secret_set("my-secrets").send().await?;

    // Public API: starting a session and talking to the bot.
    let start = client.start_service("my-agent", StartRequest::new().create_daily_room(true)).send().await?;
    println!("{:?}", start.session_id);
    let answer = client.session_proxy_get("my-agent", session, "api/status").query("verbose", "1").send().await?;
    println!("{} {:?}", answer.status(), answer.text());
    let offer = serde_json::json!({"sdp": "v=0", "type": "offer"});
    client.session_proxy_post("my-agent", session, "api/offer").json(&offer).send().await?;
    client.session_proxy_put("my-agent", session, "api/offer").json(&offer).send().await?;
    client.session_proxy_patch("my-agent", session, "api/offer").bytes("text/plain", "hello").send().await?;
    client.session_proxy_delete("my-agent", session, "api/offer").send().await?;
    client.session_proxy_options("my-agent", session, "api/offer").send().await?;
    client.session_proxy_head("my-agent", session, "api/offer").send().await?;
    Ok(())
}

fn main() {}
