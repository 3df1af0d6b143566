//! `cargo spec`: the build helpers from the command line.
//!
//! ```text
//! cargo spec check [PATH]                 validate, check what the workspace relies on, list what
//!                                         normalization changed
//! cargo spec generate [PATH] [-o FILE]    write the code the generator makes of any valid spec
//! cargo spec diff BASE NEW [--format text|json|markdown] [--fail-on ERR|WARN|INFO] [--accepted FILE]
//! cargo spec rules [--format text|markdown]   every rule of the diff, with its level and meaning
//! ```
//! PATH is a spec file or a folder of fragments; it defaults to `openapi/` in the current folder (never
//! to a path fixed when the tool was built). A diff side may also be `REV:PATH`, read from git.
//! Installed (`cargo install --path build-helpers`) it is a cargo subcommand: `cargo spec ...`. Output
//! to a pipe that closes early (`| head`) ends it quietly.
//! Exit codes: 0 success (for diff: nothing unaccepted at the --fail-on level, default ERR), 1 diff found
//! such a change, 2 a bad spec or bad arguments.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use build_helpers::diff::{Accepted, Format, Level, diff_documents, failing, load_side, render};
use build_helpers::normalize::PASSES;
use build_helpers::pipeline::{check as check_spec, prepare_and_generate, write_if_changed};

const USAGE: &str = "usage: cargo spec check [PATH]\n       cargo spec generate [PATH] [-o FILE]\n       \
cargo spec diff BASE NEW [--format text|json|markdown] [--fail-on ERR|WARN|INFO] [--accepted FILE]\n       \
cargo spec rules [--format text|markdown]\n\
PATH: a spec file or a folder of fragment files (default: ./openapi); BASE and NEW may also be REV:PATH";

/// Writes to standard output; a closed pipe ends the program quietly (a reader such as `head` has what
/// it wanted), any other write error is reported.
macro_rules! say {
    ($($arg:tt)*) => {{
        let mut stdout = std::io::stdout().lock();
        if let Err(error) = write!(stdout, $($arg)*).and_then(|()| stdout.flush()) {
            if error.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            return Err(format!("cannot write the output: {error}"));
        }
    }};
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    // Run as `cargo spec ...`, cargo passes the subcommand's name first.
    if args.first().map(String::as_str) == Some("spec") {
        args.remove(0);
    }
    match run(&args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    let Some((command, rest)) = args.split_first() else { return Err(USAGE.into()) };
    match command.as_str() {
        "check" => check(&parse_path(rest, false)?.0).map(|()| ExitCode::SUCCESS),
        "generate" => {
            let (path, output) = parse_path(rest, true)?;
            generate(&path, output.as_deref()).map(|()| ExitCode::SUCCESS)
        }
        "diff" => diff(rest),
        "rules" => rules(rest).map(|()| ExitCode::SUCCESS),
        "-h" | "--help" | "help" => {
            say!("{USAGE}\n");
            Ok(ExitCode::SUCCESS)
        }
        other => Err(format!("unknown command `{other}`\n{USAGE}")),
    }
}

/// `[PATH] [-o FILE]`.
fn parse_path(args: &[String], allow_output: bool) -> Result<(PathBuf, Option<PathBuf>), String> {
    let mut path = None;
    let mut output = None;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "-o" | "--output" if allow_output => {
                output = Some(PathBuf::from(iter.next().ok_or("-o needs a file name")?));
            }
            flag if flag.starts_with('-') => return Err(format!("unknown option `{flag}`\n{USAGE}")),
            value if path.is_none() => path = Some(PathBuf::from(value)),
            extra => return Err(format!("unexpected argument `{extra}`\n{USAGE}")),
        }
    }
    match path {
        Some(path) => Ok((path, output)),
        None => Ok((default_spec_path()?, output)),
    }
}

/// `openapi/` in the current folder.
fn default_spec_path() -> Result<PathBuf, String> {
    let local = PathBuf::from("openapi");
    if local.is_dir() {
        return Ok(local);
    }
    Err(format!("no PATH given and no `openapi/` folder here; name the spec file or folder\n{USAGE}"))
}

fn check(path: &Path) -> Result<(), String> {
    // What check accepts, generate generates: the generator's own refusals (names that collide, methods
    // the client cannot send) are check's too.
    let checked = check_spec(path).map_err(|e| e.to_string())?;
    let (prepared, paging) = (checked.prepared, checked.generated.paging);
    let renamed = build_helpers::generate::renamed(&prepared.normalized.document);
    let operations = build_helpers::document::operations(&prepared.normalized.document).len();
    say!("{}: valid, {operations} operations, from {} file(s)\n", path.display(), prepared.loaded.sources.len());
    for (name, changes) in &prepared.normalized.report {
        let purpose = PASSES.iter().find(|p| p.name == *name).map(|p| p.purpose).unwrap_or_default();
        say!("\n{name} ({} change{}): {purpose}\n", changes.len(), if changes.len() == 1 { "" } else { "s" });
        for change in changes {
            say!("  {change}\n");
        }
    }
    say!("\nrust-names ({}): spec names Rust cannot use as they are, and what this client calls them\n", renamed.len());
    for line in &renamed {
        say!("  {line}\n");
    }
    say!(
        "\npaged-lists ({}): operations that take `limit` or `offset`, and whether their builders page themselves\n",
        paging.len()
    );
    for line in &paging {
        say!("  {line}\n");
    }
    let assumptions = build_helpers::validate::assumptions::ASSUMPTIONS;
    say!("\nassumptions ({}): what the workspace's hand-written code relies on, all offered\n", assumptions.len());
    for assumption in assumptions {
        say!("  {} ({})\n", assumption.describe(), assumption.relied_on_by);
    }
    Ok(())
}

fn generate(path: &Path, output: Option<&Path>) -> Result<(), String> {
    // Any valid spec, not only one this workspace builds on: a fragment or another API can be looked at.
    let code = prepare_and_generate(path).map_err(|e| e.to_string())?.generated.file();
    match output {
        Some(file) => {
            write_if_changed(file, &code).map_err(|e| e.to_string())?;
            eprintln!("wrote {}", file.display());
            Ok(())
        }
        None => {
            say!("{code}");
            Ok(())
        }
    }
}

fn diff(args: &[String]) -> Result<ExitCode, String> {
    let mut sides = Vec::new();
    let mut format = Format::Text;
    let mut fail_on = Level::Err;
    let mut accepted = None;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let mut value = |flag: &str| iter.next().cloned().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--format" => {
                let v = value("--format")?;
                format =
                    Format::parse(&v).ok_or_else(|| format!("unknown format `{v}`: use text, json or markdown"))?;
            }
            "--fail-on" => {
                let v = value("--fail-on")?;
                fail_on = Level::parse(&v).ok_or_else(|| format!("unknown level `{v}`: use ERR, WARN or INFO"))?;
            }
            "--accepted" => accepted = Some(PathBuf::from(value("--accepted")?)),
            flag if flag.starts_with("--") => return Err(format!("unknown option `{flag}`\n{USAGE}")),
            side => sides.push(side.to_string()),
        }
    }
    let [base, new] = sides.as_slice() else {
        return Err(format!("diff takes two specs, BASE and NEW\n{USAGE}"));
    };
    let base_doc = load_side(base).map_err(|e| naming_side(base, &e))?;
    let new_doc = load_side(new).map_err(|e| naming_side(new, &e))?;
    let mut changes = diff_documents(&base_doc, &new_doc);
    if let Some(file) = &accepted {
        let list = Accepted::load(file).map_err(|e| e.to_string())?;
        for stale in list.apply(&mut changes) {
            eprintln!(
                "note: {} lists `{}` on {} but no such change exists; remove the entry",
                file.display(),
                stale.id,
                stale.operation.as_deref().unwrap_or("the document")
            );
        }
    }
    say!("{}", render(&changes, base, new, format));
    Ok(if failing(&changes, fail_on) > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// `error`, led by the diff side it comes from unless it names that side already (a file's errors
/// start with the file).
fn naming_side(side: &str, error: &build_helpers::error::SpecError) -> String {
    let message = error.to_string();
    if message.starts_with(side) { message } else { format!("{side}: {message}") }
}

/// Prints every rule of the diff, by level: what the README points to rather than restating.
fn rules(args: &[String]) -> Result<(), String> {
    let markdown = match args {
        [] => false,
        [flag, format] if flag == "--format" && format == "text" => false,
        [flag, format] if flag == "--format" && format == "markdown" => true,
        _ => return Err(format!("usage: cargo spec rules [--format text|markdown]\n{USAGE}")),
    };
    let mut all: Vec<&build_helpers::diff::Rule> = build_helpers::diff::rules::ALL.to_vec();
    all.sort_by_key(|rule| std::cmp::Reverse(rule.level));
    if markdown {
        say!("| level | rule | oasdiff's id | what it means for callers |\n|---|---|---|---|\n");
        for rule in all {
            say!(
                "| {} | `{}` | {} | {} |\n",
                rule.level,
                rule.id,
                if rule.oasdiff { "yes" } else { "no" },
                rule.meaning
            );
        }
    } else {
        for rule in all {
            say!("{:<4} {}: {}\n", rule.level.to_string(), rule.id, rule.meaning);
        }
    }
    Ok(())
}
