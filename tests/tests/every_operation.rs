//! Every operation of the catalog, called through the wrapper by the one table of calls
//! (`tests/src/operations.rs`) against a local server that answers only when the method, the full path
//! (with `/v1` or `/v1/public`) and the key are the ones written by hand in `tests/src/routes.rs`.
#![allow(clippy::unwrap_used)]

mod support;

use httpmock::{Method, Mock, MockServer};
use pipecat_cloud::types;
use pipecat_cloud_tests::operations::{Args, call, sample_path};
use pipecat_cloud_tests::routes::{Key, route};
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
    let server = MockServer::start_async().await;
    let client = client(&server);
    for operation in pipecat_cloud::catalog::OPERATIONS.iter() {
        let route = route(operation.id);
        let method: Method = route.method.parse().unwrap();
        let key = if route.key == Key::Private { PRIVATE_KEY } else { PUBLIC_KEY };
        let mock = expect(&server, method, route.path, key, route.status, (route.body)());
        let result = call(&client, operation, &Args::sample(operation, &sample_path(operation))).await;
        assert!(result.is_ok(), "{}: {:?}", operation.id, result.err());
        mock.assert_async().await;
        mock.delete_async().await;
    }
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
