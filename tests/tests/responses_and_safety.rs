//! What the wrapper makes of responses (foreign error bodies, unlisted enum values, request ids), what
//! it sends (User-Agent), and where its key may go (redirects, plain http, malformed hosts).
#![allow(clippy::unwrap_used)]

use pipecat_cloud::types::SecretSetSummaryStatus;
use pipecat_cloud::{Client, ConfigError, Error, RetryConfig};
use pipecat_cloud_tests::scripted_server::{Reply, ScriptedServer};
use serde_json::json;

const KEY: &str = "safety-test-private-key";

fn client(url: &str) -> Client {
    Client::builder().private_key(KEY).host(url).retry(RetryConfig::disabled()).build().unwrap()
}

#[tokio::test]
async fn a_documented_404_with_an_html_body_reports_status_404() {
    let page = "<html><body><h1>404 Not Found</h1></body></html>";
    let server =
        ScriptedServer::start(vec![], Reply::text(404, "text/html", page).with_header("x-request-id", "req-42"))
            .await
            .unwrap();
    let err = client(&server.url()).get_service("my-agent").await.unwrap_err();
    assert_eq!(err.status(), Some(404), "{err:?}");
    let Error::Api(api) = &err else { panic!("expected an API error, got {err:?}") };
    assert_eq!(api.request_id.as_deref(), Some("req-42"));
    assert_eq!(api.body.as_deref(), Some(page));
    assert_eq!(err.to_string(), format!("getService failed with HTTP 404: {page} [request id req-42]"));
}

#[tokio::test]
async fn a_429_whose_body_says_message_keeps_it() {
    let server =
        ScriptedServer::start(vec![], Reply::json(429, json!({"message": "Too many starts", "code": "PCC-RATE"})))
            .await
            .unwrap();
    let err = client(&server.url()).list_secret_sets().await.unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(429), Some("PCC-RATE")));
    assert!(err.to_string().ends_with(": Too many starts"), "{err}");
}

#[tokio::test]
async fn a_200_with_an_unlisted_enum_value_succeeds_and_keeps_the_value() {
    let sets = json!({"sets": [
        {"name": "a", "status": "ready", "type": "secret"},
        {"name": "b", "status": "archived", "type": "sealedSecret", "addedLater": {"x": 1}}]});
    let server = ScriptedServer::start(vec![], Reply::json(200, sets)).await.unwrap();
    let response = client(&server.url()).list_secret_sets().await.unwrap();
    assert_eq!(response.sets[0].status, Some(SecretSetSummaryStatus::Ready));
    let unknown = response.sets[1].status.as_ref().unwrap();
    assert!(unknown.is_unknown());
    assert_eq!(unknown.as_str(), "archived");
    assert_eq!(response.sets[1].type_.as_ref().map(|t| t.to_string()).as_deref(), Some("sealedSecret"));
}

#[tokio::test]
async fn a_success_body_that_does_not_decode_keeps_its_status() {
    let server = ScriptedServer::start(vec![], Reply::text(200, "text/plain", "not json")).await.unwrap();
    let err = client(&server.url()).list_secret_sets().await.unwrap_err();
    assert!(matches!(err, Error::Decode { status: 200, .. }), "{err:?}");
}

#[tokio::test]
async fn requests_carry_the_crate_user_agent() {
    let server = ScriptedServer::start(vec![], Reply::json(200, json!({"sets": []}))).await.unwrap();
    client(&server.url()).list_secret_sets().await.unwrap();
    let agent = server.requests()[0].header("user-agent").unwrap_or_default().to_string();
    assert_eq!(agent, format!("pipecat-cloud-rust/{}", env!("CARGO_PKG_VERSION")));
}

#[tokio::test]
async fn the_key_is_not_forwarded_on_a_redirect_to_another_host() {
    let elsewhere = ScriptedServer::start(vec![], Reply::json(200, json!({"sets": []}))).await.unwrap();
    // Another host name for the same machine: `localhost` instead of `127.0.0.1`.
    let location = format!("http://localhost:{}/v1/secrets", elsewhere.port());
    let redirecting =
        ScriptedServer::start(vec![], Reply::text(307, "text/plain", "").with_header("location", &location))
            .await
            .unwrap();
    client(&redirecting.url()).list_secret_sets().await.unwrap();
    let first = &redirecting.requests()[0];
    assert_eq!(first.header("authorization"), Some(format!("Bearer {KEY}").as_str()));
    let followed = elsewhere.requests();
    assert_eq!(followed.len(), 1, "the redirect was followed");
    assert_eq!(followed[0].header("authorization"), None, "the key stayed behind");
}

#[test]
fn plain_http_to_a_non_loopback_host_is_refused_at_build_time() {
    for host in ["http://api.pipecat.daily.co", "http://192.168.1.10:8080", "http://example.com/"] {
        let err = Client::builder().private_key(KEY).host(host).build().unwrap_err();
        assert!(matches!(err, ConfigError::InvalidHost { .. }), "{host}: {err:?}");
        assert!(err.to_string().contains("plain http is refused"), "{err}");
    }
}

#[test]
fn a_malformed_base_url_is_refused_at_build_time() {
    for host in
        ["api.pipecat.daily.co", "https://", "https://exa mple.com", "https://h.example/?q=1", "ftp://h.example"]
    {
        let err = Client::builder().private_key(KEY).host(host).build().unwrap_err();
        assert!(err.to_string().starts_with(&format!("invalid API host `{host}`")), "{err}");
    }
    // With or without a trailing slash, a good host builds the same base.
    let a = Client::builder().private_key(KEY).host("https://api.pipecat.daily.co/").build().unwrap();
    let b = Client::builder().private_key(KEY).host("https://api.pipecat.daily.co").build().unwrap();
    assert_eq!(a.base_url(), b.base_url());
}
