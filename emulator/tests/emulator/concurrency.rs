//! Concurrent writers lose no update.

use pipecat_cloud::types::{AutoScaling, UpdateServiceRequest};

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_writers_on_one_set_and_one_agent_lose_nothing() {
    let emulator = Emulator::builder().progression(Progression::Immediate).start().await.expect("start");
    let client = emulator.client();
    client.create_service(agent("bot", "a:1", 1)).await.expect("create");
    let mut writers = tokio::task::JoinSet::new();
    for i in 0..64 {
        let client = client.clone();
        writers.spawn(async move {
            let key = format!("KEY_{i}");
            client.upsert_secret_set("shared", secrets(&[(key.as_str(), "v")])).await.expect("upsert");
            let scaling = AutoScaling::new().max_agents(i % 50 + 1);
            client.update_service("bot", UpdateServiceRequest::new().auto_scaling(scaling)).await.expect("update");
            i % 50 + 1
        });
    }
    let mut written = Vec::new();
    while let Some(done) = writers.join_next().await {
        written.push(done.expect("writer"));
    }
    let set = client.get_secret_set("shared").await.expect("get");
    assert_eq!(set.secrets.len(), 64, "every writer's key is in the set");
    // The agent holds the last update the journal shows.
    let last = emulator
        .journal()
        .iter()
        .rev()
        .find(|e| e.operation_id.as_deref() == Some("updateService"))
        .and_then(|e| e.request_body.as_ref()?.pointer("/autoScaling/maxAgents")?.as_i64())
        .expect("an update");
    let agent_view = client.get_service("bot").await.expect("get");
    assert_eq!(agent_view.auto_scaling.and_then(|a| a.max_replicas), Some(last));
    assert_eq!(written.len(), 64);
    all_answers_matched_the_spec(&emulator);
}
