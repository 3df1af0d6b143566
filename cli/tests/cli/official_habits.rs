//! The official CLI's names and habits (pipecatcloud 1.4.0) work here, on the emulator: its command and
//! flag names, its `pcc-deploy.toml` keys, `build run` with `[build]`, a bare `pipecat-cloud`, `auth
//! status` without a key, and `session proxy -d` as a POST.

use pipecat_cloud_emulator::{Emulator, Progression};

use super::*;

async fn emulator() -> Emulator {
    Emulator::builder().progression(Progression::Immediate).start().await.unwrap()
}

async fn on(emulator: &Emulator, name: &str, args: &[&str], cwd: Option<&std::path::Path>) -> Run {
    let mut all = vec!["--api-key", emulator.private_key(), "--public-key", emulator.public_key()];
    all.extend_from_slice(args);
    launch(&emulator.host(), name, &all, &[], Some(""), cwd).await
}

fn operations(emulator: &Emulator) -> Vec<String> {
    emulator.journal().iter().filter_map(|e| e.operation_id.clone()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_command_and_flag_names_work() {
    let emulator = emulator().await;
    let deployed =
        on(&emulator, "habit-deploy", &["deploy", "bot", "acme/bot:1", "--max-agents", "2", "-f"], None).await;
    assert_eq!(deployed.code, 0, "{}", deployed.stderr);
    let cases: [(&[&str], &str); 8] = [
        (&["secrets", "list"], "listSecretSets"),
        (&["regions", "list"], "listRegions"),
        (&["agent", "status", "bot"], "getService"),
        (&["agent", "start", "bot", "--use-daily", "-f"], "startService"),
        (&["agent", "sessions", "bot"], "getSessions"),
        (&["agent", "logs", "bot", "-n", "5", "--level", "session"], "getLogs"),
        (&["build", "list", "-n", "5"], "listBuilds"),
        (&["agent", "list", "-r", "us-west"], "listServices"),
    ];
    for (args, operation) in cases {
        emulator.clear_journal();
        let run = on(&emulator, "habit", args, None).await;
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert_eq!(operations(&emulator).last().map(String::as_str), Some(operation), "{args:?}");
    }
    // `--level` filters as the official CLI's does: lines holding the word.
    emulator.clear_journal();
    on(&emulator, "habit-level", &["agent", "logs", "bot", "--level", "ERROR"], None).await;
    let query = &emulator.journal()[0].query;
    assert!(query.iter().any(|(k, v)| k == "query" && v == "ERROR"), "{query:?}");
    // `deploy --secrets` is --secret-set; the set must exist.
    let missing = on(&emulator, "habit-secrets", &["deploy", "bot2", "acme/bot:1", "--secrets", "nosuch"], None).await;
    assert_eq!(missing.code, 1, "{}", missing.stderr);
    assert!(missing.stderr.contains("secret set 'nosuch' not found"), "{}", missing.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pcc_deploy_toml_keys_are_read_where_the_api_takes_them_and_refused_by_name_where_not() {
    let emulator = emulator().await;
    let dir = config_dir("habit-toml");
    std::fs::write(
        dir.join("pcc-deploy.toml"),
        "agent_name = \"bot\"\nimage = \"acme/bot:1\"\narchitecture = \"arm64\"\n[scaling]\nmin_agents = 0\nmax_agents = 2\n[docker]\nregistry = \"dockerhub\"\n",
    )
    .unwrap();
    let run = on(&emulator, "habit-toml", &["deploy"], Some(&dir)).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let create = emulator.journal().into_iter().find(|e| e.operation_id.as_deref() == Some("createService")).unwrap();
    let body = create.request_body.unwrap();
    assert_eq!(
        (body["nodeType"].clone(), body["autoScaling"]["maxAgents"].clone()),
        (json!("arm"), json!(2)),
        "{body}"
    );
    for (line, named) in [
        ("architecture = \"amd64\"", "arm64 only"),
        ("websocket_auth = \"token\"", "websocket_auth cannot be sent"),
        ("[resources]\ncpu = \"1\"\nmemory = \"2Gi\"", "[resources] cannot be sent"),
        ("[git]\nrepo = \"a/b\"\nbranch = \"main\"", "[git] cannot be sent"),
        ("enable_krisp = true", "enable_krisp is no longer supported"),
        ("colour = \"blue\"", "unknown field `colour`"),
    ] {
        std::fs::write(dir.join("pcc-deploy.toml"), format!("agent_name = \"bot\"\nimage = \"acme/bot:2\"\n{line}\n"))
            .unwrap();
        emulator.clear_journal();
        let refused = on(&emulator, "habit-toml-refused", &["deploy"], Some(&dir)).await;
        assert_eq!(refused.code, 2, "{line}: {}", refused.stderr);
        assert!(refused.stderr.contains(named), "{line}: {}", refused.stderr);
        assert!(operations(&emulator).is_empty(), "{line}: nothing sent");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn build_run_packs_what_the_deploy_files_build_table_says() {
    let emulator = emulator().await;
    let dir = config_dir("habit-build");
    std::fs::create_dir_all(dir.join("app/skip")).unwrap();
    std::fs::write(dir.join("app/Dockerfile.bot"), "FROM scratch\n").unwrap();
    std::fs::write(dir.join("app/bot.py"), "print('hi')\n").unwrap();
    std::fs::write(dir.join("app/skip/big.bin"), "x".repeat(1000)).unwrap();
    std::fs::write(
        dir.join("pcc-deploy.toml"),
        "agent_name = \"bot\"\n[build]\ncontext_dir = \"app\"\ndockerfile = \"Dockerfile.bot\"\n[build.exclude]\npatterns = [\"skip\"]\n",
    )
    .unwrap();
    let run = on(&emulator, "habit-build", &["build", "run"], Some(&dir)).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let create = emulator.journal().into_iter().find(|e| e.operation_id.as_deref() == Some("createBuild")).unwrap();
    assert_eq!(create.request_body.unwrap()["dockerfilePath"], "Dockerfile.bot");
    let build = &emulator.snapshot().builds[0];
    // The archive held two small files, not the excluded 1000 bytes: far below 1000 compressed or not.
    assert!(build.context_size_bytes < 1000, "the excluded folder was packed: {} bytes", build.context_size_bytes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bare_command_prints_help_auth_status_without_a_key_fails_and_proxy_data_is_a_post() {
    let bare = std::process::Command::new(env!("CARGO_BIN_EXE_pipecat-cloud"))
        .env("PIPECAT_CONFIG_DIR", config_dir("habit-bare"))
        .output()
        .unwrap();
    assert_eq!(bare.status.code(), Some(0), "{}", String::from_utf8_lossy(&bare.stderr));
    assert!(String::from_utf8_lossy(&bare.stdout).contains("Usage: pipecat-cloud"), "the help, on stdout");
    let no_key = launch("http://127.0.0.1:9", "habit-auth", &["auth", "status"], &[], Some(""), None).await;
    assert_ne!(no_key.code, 0, "{}", no_key.stdout);
    assert!(no_key.stderr.contains("no key is set"), "{}", no_key.stderr);

    let emulator = emulator().await;
    on(&emulator, "habit-proxy-deploy", &["deploy", "bot", "acme/bot:1"], None).await;
    let session = emulator.client().start_service("bot", pipecat_cloud::types::StartRequest::new()).await.unwrap();
    let id = session.session_id.unwrap();
    emulator.clear_journal();
    let proxied =
        on(&emulator, "habit-proxy", &["session", "proxy", "bot", &id, "status", "-d", "{\"a\":1}"], None).await;
    assert_eq!(proxied.code, 0, "{}", proxied.stderr);
    assert_eq!(emulator.journal()[0].method, "POST", "data without -X is a POST, as in curl");
}
