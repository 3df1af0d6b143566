//! `emulator parity`: the emulator measured against the real service. One scripted scenario of the main
//! job and its errors (`scenario.rs`) is played against the host the usual settings name (an account)
//! and against an emulator started here, side by side; each step's status, error code, keys and their
//! JSON types, and the order of the states it waited through are compared (`compare.rs`), one row per
//! step. `--record DIR` keeps the host's answers as recordings the conformance tests replay
//! (`record.rs`); `--replay DIR` plays the scenario on the emulator alone against such recordings.
//!
//! On the host it creates only resources under a prefix of its own, says what first and asks (`--yes`
//! for scripts), and deletes them at the end, also when a step fails or the run is interrupted.

mod compare;
mod record;
mod scenario;
mod target;

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use pipecat_cloud_emulator::{Emulator, ImageRule};
use serde_json::json;

use self::compare::{Difference, Observed, differences};
use self::scenario::{Names, Run, STEPS, StepResult, UNPULLABLE_IMAGE, clean_up, play};
use self::target::Target;
use crate::context::Context;
use crate::credentials::Secret;
use crate::exit::{negative, refused};
use crate::output::{self, Mode};

pub fn command() -> Command {
    Command::new("parity")
        .about("Measure the emulator against your Pipecat Cloud account: one scripted deploy-and-sessions scenario on both, compared step by step")
        .long_about(
            "Plays one scripted scenario (a secret set until ready, a deploy until ready, an image that cannot be \
             pulled, sessions up to and past maxAgents, stop, logs, builds, an unknown agent, a bad name, a wrong \
             key, delete) against the host your settings name and against an emulator started here, and prints one \
             row per step: same, or how they differ (status, error code, keys and their types, the order of the \
             states). Ids, times and text are not compared. On your account it creates only resources named \
             parity-XXXXXX-..., asks before it starts, and deletes them at the end, also when it fails or you \
             press Ctrl-C. Exit 0 when nothing differs, 1 when something does.",
        )
        .arg(
            Arg::new("image")
                .long("image")
                .value_name("IMAGE")
                .required_unless_present("replay")
                .help("An image of yours that runs on Pipecat Cloud (the one you deploy): the scenario's agent runs it"),
        )
        .arg(
            Arg::new("image-pull-secret")
                .long("image-pull-secret")
                .value_name("SET")
                .help("The image pull secret set your account pulls IMAGE with, if it is private"),
        )
        .arg(
            Arg::new("yes")
                .long("yes")
                .short('y')
                .action(ArgAction::SetTrue)
                .help("Do not ask before creating the scenario's resources on your account"),
        )
        .arg(
            Arg::new("record")
                .long("record")
                .value_name("DIR")
                .value_parser(value_parser!(PathBuf))
                .help("Write each of your account's answers as a recording under DIR (keys and secret values scrubbed), as tests/recordings holds them"),
        )
        .arg(
            Arg::new("replay")
                .long("replay")
                .value_name("DIR")
                .value_parser(value_parser!(PathBuf))
                .conflicts_with_all(["record", "yes"])
                .help("Compare the emulator with the recordings of an earlier run under DIR instead of with a host (no account needed)"),
        )
        .arg(
            Arg::new("interval")
                .long("interval")
                .value_name("SECONDS")
                .value_parser(seconds)
                .default_value("2")
                .help("Time between the polls of a step that waits, on your account"),
        )
        .arg(
            Arg::new("timeout")
                .long("timeout")
                .value_name("SECONDS")
                .value_parser(seconds)
                .default_value("600")
                .help("How long a step waits (a secret set, a deploy) before it gives up"),
        )
}

fn seconds(text: &str) -> Result<Duration, String> {
    let value: f64 = text.parse().map_err(|_| format!("`{text}` is not a number of seconds"))?;
    Duration::try_from_secs_f64(value).map_err(|_| format!("{text} is not a duration in seconds"))
}

/// The emulator the scenario runs on here: what the host is measured against. Its image pull secret,
/// when the account needs one, is made there too, and the unpullable image fails as the service fails it.
async fn local_emulator(image_pull_secret: Option<&str>) -> anyhow::Result<(Emulator, Target)> {
    let rule = ImageRule::new(UNPULLABLE_IMAGE, "PCC_IMAGE_NOT_FOUND").map_err(|e| refused(e.to_string()))?;
    let emulator = Emulator::builder()
        .progression(pipecat_cloud_emulator::Progression::AfterPolls { polls: 1 })
        .fail_image(rule)
        .start()
        .await
        .map_err(|e| refused(format!("the emulator could not start: {e}")))?;
    if let Some(set) = image_pull_secret {
        let client = emulator.client();
        let credentials = pipecat_cloud::types::ImagePullSecretRequest::new(
            "https://index.docker.io/v1/",
            true,
            "cGFyaXR5OmNoZWNr", // base64 of `parity:check`, a pull secret the emulator takes
        );
        client.upsert_secret_set(set, credentials).await?;
        client.wait_until_image_pull_secret_ready(set, &pipecat_cloud::wait::WaitOptions::default()).await?;
    }
    let target = Target::new(
        "emulator",
        &emulator.host(),
        Secret::new(emulator.private_key().to_string()),
        Secret::new(emulator.public_key().to_string()),
        Duration::from_millis(20),
    )?;
    Ok((emulator, target))
}

/// The host and keys the settings name: the reference.
fn reference(context: &Context, interval: Duration) -> anyhow::Result<Target> {
    let settings = &context.settings;
    let host = settings.host.as_ref().map_or(pipecat_cloud::DEFAULT_HOST, |(host, _)| host.as_str());
    let (Some((private, _)), Some((public, _))) = (&settings.api_key, &settings.public_key) else {
        return Err(refused(format!(
            "a parity run needs both keys of your account: the private key (--api-key or {}) and the public key \
             (--public-key or {}); `pipecat-cloud auth status` shows what is set",
            pipecat_cloud::ENV_PRIVATE_KEY,
            pipecat_cloud::ENV_PUBLIC_KEY
        )));
    };
    Target::new("reference", host, private.clone(), public.clone(), interval)
}

/// Says what the run creates on `host` and asks; `--yes` answers for scripts, and without a terminal to
/// ask in the run is refused.
fn confirm(host: &str, names: &Names, image: &str, yes: bool) -> anyhow::Result<()> {
    let plan = format!(
        "This plays the parity scenario against {host} and against an emulator on this machine, and compares them.\n\
         On {host} it creates, then deletes at the end (also if a step fails or you press Ctrl-C):\n  \
         secret set {} (one key, PARITY_CHECK)\n  \
         agent {} running {image}, maxAgents 1, and up to 3 of its sessions\n  \
         agent {} running {UNPULLABLE_IMAGE} (it cannot be pulled)\n  \
         a build upload URL (nothing is uploaded)",
        names.set, names.agent, names.broken
    );
    output::note(&plan);
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(refused("nothing was created: pass --yes to run the parity scenario without a question"));
    }
    eprint!("Continue? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(refused("nothing was created: the parity run was not confirmed"))
    }
}

pub async fn run(context: &Context, matches: &ArgMatches) -> anyhow::Result<()> {
    let timeout = matches.get_one::<Duration>("timeout").copied().unwrap_or(Duration::from_secs(600));
    let image_pull_secret = matches.get_one::<String>("image-pull-secret").map(String::as_str);
    if let Some(dir) = matches.get_one::<PathBuf>("replay") {
        return replay(context, dir, timeout).await;
    }
    let image = matches.get_one::<String>("image").map_or("", String::as_str);
    let interval = matches.get_one::<Duration>("interval").copied().unwrap_or(Duration::from_secs(2));
    let reference = reference(context, interval)?;
    let names = Names::fresh();
    confirm(&reference.host, &names, image, matches.get_flag("yes"))?;
    let (_emulator, local) = local_emulator(image_pull_secret).await?;
    let mut there = Run::new(names.clone(), image, image_pull_secret);
    let mut here = Run::new(names, image, image_pull_secret);
    let played = async { tokio::join!(play(&reference, &mut there, timeout), play(&local, &mut here, timeout)) };
    let outcome = tokio::select! {
        played = played => Some(played),
        _ = tokio::signal::ctrl_c() => None,
    };
    output::note(&format!("deleting what the run created on {} ...", reference.host));
    clean_up(&reference, &there).await;
    let Some((on_reference, on_emulator)) = outcome else {
        return Err(refused("interrupted: what the run had created is deleted"));
    };
    if let Some(dir) = matches.get_one::<PathBuf>("record") {
        let written = record::write_all(dir, &reference, &on_reference)?;
        output::note(&format!("wrote {written} recordings under {}", dir.display()));
    }
    report(context.mode, &reference.host, compared(&on_reference, &on_emulator))
}

/// Compares the emulator with the recordings of an earlier run (their final answers: the order of
/// states is not recorded); a step with no recording is said to be so, not compared.
async fn replay(context: &Context, dir: &std::path::Path, timeout: Duration) -> anyhow::Result<()> {
    let recorded = record::read_all(dir)?;
    let (_emulator, local) = local_emulator(None).await?;
    let source = recorded.source.clone().unwrap_or_else(|| format!("the recordings in {}", dir.display()));
    let mut here = Run::new(Names::fresh(), "acme/parity-agent:1", None);
    let on_emulator = play(&local, &mut here, timeout).await;
    let rows = STEPS
        .iter()
        .zip(&on_emulator)
        .map(|(step, result)| {
            let verdict = match recorded.steps.get(step.name) {
                None => Verdict::NotRecorded,
                Some(reference) => {
                    let emulator = Observed { states: Vec::new(), ..result.observed.clone() };
                    Verdict::of(differences(reference, &emulator))
                }
            };
            (step.name, verdict)
        })
        .collect();
    report(context.mode, &source, rows)
}

/// What a step of a parity run found.
enum Verdict {
    /// Both sides agree.
    Same,
    /// They differ, so.
    Differs(Vec<Difference>),
    /// The recordings compared with hold no answer of this step.
    NotRecorded,
}

impl Verdict {
    fn of(found: Vec<Difference>) -> Self {
        if found.is_empty() { Verdict::Same } else { Verdict::Differs(found) }
    }

    fn text(&self) -> String {
        match self {
            Verdict::Same => "same".into(),
            Verdict::Differs(found) => {
                format!("differs: {}", found.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
            }
            Verdict::NotRecorded => "not recorded (not compared)".into(),
        }
    }
}

/// The rows of a run played on both sides.
fn compared(on_reference: &[StepResult], on_emulator: &[StepResult]) -> Vec<(&'static str, Verdict)> {
    STEPS
        .iter()
        .zip(on_reference.iter().zip(on_emulator))
        .map(|(step, (there, here))| (step.name, Verdict::of(differences(&there.observed, &here.observed))))
        .collect()
}

/// One row per step; exit 1 when a step differs.
fn report(mode: Mode, reference: &str, rows: Vec<(&'static str, Verdict)>) -> anyhow::Result<()> {
    let differing = rows.iter().filter(|(_, verdict)| matches!(verdict, Verdict::Differs(_))).count();
    if mode == Mode::Json {
        let steps: Vec<_> = rows
            .iter()
            .map(|(step, verdict)| {
                let found = match verdict {
                    Verdict::Differs(found) => found.iter().map(ToString::to_string).collect(),
                    _ => Vec::new(),
                };
                json!({"step": step, "verdict": verdict.text(), "same": matches!(verdict, Verdict::Same), "differences": found})
            })
            .collect();
        output::line(&json!({"reference": reference, "steps": steps, "differing": differing}).to_string());
    } else {
        output::line(&format!("{reference} (reference) against the emulator, {} steps:", rows.len()));
        let width = rows.iter().map(|(step, _)| step.len()).max().unwrap_or(0);
        for (n, (step, verdict)) in rows.iter().enumerate() {
            output::line(&format!("{:>2}  {step:<width$}  {}", n + 1, verdict.text()));
        }
    }
    if differing == 0 {
        output::note("the emulator answered as the reference did at every step compared");
        Ok(())
    } else {
        Err(negative(format!(
            "{differing} of {} steps differ from the reference: send this report with the emulator's issue",
            rows.len()
        )))
    }
}
