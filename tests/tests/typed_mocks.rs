//! The typed mocks of `pipecat_cloud::mock`: one line per expectation, the real base paths, values
//! escaped as the client sends them, and loud failures for requests no expectation matches.
#![allow(clippy::unwrap_used)]

use std::panic::{AssertUnwindSafe, catch_unwind};

use pipecat_cloud::Uuid;
use pipecat_cloud::mock::{MockApi, UNMATCHED_CODE, UNMATCHED_STATUS, routes};
use pipecat_cloud::types::{RegularSecretsRequest, RegularSecretsRequestSecretsItem};
use serde_json::json;

#[tokio::test]
async fn one_line_makes_an_operation_answer_404() {
    let api = MockApi::start().await;
    api.on(routes::delete_secret_from_set("my-set", "OLD_KEY")).respond_error(404, "NOT_FOUND", "Secret not found");
    let error = api.client().delete_secret_from_set("my-set", "OLD_KEY").send().await.unwrap_err();
    assert_eq!((error.status(), error.code()), (Some(404), Some("NOT_FOUND")));
}

#[tokio::test]
async fn routes_carry_the_real_base_paths_and_escape_their_values() {
    let api = MockApi::start().await;
    let session: Uuid = "1d6f6c4a-3f5e-4d7b-9a65-0c9b9e2f4a10".parse().unwrap();
    let proxy = routes::session_proxy_post("my agent", session, "api/offer");
    assert_eq!(proxy.path(), format!("/v1/public/my%20agent/sessions/{session}/api/offer"));
    assert_eq!(routes::list_secret_sets().path(), "/v1/secrets");
    let answer = api.on(proxy).respond(200, json!({"type": "answer"}));
    let service = api.on(routes::get_service("agent?x=1#f")).respond(200, json!({"name": "agent?x=1#f"}));
    let client = api.client();
    let reply =
        client.session_proxy_post("my agent", session, "api/offer").json(&json!({"type": "offer"})).await.unwrap();
    assert_eq!(reply.json::<serde_json::Value>().unwrap(), json!({"type": "answer"}));
    assert_eq!(client.get_service("agent?x=1#f").await.unwrap().name.as_deref(), Some("agent?x=1#f"));
    answer.assert_hits_async(1).await;
    service.assert_hits_async(1).await;
}

#[tokio::test]
async fn expectations_can_be_narrowed_by_query_and_body() {
    let api = MockApi::start().await;
    api.on(routes::list_services()).query("region", "eu-central").respond(200, json!({"services": []}));
    let upsert = api
        .on(routes::upsert_secret_set("my-set"))
        .json_body(json!({"secrets": [{"secretKey": "A", "secretValue": "1"}]}))
        .respond(202, json!({"status": "OK", "region": "us-west"}));
    let client = api.client();
    assert!(client.list_services().region("eu-central").await.unwrap().services.is_empty());
    let body = RegularSecretsRequest::new(vec![RegularSecretsRequestSecretsItem::new("A", "1")]);
    client.upsert_secret_set("my-set", body).await.unwrap();
    upsert.assert_hits_async(1).await;
}

#[tokio::test]
async fn a_request_no_expectation_matches_fails_loudly_not_as_a_404() {
    let api = MockApi::start().await;
    api.on(routes::get_secret_set("my-set")).respond(200, json!({"status": "ready"}));
    // Another set: no expectation matches.
    let error = api.client().get_secret_set("other-set").await.unwrap_err();
    assert_eq!((error.status(), error.code()), (Some(UNMATCHED_STATUS), Some(UNMATCHED_CODE)));
    // An expectation added later does not hide the earlier miss.
    api.on(routes::list_regions()).respond(200, json!({"regions": []}));
    assert_eq!(api.unmatched_requests(), 1);
    let dropped = catch_unwind(AssertUnwindSafe(|| drop(api)));
    let message = dropped.unwrap_err().downcast::<String>().map(|m| *m).unwrap_or_default();
    assert!(message.starts_with("1 request(s) to the Pipecat Cloud mock matched no expectation"), "{message}");
}
