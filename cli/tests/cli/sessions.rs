//! `session start` and `session proxy` against scripted answers.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_start_prints_the_session_and_room_and_proxy_prints_the_bots_answer() {
    let server = ScriptedServer::start_with(|request| match (request.method.as_str(), request.path()) {
        ("POST", "/v1/public/bot/start") => Reply::json(200, json!({"sessionId": UUID, "dailyRoom": "https://example.daily.co/room-1", "dailyToken": "room-token-secret"})),
        (_, path) if path.starts_with("/v1/public/bot/sessions/") => Reply::text(200, "text/plain", "answer from the bot\n"),
        _ => Reply::json(500, json!({"error": "unexpected"})),
    })
    .await
    .unwrap();
    let started = run(
        &server,
        "session-start",
        &["--output", "plain", "session", "start", "bot", "--daily-room", "--data", "{\"lang\": \"en\"}"],
    )
    .await;
    assert_eq!(started.code, 0, "{}", started.stderr);
    assert!(
        started.stdout.contains(&format!("sessionId\t{UUID}"))
            && started.stdout.contains("dailyRoom\thttps://example.daily.co/room-1"),
        "{}",
        started.stdout
    );
    assert!(!started.stdout.contains("room-token-secret"), "the join token is shown only in JSON mode");
    let start = server.requests().into_iter().next().unwrap();
    assert_eq!(
        start.header("authorization"),
        Some(format!("Bearer {PUBLIC_KEY}").as_str()),
        "the public key starts sessions"
    );
    assert_eq!(body(&start), json!({"createDailyRoom": true, "body": {"lang": "en"}}));
    server.clear();
    let answer = run(
        &server,
        "session-proxy",
        &["session", "proxy", "bot", UUID, "api/offer", "-X", "POST", "--data", "{\"sdp\": \"x\"}", "--query", "a=1"],
    )
    .await;
    assert_eq!(answer.code, 0, "{}", answer.stderr);
    assert_eq!(answer.stdout, "answer from the bot\n");
    let sent = &server.requests()[0];
    assert_eq!(
        (sent.method.as_str(), sent.path(), query(sent).as_str()),
        ("POST", format!("/v1/public/bot/sessions/{UUID}/api/offer").as_str(), "a=1")
    );
    assert_eq!(String::from_utf8_lossy(&sent.body), "{\"sdp\": \"x\"}");
}
