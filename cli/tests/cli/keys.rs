//! Where keys come from, and that none is ever printed.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_from_flag_env_or_file_never_appear_in_any_output() {
    let server = ScriptedServer::start_with(|request| match request.path() {
        "/v1/regions" => Reply::json(200, json!({"regions": [{"code": "us-west", "display_name": "US West"}]})),
        _ => Reply::json(401, json!({"error": "Unauthorized", "code": "UNAUTHORIZED"})),
    })
    .await
    .unwrap();
    let mut outputs = Vec::new();
    // By flag, with --verbose, a success and a refusal.
    outputs.push(run(&server, "keys-flag", &["--verbose", "region", "list"]).await);
    let refused = run(&server, "keys-flag", &["--verbose", "--output", "json", "agent", "get", "bot"]).await;
    assert_eq!((refused.code, refused.json()["error"]["status"].clone()), (1, json!(401)));
    outputs.push(refused);
    // By environment.
    outputs.push(
        run_with(
            &server,
            "keys-env",
            &["--verbose", "auth", "status"],
            &[("PIPECAT_API_KEY", PRIVATE_KEY), ("PIPECAT_DEFAULT_PUBLIC_KEY", PUBLIC_KEY)],
            None,
        )
        .await,
    );
    // By the credentials file, written by `auth login` from stdin.
    let login = run_with(
        &server,
        "keys-file",
        &["--output", "json", "auth", "login"],
        &[],
        Some(&format!("{PRIVATE_KEY}\n{PUBLIC_KEY}\n")),
    )
    .await;
    assert_eq!(login.code, 0, "{}", login.stderr);
    let file = PathBuf::from(login.json()["file"].as_str().unwrap());
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(PRIVATE_KEY), "the file holds the key");
    #[cfg(unix)]
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&file).unwrap().permissions()) & 0o777,
        0o600
    );
    outputs.push(login);
    let dir = file.parent().unwrap().to_str().unwrap().to_string();
    let status = run_with(
        &server,
        "keys-file",
        &["--verbose", "--output", "json", "auth", "status"],
        &[("PIPECAT_CONFIG_DIR", &dir)],
        None,
    )
    .await;
    assert_eq!(status.code, 0, "{}", status.stderr);
    let report = status.json();
    assert!(report["privateKey"].as_str().unwrap().contains("profile `default`"), "{report}");
    assert_eq!(report["privateKeyCheck"], "accepted (listRegions)");
    outputs.push(status);
    outputs.push(
        run_with(&server, "keys-file", &["--verbose", "agent", "get", "bot"], &[("PIPECAT_CONFIG_DIR", &dir)], None)
            .await,
    );
    for output in &outputs {
        for key in [PRIVATE_KEY, PUBLIC_KEY] {
            assert!(
                !output.stdout.contains(key) && !output.stderr.contains(key),
                "a key was printed:\n{}\n{}",
                output.stdout,
                output.stderr
            );
        }
    }
    assert!(outputs[0].stderr.contains("GET /v1/regions → 200 in "), "--verbose logs the calls: {}", outputs[0].stderr);
    // Flags beat the environment, which beats the file.
    let sent = server.requests();
    assert!(sent.iter().all(|r| r.header("authorization") == Some(&format!("Bearer {PRIVATE_KEY}"))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flags_beat_the_environment_which_beats_the_credentials_file() {
    let server = ScriptedServer::start_with(|_| Reply::json(200, json!({"regions": []}))).await.unwrap();
    let login = run_with(
        &server,
        "precedence",
        &["--output", "json", "auth", "login", "--no-public-key"],
        &[],
        Some("file-key-0001\n"),
    )
    .await;
    let file = PathBuf::from(login.json()["file"].as_str().unwrap());
    let dir = file.parent().unwrap().to_str().unwrap().to_string();
    let env = [("PIPECAT_CONFIG_DIR", dir.as_str()), ("PIPECAT_API_KEY", "env-key-0002")];
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case<'_>; 3] = [
        (&["--api-key", "flag-key-0003", "region", "list"], &env, "flag-key-0003"),
        (&["region", "list"], &env, "env-key-0002"),
        (&["region", "list"], &env[..1], "file-key-0001"),
    ];
    for (args, env, expected) in cases {
        server.clear();
        let result = run_with(&server, "precedence", args, env, None).await;
        assert_eq!(result.code, 0, "{}", result.stderr);
        assert_eq!(server.requests()[0].header("authorization"), Some(format!("Bearer {expected}").as_str()));
    }
    let missing = run_with(&server, "precedence", &["--profile", "staging", "region", "list"], &env[..1], None).await;
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("no profile `staging`"), "{}", missing.stderr);
    let created = run_with(
        &server,
        "precedence",
        &["--profile", "staging", "auth", "login", "--no-public-key"],
        &env[..1],
        Some("staging-key-0004\n"),
    )
    .await;
    assert_eq!(created.code, 0, "auth login creates a new profile: {}", created.stderr);
    server.clear();
    let staging = run_with(&server, "precedence", &["--profile", "staging", "region", "list"], &env[..1], None).await;
    assert_eq!(staging.code, 0, "{}", staging.stderr);
    assert_eq!(server.requests()[0].header("authorization"), Some("Bearer staging-key-0004"));
}
