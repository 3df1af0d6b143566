//! No key and no secret value in the journal, the logs or an error.

use serde_json::json;

use super::*;

#[tokio::test]
async fn sentinels_never_reach_the_journal_the_logs_or_errors() {
    const VALUE: &str = "SENTINEL-SECRET-VALUE-31337";
    let emulator = Emulator::builder()
        .progression(Progression::Immediate)
        .private_key("sk_SENTINEL_PRIVATE_KEY")
        .public_key("pk_SENTINEL_PUBLIC_KEY")
        .start()
        .await
        .expect("start");
    let client = emulator.client();
    client.upsert_secret_set("set", secrets(&[("TOKEN", VALUE)])).await.expect("upsert");
    let image_pull = json!({"isImagePullSecret": true, "host": "https://index.docker.io/v1", "secretValue": VALUE});
    let _ = http()
        .put(format!("{}/v1/secrets/pull", emulator.host()))
        .bearer_auth(emulator.private_key())
        .json(&image_pull)
        .send()
        .await;
    // A refused request with the value in it.
    let refused = http()
        .put(format!("{}/v1/secrets/set", emulator.host()))
        .bearer_auth(emulator.private_key())
        .json(&json!({"secrets": [{"secretKey": "bad key!", "secretValue": VALUE}]}))
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("text");
    // A body the spec check refuses, with the value in it: the refusal names the field, not the value.
    let bad_host = json!({"isImagePullSecret": true, "host": "not a uri", "secretValue": VALUE});
    let refused_by_schema = http()
        .put(format!("{}/v1/secrets/other-pull", emulator.host()))
        .bearer_auth(emulator.private_key())
        .json(&bad_host)
        .send()
        .await
        .expect("send");
    assert_eq!(refused_by_schema.status(), 400);
    let refused_by_schema = refused_by_schema.text().await.expect("text");
    client.create_service(agent("bot", "a:1", 2).secret_set("set")).await.expect("create");
    let logs = client.get_logs("bot").limit(1000).await.expect("logs");
    let everything = format!(
        "{}{}{}",
        serde_json::to_string(&emulator.journal()).expect("journal"),
        serde_json::to_string(&logs).expect("logs"),
        refused
    ) + &refused_by_schema;
    for sentinel in [VALUE, "SENTINEL_PRIVATE_KEY", "SENTINEL_PUBLIC_KEY"] {
        assert!(!everything.contains(sentinel), "{sentinel} leaked");
    }
    assert!(everything.contains("<redacted>"), "the journal shows where a value was");
    assert!(!format!("{emulator:?}").contains("SENTINEL"), "Debug shows a key");
    assert!(!format!("{:?}", emulator.snapshot()).contains("SENTINEL"), "the state's Debug shows a value");
    let builder = Emulator::builder().private_key("sk_SENTINEL_PRIVATE_KEY").public_key("pk_SENTINEL_PUBLIC_KEY");
    assert!(!format!("{builder:?}").contains("SENTINEL"), "the builder's Debug shows a key");
}
