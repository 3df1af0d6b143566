//! `emulator serve`: Pipecat Cloud on this machine (the `pipecat-cloud-emulator` crate), until Ctrl-C
//! or `emulator stop`. It prints the exports that point every other command at it, then serves; with
//! `--state FILE` the state is kept across restarts. `emulator start` and `stop` (`background.rs`) run it
//! in the background, for one shell.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use pipecat_cloud_emulator::{CapacityAnswer, Emulator, Fault, ImageRule, Progression};
use serde_json::json;

use crate::context::Context;
use crate::exit::refused;
use crate::output::{self, Mode};

pub fn serve_command() -> Command {
    Command::new("serve")
        .about("Run a local Pipecat Cloud, with state, checked against the spec; prints the exports that point every command at it")
        .long_about(
            "Run a local Pipecat Cloud (all operations of the REST API, with state that moves as the vendor documents \
             it, requests and answers checked against the spec) until Ctrl-C. It prints `export` lines for \
             PIPECAT_API_HOST, PIPECAT_API_KEY and PIPECAT_DEFAULT_PUBLIC_KEY: paste them into another shell and every \
             command talks to it. The keys are the emulator's own, made at start unless given.",
        )
        .arg(
            Arg::new("port")
                .long("port")
                .short('p')
                .value_name("PORT")
                .value_parser(value_parser!(u16))
                .env("PIPECAT_EMULATOR_PORT")
                .default_value("8787")
                .help("The port to listen on (0 picks a free one); also PIPECAT_EMULATOR_PORT"),
        )
        .arg(
            Arg::new("address")
                .long("address")
                .value_name("IP")
                .value_parser(value_parser!(IpAddr))
                .default_value("127.0.0.1")
                .help("The address to listen on; anything but loopback also needs --allow-remote"),
        )
        .arg(
            Arg::new("allow-remote")
                .long("allow-remote")
                .action(ArgAction::SetTrue)
                .help("Allow an address other machines can reach (anyone with the keys can then use it)"),
        )
        .arg(Arg::new("state").long("state").value_name("FILE").help("Keep the state in FILE across restarts (written atomically)"))
        .arg(
            Arg::new("progression")
                .long("progression")
                .value_name("WHEN")
                .value_parser(value_parser!(Progression))
                .default_value("delay:1")
                .help("When resources take their next step: `immediate`, `polls:N` (N reads per step) or `delay:SECONDS`"),
        )
        .arg(Arg::new("emulator-private-key").long("emulator-private-key").value_name("KEY").help("The private key to accept (made at start when not given)"))
        .arg(Arg::new("emulator-public-key").long("emulator-public-key").value_name("KEY").help("The public key to accept (made at start when not given)"))
        .arg(
            Arg::new("fail-image")
                .long("fail-image")
                .value_name("TEXT[=CODE]")
                .action(ArgAction::Append)
                .help("Deploys of images containing TEXT fail with CODE (default PCC_IMAGE_NOT_FOUND); repeatable"),
        )
        .arg(
            Arg::new("fail-builds")
                .long("fail-builds")
                .value_name("TEXT")
                .action(ArgAction::Append)
                .help("Builds whose Dockerfile path contains TEXT fail (`\"\"` fails every build); repeatable"),
        )
        .arg(
            Arg::new("fault")
                .long("fault")
                .value_name("JSON")
                .action(ArgAction::Append)
                .help("A fault from the start, e.g. '{\"operation\":\"getService\",\"effect\":{\"kind\":\"status\",\"status\":503},\"times\":2}'; repeatable"),
        )
        .arg(
            Arg::new("capacity-answer")
                .long("capacity-answer")
                .value_name("ANSWER")
                .value_parser(CapacityAnswer::ALL.map(|a| a.as_str()))
                .default_value(CapacityAnswer::default().as_str())
                .help("How a start at maxAgents is answered: `rate-limited` (429 with code \"429\", the wire example of the vendor's docs) or `at-capacity-code` (429 with PCC-AGENT-AT-CAPACITY, their error-code page)"),
        )
        .arg(
            Arg::new("session-lifetime")
                .long("session-lifetime")
                .value_name("SECONDS")
                .value_parser(session_lifetime)
                .help("Sessions end by themselves this many seconds after they start, as a caller hanging up ends them (by default they run until stopped or their maxSessionDuration)"),
        )
        .arg(Arg::new("bot-url").long("bot-url").value_name("URL").help("Forward the session proxy to a bot at URL instead of echoing"))
        .arg(
            Arg::new("no-response-check")
                .long("no-response-check")
                .action(ArgAction::SetTrue)
                .help("Do not check each answer against the spec (faster)"),
        )
}

/// The builder `matches` describes.
fn builder(matches: &ArgMatches) -> anyhow::Result<pipecat_cloud_emulator::EmulatorBuilder> {
    let port = matches.get_one::<u16>("port").copied().unwrap_or(8787);
    let address = matches.get_one::<IpAddr>("address").copied().unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let mut builder = Emulator::builder()
        .address(SocketAddr::new(address, port))
        .allow_remote(matches.get_flag("allow-remote"))
        .check_responses(!matches.get_flag("no-response-check"));
    if let Some(progression) = matches.get_one::<Progression>("progression") {
        builder = builder.progression(*progression);
    }
    if let Some(path) = matches.get_one::<String>("state") {
        builder = builder.state_file(path);
    }
    if let Some(key) = matches.get_one::<String>("emulator-private-key") {
        builder = builder.private_key(key);
    }
    if let Some(key) = matches.get_one::<String>("emulator-public-key") {
        builder = builder.public_key(key);
    }
    for rule in matches.get_many::<String>("fail-image").into_iter().flatten() {
        builder = builder.fail_image(ImageRule::parse(rule).map_err(|e| refused(format!("--fail-image: {e}")))?);
    }
    for text in matches.get_many::<String>("fail-builds").into_iter().flatten() {
        builder = builder.fail_builds(text);
    }
    for fault in matches.get_many::<String>("fault").into_iter().flatten() {
        let fault: Fault = serde_json::from_str(fault).map_err(|e| refused(format!("--fault is not a fault: {e}")))?;
        builder = builder.fault(fault);
    }
    if let Some(url) = matches.get_one::<String>("bot-url") {
        builder = builder.bot_url(url);
    }
    if let Some(answer) = matches.get_one::<String>("capacity-answer") {
        builder = builder.capacity_answer(answer.parse().map_err(|e| refused(format!("--capacity-answer: {e}")))?);
    }
    if let Some(lifetime) = matches.get_one::<Duration>("session-lifetime") {
        builder = builder.session_lifetime(*lifetime);
    }
    Ok(builder)
}

/// `--session-lifetime`: a positive number of seconds.
fn session_lifetime(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text.parse().map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if seconds <= 0.0 {
        return Err(format!("{text} is not a lifetime: give more than 0 seconds"));
    }
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("{text} seconds is longer than the emulator can wait"))
}

pub async fn serve(context: &Context, matches: &ArgMatches) -> anyhow::Result<()> {
    let address = matches.get_one::<IpAddr>("address").copied();
    if address.is_some_and(|ip| !ip.is_loopback()) && matches.get_flag("allow-remote") {
        output::note(
            "warning: listening beyond loopback; anyone who can reach this address and has the keys can use it",
        );
    }
    let emulator = builder(matches)?.start().await.map_err(|e| refused(e.to_string()))?;
    let exports = [
        ("PIPECAT_API_HOST", emulator.host()),
        (pipecat_cloud::ENV_PRIVATE_KEY, emulator.private_key().to_string()),
        (pipecat_cloud::ENV_PUBLIC_KEY, emulator.public_key().to_string()),
    ];
    if context.mode == Mode::Json {
        output::line(&json!({"host": exports[0].1, "privateKey": exports[1].1, "publicKey": exports[2].1}).to_string());
    } else {
        for (name, value) in &exports {
            output::line(&format!("export {name}={value}"));
        }
    }
    let progression = matches.get_one::<Progression>("progression").map(ToString::to_string).unwrap_or_default();
    output::note(&format!(
        "Pipecat Cloud emulator at {} (progression {progression}{}). Paste the exports above into another shell, \
         then try: pipecat-cloud secret set bot-secrets KEY=value; pipecat-cloud deploy bot acme/bot:1 --secret-set bot-secrets. \
         Ctrl-C stops it.",
        emulator.host(),
        matches.get_one::<String>("state").map(|s| format!(", state in {s}")).unwrap_or_default()
    ));
    tokio::select! {
        interrupted = tokio::signal::ctrl_c() => interrupted.map_err(|e| anyhow::anyhow!("cannot wait for Ctrl-C: {e}"))?,
        () = emulator.stop_requested() => {}
    }
    emulator.shutdown().await;
    output::note("emulator stopped");
    Ok(())
}
