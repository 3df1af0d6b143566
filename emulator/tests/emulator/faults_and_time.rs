//! Faults on demand and the clock.

use pipecat_cloud::RetryConfig;
use pipecat_cloud_emulator::Fault;

use super::*;

#[tokio::test]
async fn a_status_fault_is_answered_with_the_api_body_and_ridden_out_by_retries() {
    let emulator = polled().await;
    emulator.fault(Fault::status(503).on("listSecretSets").times(2).retry_after(0));
    let client = emulator
        .client_builder()
        .retry(RetryConfig::default().initial_backoff(Duration::from_millis(1)))
        .build()
        .expect("client");
    client.list_secret_sets().await.expect("the third attempt succeeds");
    let journal = emulator.journal();
    let faulted: Vec<_> =
        journal.iter().filter(|e| e.fault.is_some()).map(|e| (e.status, e.response_body.clone())).collect();
    assert_eq!(faulted.len(), 2);
    assert_eq!(
        faulted[0].1.as_ref().and_then(|b| b.get("code")).and_then(|c| c.as_str()),
        Some("INTERNAL_SERVER_ERROR")
    );
    assert_eq!(journal.last().and_then(|e| e.status), Some(200));
    all_answers_matched_the_spec(&emulator);
}

#[tokio::test]
async fn dropped_and_truncated_answers_are_transport_errors_retried_for_reads() {
    let emulator = polled().await;
    let no_retry = emulator.client_builder().retry(RetryConfig::disabled()).build().expect("client");
    emulator.fault(Fault::drop_connection().on("listRegions").times(1));
    let dropped = no_retry.list_regions().await.expect_err("dropped");
    assert!(dropped.is_retryable(), "{dropped}");
    emulator.fault(Fault::truncate_body().on("listRegions").times(1));
    let cut = no_retry.list_regions().await.expect_err("cut short");
    assert!(cut.status().is_some() || cut.is_retryable(), "{cut}");
    emulator.fault(Fault::drop_connection().on("listRegions").times(1));
    let with_retries = emulator
        .client_builder()
        .retry(RetryConfig::default().initial_backoff(Duration::from_millis(1)))
        .build()
        .expect("client");
    with_retries.list_regions().await.expect("a retry rides out the drop");
}

#[tokio::test]
async fn latency_and_hangs_meet_the_client_timeout() {
    let emulator = polled().await;
    let client = emulator
        .client_builder()
        .retry(RetryConfig::disabled())
        .timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    emulator.fault(Fault::latency(Duration::from_millis(50)).on("listRegions").times(1));
    client.list_regions().await.expect("slow but in time");
    emulator.fault(Fault::hang().on("listRegions").times(1));
    let hung = client.list_regions().await.expect_err("timed out");
    assert!(hung.is_retryable(), "{hung}");
    let journaled = emulator
        .journal()
        .into_iter()
        .find(|e| e.fault.as_deref() == Some("hang"))
        .expect("the hung request is journaled");
    assert_eq!(journaled.status, None);
}

#[tokio::test]
async fn a_seeded_probability_faults_some_requests_and_repeats() {
    let run = || async {
        let emulator = polled().await;
        emulator.fault(Fault::status(500).probability(0.5, 42));
        let client = emulator.client_builder().retry(RetryConfig::disabled()).build().expect("client");
        let mut outcomes = Vec::new();
        for _ in 0..40 {
            outcomes.push(client.list_regions().await.is_ok());
        }
        outcomes
    };
    let first = run().await;
    assert_eq!(first, run().await, "the same seed faults the same requests");
    let failed = first.iter().filter(|ok| !**ok).count();
    assert!((8..=32).contains(&failed), "{failed} of 40 failed");
}

#[tokio::test]
async fn time_moves_resources_when_advanced() {
    let emulator =
        Emulator::builder().progression(Progression::after(Duration::from_secs(30))).start().await.expect("start");
    let client = emulator.client();
    client.upsert_secret_set("set", secrets(&[("A", "1")])).await.expect("upsert");
    assert_eq!(
        client.get_secret_set("set").await.expect("get").status.map(|s| s.to_string()).as_deref(),
        Some("pending")
    );
    emulator.advance(Duration::from_secs(31)).expect("advance");
    assert_eq!(
        client.get_secret_set("set").await.expect("get").status.map(|s| s.to_string()).as_deref(),
        Some("ready")
    );
    client.create_service(agent("bot", "a:1", 2)).await.expect("create");
    emulator.advance(Duration::from_secs(95)).expect("advance");
    let agent_view = client.get_service("bot").await.expect("get");
    assert_eq!(agent_view.ready, Some(true), "three steps of 30 s were due");
    // A session reaches its cap.
    client.start_service("bot", pipecat_cloud::types::StartRequest::new()).await.expect("start");
    emulator.advance(Duration::from_secs(7201)).expect("advance");
    assert!(emulator.advance(Duration::from_secs(u64::MAX)).is_err(), "past any date: refused, not a panic");
    client.list_regions().await.expect("still serving");
    let ended = client.get_sessions("bot").status(pipecat_cloud::types::GetSessionsStatus::Ended).await.expect("list");
    assert_eq!(ended.total_count, Some(1));
    all_answers_matched_the_spec(&emulator);
}

#[tokio::test]
async fn a_wait_past_its_timeout_times_out() {
    let emulator =
        Emulator::builder().progression(Progression::after(Duration::from_secs(3600))).start().await.expect("start");
    let client = emulator.client();
    client.upsert_secret_set("set", secrets(&[("A", "1")])).await.expect("upsert");
    let options = pipecat_cloud::wait::WaitOptions::default()
        .interval(Duration::from_millis(10))
        .timeout(Duration::from_millis(100));
    let waited = client.wait_until_secret_set_ready("set", &options).await;
    assert!(matches!(waited, Err(pipecat_cloud::wait::WaitError::TimedOut { .. })), "{waited:?}");
}

#[tokio::test]
async fn a_fault_that_cannot_be_served_is_refused_by_the_control_api() {
    let emulator = polled().await;
    for (fault, why) in [
        (serde_json::json!({"effect": {"kind": "status", "status": 1000}}), "not an HTTP status"),
        (serde_json::json!({"effect": {"kind": "drop"}, "times": 0}), "applies to no request"),
    ] {
        let answer = http()
            .post(format!("{}/_emulator/faults", emulator.host()))
            .bearer_auth(emulator.private_key())
            .json(&fault)
            .send()
            .await
            .expect("send");
        assert_eq!(answer.status(), 400);
        assert!(answer.text().await.expect("text").contains(why), "{fault}");
    }
    let too_far = http()
        .post(format!("{}/_emulator/advance", emulator.host()))
        .bearer_auth(emulator.private_key())
        .json(&serde_json::json!({"seconds": 1e13}))
        .send()
        .await
        .expect("send");
    assert_eq!(too_far.status(), 400);
    emulator.client().list_regions().await.expect("still serving");
}
