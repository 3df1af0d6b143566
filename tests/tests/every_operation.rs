//! Every operation of the catalog, called through the wrapper against a local server that answers only
//! when the method, the full path (with `/v1` or `/v1/public`) and the key are the expected ones.
#![allow(clippy::unwrap_used)]

mod support;

use httpmock::{Method, Mock, MockServer};
use pipecat_cloud::types;
use serde_json::{Value, json};
use support::*;

/// Registers the one answer `server` gives to `method path` carrying `key`.
fn expect<'a>(
    server: &'a MockServer,
    method: Method,
    path: &str,
    key: &str,
    status: u16,
    body: Option<Value>,
) -> Mock<'a> {
    server.mock(|when, then| {
        when.method(method).path(path).header("authorization", bearer(key));
        let then = then.status(status);
        if let Some(body) = body {
            then.header("content-type", "application/json").json_body(body);
        }
    })
}

#[tokio::test]
async fn every_operation_reaches_its_route_with_its_key() {
    use Method::*;
    let server = MockServer::start_async().await;
    let client = client(&server);
    let (private, public) = (PRIVATE_KEY, PUBLIC_KEY);
    let empty = || Some(json!({}));
    let ok = || Some(json!({"status": "OK"}));
    let proxy = format!("/v1/public/my-agent/sessions/{SESSION_ID}/api/offer");
    let mut called: Vec<&str> = Vec::new();

    macro_rules! call {
        ($mock:expr, $call:expr) => {{
            let mock = $mock;
            let result = $call.await;
            assert!(result.is_ok(), "{}: {:?}", stringify!($call), result.err());
            mock.assert_async().await;
            called.push(stringify!($call));
        }};
    }

    // Agents.
    call!(expect(&server, GET, "/v1/agents", private, 200, Some(json!({"services": []}))), client.list_services());
    let create =
        types::CreateServiceRequest::new("my-agent".parse::<types::CreateServiceRequestServiceName>().unwrap())
            .image("acme/bot:1");
    call!(expect(&server, POST, "/v1/agents", private, 200, empty()), client.create_service(create));
    call!(expect(&server, GET, "/v1/agents/my-agent", private, 200, empty()), client.get_service("my-agent"));
    let update = types::UpdateServiceRequest::new().image("acme/bot:2");
    call!(
        expect(&server, POST, "/v1/agents/my-agent", private, 200, empty()),
        client.update_service("my-agent", update)
    );
    call!(expect(&server, DELETE, "/v1/agents/my-agent", private, 200, ok()), client.delete_service("my-agent"));
    call!(
        expect(&server, GET, "/v1/agents/my-agent/logs", private, 200, Some(json!({"logs": []}))),
        client.get_logs("my-agent").limit(5)
    );
    // Sessions.
    call!(
        expect(&server, GET, "/v1/agents/my-agent/sessions", private, 200, Some(json!({"sessions": []}))),
        client.get_sessions("my-agent")
    );
    let session_path = format!("/v1/agents/my-agent/sessions/{SESSION_ID}");
    call!(expect(&server, GET, &session_path, private, 200, empty()), client.get_session("my-agent", session_id()));
    call!(expect(&server, DELETE, &session_path, private, 200, empty()), client.stop_session("my-agent", session_id()));
    // Builds.
    call!(expect(&server, GET, "/v1/builds", private, 200, Some(json!({"builds": []}))), client.list_builds());
    let build = types::CreateBuildRequest::new("us-west", build_id());
    call!(expect(&server, POST, "/v1/builds", private, 201, empty()), client.create_build(build));
    let upload = types::UploadUrlRequest::new("us-west");
    call!(expect(&server, POST, "/v1/builds/upload-url", private, 200, empty()), client.get_build_upload_url(upload));
    call!(expect(&server, GET, &format!("/v1/builds/{BUILD_ID}"), private, 200, empty()), client.get_build(build_id()));
    call!(
        expect(&server, GET, &format!("/v1/builds/{BUILD_ID}/logs"), private, 200, Some(json!({"logs": ["done"]}))),
        client.get_build_logs(build_id())
    );
    // Organization.
    call!(expect(&server, GET, "/v1/properties", private, 200, empty()), client.get_properties());
    let properties = types::UpdatePropertiesBody::new().default_region("eu-central");
    call!(expect(&server, PATCH, "/v1/properties", private, 200, empty()), client.update_properties(properties));
    call!(expect(&server, GET, "/v1/properties/schema", private, 200, empty()), client.get_properties_schema());
    call!(expect(&server, GET, "/v1/regions", private, 200, Some(json!({"regions": []}))), client.list_regions());
    // Secrets.
    call!(expect(&server, GET, "/v1/secrets", private, 200, Some(json!({"sets": []}))), client.list_secret_sets());
    call!(expect(&server, GET, "/v1/secrets/my-set", private, 200, empty()), client.get_secret_set("my-set"));
    let secrets = types::RegularSecretsRequest::new(vec![types::RegularSecretsRequestSecretsItem::new(
        "OPENAI_API_KEY",
        "value-1",
    )]);
    call!(
        expect(&server, PUT, "/v1/secrets/my-set", private, 202, Some(json!({"status": "OK", "region": "us-west"}))),
        client.upsert_secret_set("my-set", secrets)
    );
    call!(expect(&server, DELETE, "/v1/secrets/my-set", private, 200, ok()), client.delete_secret_set("my-set"));
    call!(
        expect(&server, DELETE, "/v1/secrets/my-set/OPENAI_API_KEY", private, 200, ok()),
        client.delete_secret_from_set("my-set", "OPENAI_API_KEY")
    );
    // Public API: start and the session proxy, whose `{path}` `api/offer` must arrive as two segments.
    let start = types::StartRequest::new().create_daily_room(true);
    call!(
        expect(&server, POST, "/v1/public/my-agent/start", public, 200, empty()),
        client.start_service("my-agent", start)
    );
    let payload = json!({"sdp": "v=0"});
    call!(
        expect(&server, GET, &proxy, public, 200, empty()),
        client.session_proxy_get("my-agent", session_id(), "api/offer")
    );
    call!(
        expect(&server, POST, &proxy, public, 200, empty()),
        client.session_proxy_post("my-agent", session_id(), "api/offer").json(&payload)
    );
    call!(
        expect(&server, PUT, &proxy, public, 200, empty()),
        client.session_proxy_put("my-agent", session_id(), "api/offer").json(&payload)
    );
    call!(
        expect(&server, PATCH, &proxy, public, 200, empty()),
        client.session_proxy_patch("my-agent", session_id(), "api/offer").json(&payload)
    );
    call!(
        expect(&server, DELETE, &proxy, public, 200, empty()),
        client.session_proxy_delete("my-agent", session_id(), "api/offer")
    );
    call!(
        expect(&server, OPTIONS, &proxy, public, 200, None),
        client.session_proxy_options("my-agent", session_id(), "api/offer")
    );
    call!(
        expect(&server, HEAD, &proxy, public, 200, None),
        client.session_proxy_head("my-agent", session_id(), "api/offer")
    );

    let ids: Vec<&str> = pipecat_cloud::catalog::OPERATIONS.iter().map(|op| op.id).collect();
    let missing = pipecat_cloud_tests::operations::not_called(&called, &ids);
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[tokio::test]
async fn a_client_with_one_key_refuses_the_other_keys_operations_without_sending() {
    let server = MockServer::start_async().await;
    let anything = server.mock(|when, then| {
        when.any_request();
        then.status(200).json_body(json!({"sets": []}));
    });
    let public_only = pipecat_cloud::Client::builder().public_key(PUBLIC_KEY).host(server.base_url()).build().unwrap();
    let err = public_only.list_secret_sets().await.unwrap_err();
    assert!(matches!(err, pipecat_cloud::Error::MissingKey { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "listSecretSets needs the private API key, which this client was not given; nothing was sent \
         (set it with ClientBuilder::private_key)"
    );
    let private_only =
        pipecat_cloud::Client::builder().private_key(PRIVATE_KEY).host(server.base_url()).build().unwrap();
    let err = private_only.start_service("my-agent", types::StartRequest::new()).await.unwrap_err();
    assert!(err.to_string().starts_with("startService needs the public API key"), "{err}");
    assert_eq!(anything.calls_async().await, 0, "nothing reached the server");
    // The key it has still works.
    assert!(private_only.list_secret_sets().await.is_ok());
    assert_eq!(anything.calls_async().await, 1);
}

#[tokio::test]
async fn a_documented_404_is_a_typed_error_with_status_and_code() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(Method::DELETE).path("/v1/secrets/my-set/GONE");
        then.status(404).json_body(json!({"error": "Secret not found", "code": "NOT_FOUND"}));
    });
    let err = client(&server).delete_secret_from_set("my-set", "GONE").await.unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(404), Some("NOT_FOUND")));
    assert_eq!(err.to_string(), "deleteSecretFromSet failed with HTTP 404 (NOT_FOUND): Secret not found");
}
