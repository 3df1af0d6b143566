//! `deploy` against scripted answers: the exact requests, pcc-deploy.toml, a 502 while polling.

use super::*;

/// An agent as getService answers: deployment `deployment`, reconciled to `reconciled`, `ready`.
fn agent(reconciled: Option<&str>, ready: bool) -> Value {
    json!({"name": "bot", "region": "us-west", "ready": ready, "desiredDeploymentId": "d-2",
        "reconciledDeploymentId": reconciled, "activeDeploymentReady": ready})
}

/// A server for deploys of agent `bot`: the agent exists or not, and the polls answer `polls` in order
/// (the last one repeats).
async fn deploy_server(exists: bool, polls: Vec<Reply>) -> (ScriptedServer, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    let server = ScriptedServer::start_with(move |request| match (request.method.as_str(), request.path()) {
        ("GET", "/v1/agents/bot") => {
            let n = seen.fetch_add(1, Ordering::SeqCst);
            if n == 0 {
                return if exists {
                    Reply::json(200, agent(Some("d-1"), true))
                } else {
                    Reply::json(404, json!({"error": "Service not found", "code": "NOT_FOUND"}))
                };
            }
            polls[(n - 1).min(polls.len() - 1)].clone()
        }
        ("POST", "/v1/agents") | ("POST", "/v1/agents/bot") => Reply::json(200, agent(Some("d-1"), false)),
        ("GET", "/v1/secrets/bot-secrets") => Reply::json(200, json!({"name": "bot-secrets", "status": "ready"})),
        // An image pull secret's status is read from the list (its own read is refused by the API).
        ("GET", "/v1/secrets") => {
            Reply::json(200, json!({"sets": [{"name": "regcred", "type": "imagePullSecret", "status": "ready"}]}))
        }
        _ => Reply::json(500, json!({"error": "unexpected"})),
    })
    .await
    .unwrap();
    (server, count)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_creates_then_waits_through_pending_to_ready() {
    let polls = vec![
        Reply::json(200, agent(None, false)),
        Reply::json(200, agent(Some("d-1"), false)),
        Reply::json(200, agent(Some("d-2"), true)),
    ];
    let (server, polled) = deploy_server(false, polls).await;
    let result = run(
        &server,
        "deploy-ready",
        &[
            "--output",
            "json",
            "deploy",
            "bot",
            "registry.example.com/bot:1",
            "--secret-set",
            "bot-secrets",
            "--min-agents",
            "1",
            "--interval",
            "0",
            "--timeout",
            "30",
        ],
    )
    .await;
    assert_eq!(result.code, 0, "{}", result.stderr);
    let shown = result.json();
    assert_eq!(shown["reconciledDeploymentId"], "d-2");
    assert_eq!(shown["ready"], true);
    let requests = server.requests();
    let create = requests.iter().find(|r| r.method == "POST").unwrap();
    assert_eq!(create.path(), "/v1/agents");
    assert_eq!(body(create)["serviceName"], "bot");
    assert_eq!(body(create)["image"], "registry.example.com/bot:1");
    assert_eq!(body(create)["autoScaling"], json!({"minAgents": 1}));
    assert_eq!(polled.load(Ordering::SeqCst), 4, "one look-up, three polls");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_updates_an_existing_agent_and_survives_a_502_while_polling() {
    // More 502s than one call retries, then a 500 (which a call does not retry): the wait rides them out.
    let bad_gateway = Reply::json(502, json!({"error": "bad gateway"}));
    let polls = vec![
        bad_gateway.clone(),
        bad_gateway.clone(),
        bad_gateway.clone(),
        bad_gateway,
        Reply::json(500, json!({"error": "oops"})),
        Reply::json(200, agent(Some("d-2"), true)),
    ];
    let (server, _) = deploy_server(true, polls).await;
    let result = run(
        &server,
        "deploy-502",
        &["--output", "json", "deploy", "bot", "registry.example.com/bot:2", "--interval", "0", "--timeout", "30"],
    )
    .await;
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(result.json()["ready"], true);
    let update = server.requests().into_iter().find(|r| r.method == "POST").unwrap();
    assert_eq!(update.path(), "/v1/agents/bot", "an existing agent is updated, not created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_fails_fast_on_a_failed_revision() {
    let failed = json!({"name": "bot", "ready": false, "desiredDeploymentId": "d-2", "reconciledDeploymentId": "d-1",
        "currentRevision": {"deploymentID": "d-2", "phase": "failed", "health": {"message": "crash loop: exit 1"}}});
    let (server, polled) = deploy_server(false, vec![Reply::json(200, failed)]).await;
    let result = run(
        &server,
        "deploy-fail",
        &["--output", "json", "deploy", "bot", "registry.example.com/bot:3", "--interval", "0", "--timeout", "30"],
    )
    .await;
    assert_eq!(result.code, 1, "{}", result.stderr);
    let error = result.json();
    assert!(error["error"]["message"].as_str().unwrap().contains("crash loop: exit 1"), "{error}");
    assert!(result.stderr.contains("pipecat-cloud agent logs bot"), "{}", result.stderr);
    assert_eq!(polled.load(Ordering::SeqCst), 2, "one look-up and one poll: no waiting on a failure");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_that_times_out_exits_3() {
    let (server, _) = deploy_server(false, vec![Reply::json(200, agent(Some("d-1"), false))]).await;
    let result = run(
        &server,
        "deploy-timeout",
        &["--output", "json", "deploy", "bot", "registry.example.com/bot:4", "--timeout", "1", "--interval", "0.1"],
    )
    .await;
    assert_eq!(result.code, 3, "{}", result.stderr);
    assert_eq!(result.json()["error"]["code"], "WAIT_TIMED_OUT");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_reads_pcc_deploy_toml() {
    let (server, _) = deploy_server(false, vec![Reply::json(200, agent(Some("d-2"), true))]).await;
    let dir = config_dir("deploy-toml-project");
    let file = dir.join("pcc-deploy.toml");
    std::fs::write(&file, "agent_name = \"bot\"\nimage = \"registry.example.com/bot:5\"\nregion = \"eu-central\"\n[scaling]\nmin_agents = 2\nmax_agents = 5\n").unwrap();
    let result = run(
        &server,
        "deploy-toml",
        &["--output", "json", "deploy", "--config-file", file.to_str().unwrap(), "--interval", "0", "--timeout", "30"],
    )
    .await;
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(result.json()["ready"], true);
    let create = server.requests().into_iter().find(|r| r.method == "POST").unwrap();
    assert_eq!(body(&create)["region"], "eu-central");
    assert_eq!(body(&create)["autoScaling"], json!({"minAgents": 2, "maxAgents": 5}));
    // Without --config-file, ./pcc-deploy.toml is read; a flag beats the file.
    let (server, _) = deploy_server(false, vec![Reply::json(200, agent(Some("d-2"), true))]).await;
    let args = [
        "--api-key",
        PRIVATE_KEY,
        "--output",
        "json",
        "deploy",
        "--region",
        "us-east",
        "--interval",
        "0",
        "--timeout",
        "30",
    ];
    let result = launch(&server.url(), "deploy-cwd", &args, &[], None, Some(&dir)).await;
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(result.json()["ready"], true);
    let create = server.requests().into_iter().find(|r| r.method == "POST").unwrap();
    assert_eq!(body(&create)["image"], "registry.example.com/bot:5");
    assert_eq!(body(&create)["region"], "us-east");
}

/// Every setting reaches the body under the API's name, through the SDK's typed request; `--force`
/// only on an update.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_sends_every_setting_typed() {
    let (server, _) = deploy_server(true, vec![Reply::json(200, agent(Some("d-2"), true))]).await;
    let build = "5f0c3a52-6a4e-4f43-9d4e-1b2a3c4d5e6f";
    let args = [
        "--output",
        "json",
        "deploy",
        "bot",
        "--build-id",
        build,
        "--secret-set",
        "bot-secrets",
        "--image-pull-secret-set",
        "regcred",
        "--agent-profile",
        "agent-2x",
        "--max-session-duration",
        "600",
        "--krisp-viva-audio-filter",
        "tel",
        "--max-agents",
        "4",
        "--force",
        "--interval",
        "0",
        "--timeout",
        "30",
    ];
    let result = run(&server, "deploy-typed", &args).await;
    assert_eq!(result.code, 0, "{}", result.stderr);
    let update = server.requests().into_iter().find(|r| r.method == "POST").unwrap();
    assert_eq!(
        body(&update),
        json!({"buildId": build, "secretSet": "bot-secrets", "imagePullSecretSet": "regcred", "agentProfile": "agent-2x",
            "maxSessionDuration": 600, "krispViva": {"audioFilter": "tel"}, "autoScaling": {"maxAgents": 4},
            "forceRedeploy": true})
    );
}

/// A value the API does not list, or a build id that is not one, is refused before any request, and
/// the message names the values the API accepts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_refuses_unlisted_values_before_sending() {
    let cases: [(&[&str], &str); 3] = [
        (
            &["--agent-profile", "agent-9x"],
            "--agent-profile `agent-9x` (or agent_profile in pcc-deploy.toml): unknown variant `agent-9x`, expected one of `agent-1x`, `agent-2x`, `agent-3x`",
        ),
        (
            &["--krisp-viva-audio-filter", "studio"],
            "--krisp-viva-audio-filter `studio` (or [krisp_viva] audio_filter in pcc-deploy.toml): unknown variant `studio`, expected `tel` or `pro`",
        ),
        (
            &["--build-id", "latest"],
            "--build-id `latest` (or build_id in pcc-deploy.toml) is not a build id (a UUID, from `build run`)",
        ),
    ];
    for (flags, said) in cases {
        let (server, _) = deploy_server(false, vec![Reply::json(200, agent(Some("d-2"), true))]).await;
        let mut args = vec!["deploy", "bot"];
        if flags[0] != "--build-id" {
            args.push("registry.example.com/bot:1");
        }
        args.extend_from_slice(flags);
        let result = run(&server, "deploy-refused", &args).await;
        assert_eq!(result.code, 2, "{flags:?}: {}", result.stderr);
        assert!(result.stderr.contains(said), "{flags:?}: {}", result.stderr);
        assert!(server.requests().is_empty(), "{flags:?}: nothing is sent");
    }
}

/// An existing agent whose name `createService` would not take (older rules, another tool) can still
/// be updated: the create body's refusal counts only when the look-up says the agent is new.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_agent_with_a_name_create_would_refuse_is_updated() {
    let name = "Legacy_Bot";
    let server = ScriptedServer::start_with(move |request| match (request.method.as_str(), request.path()) {
        ("GET", "/v1/agents/Legacy_Bot") => Reply::json(200, agent(Some("d-2"), true)),
        ("POST", "/v1/agents/Legacy_Bot") => Reply::json(200, agent(Some("d-1"), false)),
        _ => Reply::json(404, json!({"error": "Service not found", "code": "NOT_FOUND"})),
    })
    .await
    .unwrap();
    let args = ["--output", "json", "deploy", name, "registry.example.com/bot:3", "--no-wait"];
    let result = run(&server, "deploy-legacy-name", &args).await;
    assert_eq!(result.code, 0, "{}", result.stderr);
    let posts: Vec<_> = server.requests().into_iter().filter(|r| r.method == "POST").collect();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].path(), "/v1/agents/Legacy_Bot", "updated, not created");
    assert_eq!(body(&posts[0]), json!({"image": "registry.example.com/bot:3"}));

    // A new agent with that name is refused before it is created, naming the rule, and before the
    // wait for its secret set (which could take minutes): the look-up is the only request.
    let server = ScriptedServer::start_with(|_| Reply::json(404, json!({"error": "Service not found"}))).await.unwrap();
    let args = ["deploy", name, "registry.example.com/bot:3", "--secret-set", "bot-secrets", "--timeout", "30"];
    let result = run(&server, "deploy-legacy-name-new", &args).await;
    assert_eq!(result.code, 2, "{}", result.stderr);
    assert!(result.stderr.contains("`Legacy_Bot` cannot name an agent"), "{}", result.stderr);
    let sent: Vec<String> = server.requests().iter().map(|r| format!("{} {}", r.method, r.path())).collect();
    assert_eq!(sent, ["GET /v1/agents/Legacy_Bot"], "only the look-up was sent");
}

/// The API took the deploy but its answer does not decode: the error says the agent was created, so
/// that nobody deploys twice, and how to see it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deploy_whose_answer_does_not_decode_says_the_change_was_made() {
    let server = ScriptedServer::start_with(|request| match (request.method.as_str(), request.path()) {
        ("POST", "/v1/agents") => Reply::json(200, json!({"name": "bot", "ready": "not a boolean"})),
        _ => Reply::json(404, json!({"error": "Service not found", "code": "NOT_FOUND"})),
    })
    .await
    .unwrap();
    let result =
        run(&server, "deploy-undecodable", &["deploy", "bot", "registry.example.com/bot:1", "--no-wait"]).await;
    assert_eq!(result.code, 1, "{}", result.stderr);
    assert!(
        result.stderr.contains("agent bot was created (HTTP 200), but its answer could not be read")
            && result.stderr.contains("pipecat-cloud agent get bot"),
        "{}",
        result.stderr
    );
    assert_eq!(server.requests().iter().filter(|r| r.method == "POST").count(), 1, "sent once");
}
