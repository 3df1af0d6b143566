//! The commands that destroy something ask first: in a terminal (a pseudo-terminal here) they ask and
//! wait for `y`; `--yes` (or the official CLI's `--force`) answers for a script; in a pipe without it
//! they refuse with exit 2, naming the flag, and send nothing.

use pipecat_cloud::types::{AutoScaling, CreateServiceRequest, CreateServiceRequestServiceName, StartRequest};
use pipecat_cloud_emulator::{Emulator, Progression};

use super::*;

/// An emulator with agent `bot`, one running session, and secret set `bot-secrets` holding `A` and `B`;
/// the session's id.
async fn with_things_to_destroy() -> (Emulator, String) {
    let emulator = Emulator::builder().progression(Progression::Immediate).start().await.unwrap();
    let client = emulator.client();
    let name: CreateServiceRequestServiceName = "bot".parse().unwrap();
    client
        .create_service(
            CreateServiceRequest::new(name).image("acme/bot:1").auto_scaling(AutoScaling::new().max_agents(3)),
        )
        .await
        .unwrap();
    let session = client.start_service("bot", StartRequest::new()).await.unwrap().session_id.unwrap();
    let secrets = pipecat_cloud::types::RegularSecretsRequest::new(vec![
        pipecat_cloud::types::RegularSecretsRequestSecretsItem::new("A", "1"),
        pipecat_cloud::types::RegularSecretsRequestSecretsItem::new("B", "2"),
    ]);
    client.upsert_secret_set("bot-secrets", secrets).await.unwrap();
    (emulator, session)
}

/// The destructive commands, each with what it asks and the operation it sends.
fn destructive(session: &str) -> Vec<(Vec<String>, &'static str, &'static str)> {
    let words = |w: &[&str]| w.iter().map(ToString::to_string).collect::<Vec<_>>();
    vec![
        (words(&["agent", "session", "stop", "bot", session]), "Stop session", "stopSession"),
        (words(&["agent", "stop", "bot", "--session-id", session]), "Stop session", "stopSession"),
        (
            words(&["secret", "unset", "bot-secrets", "A"]),
            "Delete secret 'A' from set 'bot-secrets'?",
            "deleteSecretFromSet",
        ),
        (words(&["secret", "delete", "bot-secrets"]), "Delete secret set 'bot-secrets'", "deleteSecretSet"),
        (words(&["agent", "delete", "bot"]), "Delete agent 'bot'?", "deleteService"),
    ]
}

fn sent(emulator: &Emulator, operation: &str) -> usize {
    emulator.journal().iter().filter(|e| e.operation_id.as_deref() == Some(operation)).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_pipe_without_yes_each_refuses_and_sends_nothing_then_yes_goes_ahead() {
    let (emulator, session) = with_things_to_destroy().await;
    let keys = ["--api-key", emulator.private_key(), "--public-key", emulator.public_key()];
    for (words, _, operation) in destructive(&session) {
        let mut args: Vec<&str> = keys.to_vec();
        args.extend(words.iter().map(String::as_str));
        let refused = launch(&emulator.host(), "confirm-pipe", &args, &[], Some(""), None).await;
        assert_eq!(refused.code, 2, "{words:?}: {}", refused.stderr);
        assert!(refused.stderr.contains("pass --yes"), "{words:?}: {}", refused.stderr);
        assert!(refused.stderr.contains("nothing was sent"), "{words:?}: {}", refused.stderr);
        assert_eq!(sent(&emulator, operation), 0, "{words:?} sent {operation}");
    }
    // --yes, -y, and the official CLI's --force and -f each answer for a script.
    for (flag, (words, _, operation)) in ["--yes", "-y", "--force", "-f", "--yes"].iter().zip(destructive(&session)) {
        let before = sent(&emulator, operation);
        let mut args: Vec<&str> = keys.to_vec();
        args.extend(words.iter().map(String::as_str));
        args.push(flag);
        let done = launch(&emulator.host(), "confirm-yes", &args, &[], Some(""), None).await;
        assert_eq!(done.code, 0, "{words:?} {flag}: {}", done.stderr);
        assert_eq!(sent(&emulator, operation), before + 1, "{words:?} {flag}");
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_terminal_each_asks_and_does_nothing_unless_answered_yes() {
    let (emulator, session) = with_things_to_destroy().await;
    let host = emulator.host();
    let keys = [emulator.private_key().to_string(), emulator.public_key().to_string()];
    for (words, question, operation) in destructive(&session) {
        for answer in ["n", "y"] {
            let before = sent(&emulator, operation);
            let config = config_dir("confirm-tty");
            let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_pipecat-cloud"));
            command.args(["--host", &host, "--api-key", &keys[0], "--public-key", &keys[1]]).args(&words);
            command.env("PIPECAT_CONFIG_DIR", &config);
            let (question, words) = (question.to_string(), words.clone());
            let exit = tokio::task::spawn_blocking(move || -> Result<i32, String> {
                let mut tty = rexpect::session::spawn_command(command, Some(10_000)).map_err(|e| e.to_string())?;
                tty.exp_string(&question).map_err(|e| format!("{words:?}: no question: {e}"))?;
                tty.exp_string("[y/N]").map_err(|e| e.to_string())?;
                tty.send_line(answer).map_err(|e| e.to_string())?;
                tty.exp_eof().map_err(|e| e.to_string())?;
                match tty.process.wait().map_err(|e| e.to_string())? {
                    rexpect::process::wait::WaitStatus::Exited(_, code) => Ok(code),
                    other => Err(format!("{other:?}")),
                }
            })
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("{e}"));
            let _ = std::fs::remove_dir_all(config);
            match answer {
                "n" => {
                    assert_eq!(exit, 2, "declined");
                    assert_eq!(sent(&emulator, operation), before, "nothing sent when declined");
                }
                _ => {
                    assert_eq!(exit, 0, "confirmed");
                    assert_eq!(sent(&emulator, operation), before + 1);
                }
            }
        }
    }
}
