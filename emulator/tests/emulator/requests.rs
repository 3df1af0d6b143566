//! Requests checked against the spec and keys, with raw HTTP: what the SDK would refuse to send.

use serde_json::{Value, json};

use super::*;

#[tokio::test]
async fn keys_are_checked_per_operation() {
    let emulator = polled().await;
    let private = emulator.private_key().to_string();
    let public = emulator.public_key().to_string();
    assert_eq!(
        raw(&emulator, "GET", "/v1/secrets", None, None).await,
        (401, json!({"error": "Unauthorized", "code": "UNAUTHORIZED"}))
    );
    assert_eq!(raw(&emulator, "GET", "/v1/secrets", Some("wrong"), None).await.0, 401);
    assert_eq!(
        raw(&emulator, "GET", "/v1/secrets", Some(&public), None).await.0,
        401,
        "the public key is not the private one"
    );
    assert_eq!(raw(&emulator, "GET", "/v1/secrets", Some(&private), None).await.0, 200);
    let (status, body) = raw(&emulator, "POST", "/v1/public/bot/start", None, Some(json!({}))).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("PCC-1002")));
    assert_eq!(raw(&emulator, "POST", "/v1/public/bot/start", Some(&private), Some(json!({}))).await.0, 401);
    // Without a key, not even an unknown path is answered; with one, it is a 404 like the API's.
    assert_eq!(raw(&emulator, "GET", "/v1/nothing", None, None).await.0, 401);
    assert_eq!(
        raw(&emulator, "GET", "/v1/nothing", Some(&private), None).await,
        (404, json!({"error": "Not found", "code": "NOT_FOUND"}))
    );
    assert_eq!(raw(&emulator, "GET", "/_emulator/journal", Some(&public), None).await.0, 401);
    all_answers_matched_the_spec(&emulator);
}

#[tokio::test]
async fn a_bad_request_gets_400_naming_the_field() {
    let emulator = polled().await;
    let key = emulator.private_key().to_string();
    let cases = [
        ("POST", "/v1/agents", json!({"image": "a:1"}), "/body"),
        ("POST", "/v1/agents", json!({"serviceName": "Not_Valid", "image": "a:1"}), "/body/serviceName"),
        ("POST", "/v1/agents", json!({"serviceName": "bot", "maxSessionDuration": 5}), "/body/maxSessionDuration"),
        ("POST", "/v1/agents", json!({"serviceName": "bot", "agentProfile": "agent-9x"}), "/body/agentProfile"),
        (
            "POST",
            "/v1/agents",
            json!({"serviceName": "bot", "autoScaling": {"maxAgents": "many"}}),
            "/body/autoScaling/maxAgents",
        ),
        ("PUT", "/v1/secrets/my-set", json!({"secrets": []}), "/body"),
        ("GET", "/v1/builds?limit=500", Value::Null, "/query/limit"),
        ("GET", "/v1/builds?status=done", Value::Null, "/query/status"),
        ("GET", "/v1/agents/bot/logs?limit=ten", Value::Null, "/query/limit"),
        ("GET", "/v1/builds/not-a-uuid", Value::Null, "/path/buildId"),
        ("GET", "/v1/secrets/UPPER", Value::Null, "/path/setName"),
    ];
    for (method, path, body, pointer) in cases {
        let body = (!body.is_null()).then_some(body);
        let (status, answer) = raw(&emulator, method, path, Some(&key), body.clone()).await;
        let message = answer["error"].as_str().unwrap_or_default();
        assert_eq!(status, 400, "{method} {path} {body:?}: {answer}");
        assert!(message.starts_with(pointer), "{method} {path}: `{message}` should name {pointer}");
        assert_eq!(answer["code"], "GENERIC_BAD_REQUEST");
    }
    let malformed = http()
        .post(format!("{}/v1/agents", emulator.host()))
        .bearer_auth(&key)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("send");
    assert_eq!(malformed.status(), 400);
    all_answers_matched_the_spec(&emulator);
}

#[tokio::test]
async fn a_huge_body_gets_413_without_being_read() {
    let emulator = polled().await;
    // 100 MB announced; the emulator answers before reading it.
    let announced = http()
        .put(format!("{}/v1/secrets/big", emulator.host()))
        .bearer_auth(emulator.private_key())
        .header("content-length", (100 * 1024 * 1024).to_string())
        .body(reqwest::Body::wrap_stream(futures_util::stream::once(async {
            Ok::<_, std::io::Error>(vec![b'{'; 1024])
        })))
        .send()
        .await;
    match announced {
        Ok(answer) => assert_eq!(answer.status(), 413),
        // The server may close before the client has finished sending: also a refusal.
        Err(error) => assert!(error.is_request() || error.is_body(), "{error}"),
    }
    // Chunked, without a length: refused once the limit is passed.
    let chunks = (0..3000).map(|_| Ok::<_, std::io::Error>(vec![b' '; 1024]));
    let chunked = http()
        .put(format!("{}/v1/secrets/big", emulator.host()))
        .bearer_auth(emulator.private_key())
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(chunks)))
        .send()
        .await;
    if let Ok(answer) = chunked {
        assert_eq!(answer.status(), 413);
    }
}

#[tokio::test]
async fn a_dripping_connection_is_closed_while_others_are_served() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let emulator = polled().await;
    let mut drip = tokio::net::TcpStream::connect(emulator.address()).await.expect("connect");
    drip.write_all(b"GET /v1/secrets HTTP/1.1\r\nHost: x\r\n").await.expect("write");
    // Others are served meanwhile.
    emulator.client().list_secret_sets().await.expect("served");
    // The head never ends: the emulator closes the connection after its head timeout.
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(20), drip.read_to_end(&mut rest)).await;
    assert!(closed.is_ok(), "the dripping connection is still open after 20 s");
}
