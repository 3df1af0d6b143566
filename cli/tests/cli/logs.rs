//! `agent logs --follow` against scripted pages: no line twice, none lost.

use super::*;

/// Log lines at `seconds` past a fixed minute.
fn line(seconds: u32, text: &str) -> Value {
    json!({"log": text, "timestamp": format!("2025-04-18T20:34:{seconds:02}.000000000Z")})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_follow_prints_three_polls_without_duplicates() {
    let polls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&polls);
    let server = ScriptedServer::start_with(move |request| {
        let pages = [
            vec![line(1, "a"), line(2, "b")],
            vec![line(2, "b"), line(3, "c")],
            vec![line(3, "c"), line(3, "d"), line(4, "e"), line(4, "e")],
        ];
        let n = seen.fetch_add(1, Ordering::SeqCst);
        assert!(request.path() == "/v1/agents/bot/logs");
        Reply::json(200, json!({"logs": pages[n.min(2)], "total": {"value": 2, "relation": "eq"}}))
    })
    .await
    .unwrap();
    let result = run(
        &server,
        "logs",
        &[
            "--output",
            "json",
            "agent",
            "logs",
            "bot",
            "--follow",
            "--max-polls",
            "3",
            "--poll-interval",
            "0",
            "--query",
            "ERROR",
        ],
    )
    .await;
    assert_eq!(result.code, 0, "{}", result.stderr);
    let lines: Vec<Value> = result.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let texts: Vec<&str> = lines.iter().map(|l| l["log"].as_str().unwrap()).collect();
    assert_eq!(
        texts,
        ["a", "b", "c", "d", "e", "e"],
        "each line once, in order; a line logged twice at one instant, twice"
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert!(
        query(&requests[0]).contains("order=desc") && query(&requests[0]).contains("limit=10"),
        "the first poll reads the newest lines: {}",
        requests[0].target
    );
    for request in &requests[1..] {
        assert!(query(request).contains("order=asc"), "{}", request.target);
    }
    assert!(requests.iter().all(|r| query(r).contains("query=ERROR")), "the filter is on every poll");
    assert!(
        query(&requests[1]).contains("startTime=1745008442"),
        "the second poll starts at the newest second seen: {}",
        requests[1].target
    );
}
