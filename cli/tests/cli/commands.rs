//! Every operation reachable by its command, and the golden command tree.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_is_reachable_by_its_command() {
    let server = ScriptedServer::start_with(|request| match request.method.as_str() {
        "HEAD" => Reply::Respond { status: 200, headers: vec![], body: String::new() },
        // `secret set` is a typed call: its answer must decode as the spec's.
        "PUT" if request.path().starts_with("/v1/secrets/") => {
            Reply::json(202, json!({"status": "OK", "region": "us-west"}))
        }
        _ => Reply::json(200, json!({"ok": true})),
    })
    .await
    .unwrap();
    let mut reached = 0;
    for operation in pipecat_cloud::catalog::OPERATIONS.iter() {
        let words = pipecat_cloud_cli::command_words(operation.id);
        let proxy = words.iter().any(|w| w == "-X");
        let mut args: Vec<String> = vec!["--output".into(), "json".into()];
        args.extend(words);
        let mut path = format!("/v1{}", operation.path);
        for param in operation.path_params {
            let value = if param.format == Some("uuid") {
                UUID
            } else if param.sub_path {
                "api/offer"
            } else {
                "sample-1"
            };
            args.push(value.into());
            path = path.replace(&format!("{{{}}}", param.name), value);
        }
        for param in operation.query_params.iter().filter(|q| q.required) {
            args.extend([format!("--{}", param.name), "1".into()]);
        }
        let mut stdin = None;
        // A destructive command asks first; the test answers for a script.
        if pipecat_cloud_cli::asks_before_running(operation.id) {
            args.push("--yes".into());
        }
        match operation.id {
            pipecat_cloud::operation::OperationId::UpsertSecretSet => args.extend(["A=1".into(), "--no-wait".into()]),
            _ if !proxy => {
                if let Some(spec) = operation.body.as_ref() {
                    let required: serde_json::Map<String, Value> = spec
                        .fields
                        .iter()
                        .filter(|f| f.required)
                        .map(|f| (f.name.to_string(), sample(f.kind)))
                        .collect();
                    if spec.required || !required.is_empty() {
                        args.extend(["--json-body".into(), "-".into()]);
                        stdin = Some(Value::Object(required).to_string());
                    }
                }
            }
            _ => {}
        }
        server.clear();
        let mut all = vec!["--api-key", PRIVATE_KEY, "--public-key", PUBLIC_KEY];
        all.extend(args.iter().map(String::as_str));
        let result = run_with(&server, "every", &all, &[], stdin.as_deref()).await;
        assert_eq!(result.code, 0, "{} ({}): {}", operation.id, args.join(" "), result.stderr);
        let _ = result.json();
        let requests = server.requests();
        assert!(
            requests.iter().any(|r| r.method == operation.method.as_str() && r.path() == path),
            "{}: `pipecat-cloud {}` sent {:?}, not {} {path}",
            operation.id,
            args.join(" "),
            requests.iter().map(|r| format!("{} {}", r.method, r.target)).collect::<Vec<_>>(),
            operation.method
        );
        reached += 1;
    }
    assert_eq!(reached, pipecat_cloud::catalog::OPERATIONS.len());
    pipecat_cloud_tests::report(&format!("cli: {reached} operations reached through their commands"));
}

/// Set UPDATE_GOLDEN=1 to rewrite `tests/command-tree.txt` after a deliberate change; review the diff.
#[test]
fn the_command_tree_matches_its_golden_file() {
    let golden = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("command-tree.txt");
    let tree = pipecat_cloud_cli::command_tree();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &tree).unwrap();
    }
    let expected = std::fs::read_to_string(&golden).unwrap_or_default();
    assert!(
        tree == expected,
        "the command tree changed; rerun with UPDATE_GOLDEN=1 and review tests/command-tree.txt:\n{tree}"
    );
}
