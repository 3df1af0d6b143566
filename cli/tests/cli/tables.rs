//! Each list command's table, on the emulator, against the golden file `cli/tests/tables.txt`
//! (`UPDATE_GOLDEN=1` writes it anew): the columns a person looks for first, chosen by one rule over
//! the fields (`output::column_rank`), and every column with `-o wide`. Ids and times vary from run
//! to run; they are masked, keeping their width, so the alignment is part of what is compared.

use std::time::Duration;

use pipecat_cloud::types::{CreateServiceRequest, CreateServiceRequestServiceName, StartRequest};
use pipecat_cloud_emulator::{Emulator, Progression};

use super::*;

/// `text` with every id's hex digits as `x` (a run of hex digits and dashes, 8 or more long, holding a
/// dash: a UUID, or one cut short in a cell), every RFC 3339 time's digits and every age's (`3s ago`)
/// as `0`, widths kept.
fn masked(text: &str) -> String {
    masked_ids_and_times(&masked_ages(text))
}

fn masked_ages(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = chars.clone();
    for i in 0..chars.len() {
        let starts = chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_alphanumeric());
        if !starts {
            continue;
        }
        let end = (i..chars.len()).find(|&j| !chars[j].is_ascii_digit()).unwrap_or(chars.len());
        let rest: String = chars[end..].iter().take(5).collect();
        if ["s ago", "m ago", "h ago", "d ago"].contains(&rest.as_str()) {
            out[i..end].iter_mut().for_each(|c| *c = '0');
        }
    }
    out.into_iter().collect()
}

fn masked_ids_and_times(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = chars.clone();
    let hexish = |c: char| c.is_ascii_hexdigit() || c == '-';
    let mut i = 0;
    while i < chars.len() {
        // `2026-12-05T01:24:20...`: a date, `T`, a time, up to the next space.
        let date = i + 11 <= chars.len()
            && chars[i + 4] == '-'
            && chars[i + 7] == '-'
            && chars[i + 10] == 'T'
            && chars[i..i + 4].iter().all(char::is_ascii_digit);
        if date {
            let end = (i..chars.len()).find(|&j| chars[j].is_whitespace()).unwrap_or(chars.len());
            out[i..end].iter_mut().filter(|c| c.is_ascii_digit()).for_each(|c| *c = '0');
            i = end;
            continue;
        }
        let starts_token = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
        let end = (i..chars.len()).find(|&j| !hexish(chars[j])).unwrap_or(chars.len());
        if starts_token && end - i >= 8 && chars[i..end].contains(&'-') {
            out[i..end].iter_mut().filter(|c| **c != '-').for_each(|c| *c = 'x');
            i = end;
            continue;
        }
        i += 1;
    }
    out.into_iter().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_list_commands_table_leads_with_what_a_person_looks_for() {
    let emulator = Emulator::builder().progression(Progression::Immediate).start().await.unwrap();
    let client = emulator.client();
    let name: CreateServiceRequestServiceName = "voice-bot".parse().unwrap();
    let created = client.create_service(CreateServiceRequest::new(name).image("acme/bot:1")).await.unwrap();
    let options = pipecat_cloud::wait::WaitOptions::default().interval(Duration::from_millis(5));
    client.wait_until_agent_ready("voice-bot", created.desired_deployment_id.as_deref(), &options).await.unwrap();
    client.start_service("voice-bot", StartRequest::new()).await.unwrap();
    let set = on_emulator_args(&emulator, &["secret", "set", "bot-secrets", "OPENAI_API_KEY=sk-test", "--no-wait"]);
    let result = launch(&emulator.host(), "tables-set", &set, &[], None, None).await;
    assert_eq!(result.code, 0, "{}", result.stderr);
    let dir = config_dir("tables-build");
    std::fs::write(dir.join("Dockerfile"), "FROM scratch\n").unwrap();
    let context = dir.to_string_lossy().to_string();
    let build = on_emulator_args(&emulator, &["build", "run", &context, "--region", "us-west", "--interval", "0.01"]);
    assert_eq!(launch(&emulator.host(), "tables-build", &build, &[], None, None).await.code, 0);

    let commands: [&[&str]; 6] = [
        &["agent", "list"],
        &["agent", "session", "list", "voice-bot"],
        &["agent", "logs", "voice-bot", "--limit", "3"],
        &["build", "list"],
        &["secret", "list"],
        &["region", "list"],
    ];
    let mut golden = String::new();
    for command in commands {
        for output in ["table", "wide"] {
            let mut args = command.to_vec();
            args.extend(["-o", output]);
            let run = launch(&emulator.host(), "tables", &on_emulator_args(&emulator, &args), &[], None, None).await;
            assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
            // Wide rows carry values that differ between runs (hashes, sizes, ports): its header is compared.
            let shown = if output == "wide" {
                run.stdout.lines().next().unwrap_or_default().to_string() + "\n"
            } else {
                masked(&run.stdout)
            };
            golden.push_str(&format!("$ pipecat-cloud {}\n{shown}\n", args.join(" ")));
        }
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("tables.txt");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &golden).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == golden,
        "the list commands' tables changed; if that is meant, `UPDATE_GOLDEN=1 cargo test -p pipecat-cloud-cli --test cli tables` and review cli/tests/tables.txt\n\n{golden}"
    );
}

/// The keys of `emulator`, then `args`.
fn on_emulator_args<'a>(emulator: &'a Emulator, args: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec!["--api-key", emulator.private_key(), "--public-key", emulator.public_key()];
    all.extend_from_slice(args);
    all
}
