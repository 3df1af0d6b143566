//! `record`: writes recordings from the real API, for maintainers with an account.
//!
//! ```text
//! PIPECAT_API_KEY=... cargo run -p pipecat-cloud-tests --bin record -- [--out DIR] [--case NAME] OPERATION[:name=value,...]...
//! ```
//! Runs each named read-only (GET) operation against `PIPECAT_API_HOST` (default the production API)
//! with the key it needs from the environment, and writes `DIR/<operationId>/<status>[-<case>].yaml`
//! (DIR defaults to `tests/recordings`). `name=value` pairs give path and query parameters, e.g.
//! `getSecretSet:setName=voice-bot-secrets` or `getLogs:agentName=support-bot,limit=20`.
//! The Authorization header is never written; secret fields are scrubbed; nothing is changed on the
//! account, since only GET operations are accepted.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, bail};
use pipecat_cloud::catalog;
use pipecat_cloud::operation::{ApiKeyKind, HttpMethod, Operation};
use pipecat_cloud_tests::recording::{RecordedRequest, RecordedResponse, Recording};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut out = PathBuf::from("tests/recordings");
    let mut case: Option<String> = None;
    let mut calls = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => out = PathBuf::from(args.next().context("--out needs a folder")?),
            "--case" => case = Some(args.next().context("--case needs a name")?),
            "-h" | "--help" => {
                println!("usage: record [--out DIR] [--case NAME] OPERATION[:name=value,...]...");
                return Ok(());
            }
            call => calls.push(call.to_string()),
        }
    }
    if calls.is_empty() {
        bail!("name at least one operation, e.g. `record listSecretSets getSecretSet:setName=my-set`");
    }
    let host = std::env::var(pipecat_cloud::ENV_HOST).unwrap_or_else(|_| pipecat_cloud::DEFAULT_HOST.to_string());
    let host = host.trim_end_matches('/').to_string();
    pipecat_cloud::tls::install_provider();
    let http = reqwest::Client::builder().user_agent(pipecat_cloud::USER_AGENT).build()?;
    for call in calls {
        let (id, params) = call.split_once(':').unwrap_or((call.as_str(), ""));
        let operation = catalog::by_id(id).with_context(|| format!("no operation `{id}` in the spec"))?;
        if operation.method != HttpMethod::Get {
            bail!("{id} is a {} operation; the recorder only runs read-only (GET) operations", operation.method);
        }
        let params: BTreeMap<String, String> = params
            .split(',')
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.split_once('=')
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .with_context(|| format!("`{p}` is not name=value"))
            })
            .collect::<anyhow::Result<_>>()?;
        let file = record(&http, &host, operation, &params, case.as_deref(), &out).await?;
        println!("wrote {}", file.display());
    }
    Ok(())
}

async fn record(
    http: &reqwest::Client,
    host: &str,
    operation: &'static Operation,
    params: &BTreeMap<String, String>,
    case: Option<&str>,
    out: &std::path::Path,
) -> anyhow::Result<PathBuf> {
    let mut path = format!("/v1{}", operation.path);
    for (index, param) in operation.path_params.iter().enumerate() {
        let value = params.get(param.name).with_context(|| format!("{} needs `{}=...`", operation.id, param.name))?;
        pipecat_cloud::check_path_value(operation, index, value)?;
        // Escaped exactly as the client escapes it, so that the recording replays (the replay test
        // compares the paths).
        let encoded = if param.sub_path {
            value.split('/').map(pipecat_cloud::escape_path_segment).collect::<Vec<_>>().join("/")
        } else {
            pipecat_cloud::escape_path_segment(value)
        };
        path = path.replace(&format!("{{{}}}", param.name), &encoded);
    }
    let query: BTreeMap<String, String> = params
        .iter()
        .filter(|(k, _)| !operation.path_params.iter().any(|p| p.name == k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let key_variable = match operation.key {
        ApiKeyKind::Private => Some(pipecat_cloud::ENV_PRIVATE_KEY),
        ApiKeyKind::Public => Some(pipecat_cloud::ENV_PUBLIC_KEY),
        _ => None,
    };
    let mut request = http.get(format!("{host}{path}")).query(&query);
    let mut key = None;
    if let Some(variable) = key_variable {
        let value = std::env::var(variable).with_context(|| format!("{} needs the key in {variable}", operation.id))?;
        let api_key = pipecat_cloud::ApiKey::new(value.clone())?;
        request = request.bearer_auth(api_key.expose_secret());
        key = Some(value);
    }
    let response = request.send().await.with_context(|| format!("{} failed to reach {host}", operation.id))?;
    let status = response.status().as_u16();
    let headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .filter_map(|(name, value)| Some((name.as_str().to_string(), value.to_str().ok()?.to_string())))
        .collect();
    let bytes = response.bytes().await?;
    let keys: Vec<&str> = key.as_deref().into_iter().collect();
    let response =
        RecordedResponse::scrubbed(status, headers.iter().map(|(n, v)| (n.as_str(), v.as_str())), &bytes, &keys);
    let recording = Recording {
        about: format!("{}: HTTP {status}, recorded from {host}", operation.id),
        beyond_spec: false,
        source: Some("recorded".into()),
        request: RecordedRequest { method: "GET".into(), path, query, headers: BTreeMap::new(), body: None },
        response,
    };
    let file = recording.write(out, operation.id.as_str(), case)?;
    Ok(file)
}
