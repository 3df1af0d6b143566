//! What a call gives besides its typed body, and what a failed one says: success status and headers,
//! per-call headers, the session proxy as a pass-through, errors that keep the status received and
//! name the real cause, and a client that sends through the caller's own `reqwest::Client`.
#![allow(clippy::unwrap_used)]

use pipecat_cloud::types::CreateBuildRequest;
use pipecat_cloud::{Client, Error, RetryConfig, Uuid};
use pipecat_cloud_tests::scripted_server::{Reply, ScriptedServer};
use serde_json::json;

const PRIVATE: &str = "metadata-test-private-key";
const PUBLIC: &str = "metadata-test-public-key";

fn client(url: &str) -> Client {
    Client::builder().private_key(PRIVATE).public_key(PUBLIC).host(url).retry(RetryConfig::disabled()).build().unwrap()
}

fn session() -> Uuid {
    "1d6f6c4a-3f5e-4d7b-9a65-0c9b9e2f4a10".parse().unwrap()
}

#[tokio::test]
async fn create_build_tells_a_cached_build_200_from_a_new_one_201() {
    let build = json!({"build": {"id": "0f8a2d9e-6b1c-4e57-8d3a-2c9f71b4e605", "status": "success"}, "cached": true});
    let server = ScriptedServer::start(
        vec![Reply::json(200, build.clone()).with_header("x-request-id", "req-cached"), Reply::json(201, build)],
        Reply::Drop,
    )
    .await
    .unwrap();
    let client = client(&server.url());
    let body = || CreateBuildRequest::new("us-west", Uuid::nil());
    let cached = client.create_build(body()).send_with_response().await.unwrap();
    assert_eq!((cached.status(), cached.request_id()), (200, Some("req-cached")));
    assert_eq!(cached.body().cached, Some(true));
    let fresh = client.create_build(body()).send_with_response().await.unwrap();
    assert_eq!(fresh.status(), 201);
    assert!(fresh.headers().contains_key("content-type"));
}

#[tokio::test]
async fn a_per_call_header_arrives_and_authorization_cannot_be_overridden() {
    let server = ScriptedServer::start(vec![], Reply::json(200, json!({"sets": []}))).await.unwrap();
    let client = client(&server.url());
    client.list_secret_sets().header("x-correlation-id", "deploy-42").send().await.unwrap();
    client.list_secret_sets().send().await.unwrap();
    let requests = server.requests();
    assert_eq!(requests[0].header("x-correlation-id"), Some("deploy-42"));
    assert_eq!(requests[1].header("x-correlation-id"), None, "the header was for one call only");
    let refused = client.list_secret_sets().header("Authorization", "Bearer someone-else").send().await.unwrap_err();
    assert!(refused.is_refused_before_sending(), "{refused:?}");
    let refused = client.list_secret_sets().header("x-bad", "line\nbreak").send().await.unwrap_err();
    assert!(refused.to_string().contains("x-bad"), "{refused}");
    assert_eq!(server.requests().len(), 2, "nothing was sent for the refused calls");
}

#[tokio::test]
async fn the_proxy_passes_a_text_answer_through_sends_a_query_and_no_body_unless_given() {
    let server = ScriptedServer::start(vec![], Reply::text(200, "text/plain; charset=utf-8", "pong")).await.unwrap();
    let client = client(&server.url());
    let answer = client
        .session_proxy_post("my-agent", session(), "api/ping")
        .query("x", "1")
        .query("y", "a b")
        .send()
        .await
        .unwrap();
    assert_eq!((answer.status(), answer.text().unwrap()), (200, "pong"));
    assert_eq!(answer.content_type(), Some("text/plain; charset=utf-8"));
    let json_body = json!({"sdp": "v=0"});
    client.session_proxy_put("my-agent", session(), "api/offer").json(&json_body).send().await.unwrap();
    let requests = server.requests();
    assert_eq!(requests[0].target, format!("/v1/public/my-agent/sessions/{}/api/ping?x=1&y=a+b", session()));
    assert!(requests[0].body.is_empty(), "no body was given, none was sent");
    assert_eq!(requests[0].header("content-type"), None);
    assert_eq!(requests[0].header("authorization"), Some(format!("Bearer {PUBLIC}").as_str()));
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&requests[1].body).unwrap(), json_body);
    assert_eq!(requests[1].header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn an_options_404_with_the_apis_json_error_reports_its_code() {
    let server = ScriptedServer::start(
        vec![],
        Reply::json(404, json!({"error": "No such session", "code": "SESSION_NOT_FOUND"})),
    )
    .await
    .unwrap();
    let err = client(&server.url()).session_proxy_options("my-agent", session(), "api/offer").send().await.unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(404), Some("SESSION_NOT_FOUND")));
    assert!(err.to_string().ends_with("(SESSION_NOT_FOUND): No such session"), "{err}");
}

#[tokio::test]
async fn a_body_cut_short_keeps_the_status_and_says_what_happened_in_one_line() {
    let cut = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{\"sets\": [".to_vec();
    let server = ScriptedServer::start(vec![], Reply::Raw(cut)).await.unwrap();
    let err = client(&server.url()).list_secret_sets().send().await.unwrap_err();
    assert_eq!(err.status(), Some(200), "{err:?}");
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    // This layer's part is the message; what broke is the source, and a chain printer shows each once.
    assert_eq!(err.to_string(), "listSecretSets: the answer broke off (HTTP 200)");
    let text = chain(&err);
    assert!(!text.contains('\n'), "{text}");
    assert!(text.contains("end of file") || text.contains("message length") || text.contains("incomplete"), "{text}");
    pipecat_cloud_tests::report(&format!("a body cut short: {text}"));
}

#[tokio::test]
async fn a_redirect_loop_keeps_the_redirect_status_and_says_so() {
    let server =
        ScriptedServer::start(vec![], Reply::text(302, "text/plain", "").with_header("location", "/v1/secrets"))
            .await
            .unwrap();
    let err = client(&server.url()).list_secret_sets().send().await.unwrap_err();
    assert_eq!(err.status(), Some(302), "{err:?}");
    assert_eq!(err.to_string(), "listSecretSets: stopped following redirects (HTTP 302)");
    let text = chain(&err);
    assert!(text.contains("more than 10 redirects"), "{text}");
    assert!(!text.contains('\n'), "{text}");
    pipecat_cloud_tests::report(&format!("a redirect loop: {text}"));
}

#[tokio::test]
async fn a_refused_connection_says_so() {
    let server = ScriptedServer::start(vec![], Reply::Drop).await.unwrap();
    let url = server.url();
    drop(server);
    let err = client(&url).list_secret_sets().send().await.unwrap_err();
    assert_eq!(err.to_string(), "listSecretSets: could not reach the API");
    let text = chain(&err);
    assert!(text.contains("tcp connect error"), "the cause is in the chain: {text}");
    assert!(!text.contains(&url), "the URL, which may hold a caller's query values, is left out: {text}");
    assert_eq!(err.status(), None);
    pipecat_cloud_tests::report(&format!("a refused connection: {text}"));
}

#[tokio::test]
async fn a_client_built_over_a_users_reqwest_client_sends_through_it() {
    let server = ScriptedServer::start(vec![], Reply::json(200, json!({"sets": []}))).await.unwrap();
    pipecat_cloud::tls::install_provider();
    let http = pipecat_cloud::reqwest::Client::builder().user_agent("my-own-client/1.0").build().unwrap();
    let client = Client::builder().private_key(PRIVATE).host(server.url()).http_client(http).build().unwrap();
    client.list_secret_sets().send().await.unwrap();
    let request = &server.requests()[0];
    assert_eq!(request.header("user-agent"), Some("my-own-client/1.0"));
    assert_eq!(request.header("authorization"), Some(format!("Bearer {PRIVATE}").as_str()));
}

#[tokio::test]
async fn krisp_viva_audio_filter_none_goes_out_as_an_explicit_null() {
    use pipecat_cloud::types::{KrispViva, KrispVivaAudioFilter, UpdateServiceRequest};
    let server = ScriptedServer::start(vec![], Reply::json(200, json!({"name": "my-agent"}))).await.unwrap();
    let client = client(&server.url());
    // `None` means "filter off": the API needs `null`, not a missing field.
    let off = UpdateServiceRequest::new().krisp_viva(KrispViva::new(None));
    client.update_service("my-agent", off).send().await.unwrap();
    let on = UpdateServiceRequest::new().krisp_viva(KrispViva::new(Some(KrispVivaAudioFilter::Tel)));
    client.update_service("my-agent", on).send().await.unwrap();
    // Without `krispViva` at all, the setting is left as it is: the field is not sent.
    client.update_service("my-agent", UpdateServiceRequest::new().image("acme/bot:3")).send().await.unwrap();
    let bodies: Vec<serde_json::Value> =
        server.requests().iter().map(|r| serde_json::from_slice(&r.body).unwrap()).collect();
    assert_eq!(bodies[0], json!({"krispViva": {"audioFilter": null}}));
    assert_eq!(bodies[1], json!({"krispViva": {"audioFilter": "tel"}}));
    assert_eq!(bodies[2], json!({"image": "acme/bot:3"}));
}

/// `error` and every cause below it (`source()`), joined as a chain printer joins them.
fn chain(error: &Error) -> String {
    let mut text = error.to_string();
    let mut next = std::error::Error::source(error);
    while let Some(cause) = next {
        text.push_str(&format!(": {cause}"));
        next = cause.source();
    }
    text
}
