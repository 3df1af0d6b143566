//! `build run DIR`: pack the build context, upload it to the URL `getBuildUploadUrl` returns (with a
//! progress bar in a terminal), start the build with `createBuild`, and wait for it; on failure, print
//! the tail of its log. A 200 from `createBuild` means an identical context was built before and that
//! build is reused; a 201 means a new build started.
//!
//! The archive is deterministic (sorted entries, zero times and owners), so the same folder gives the
//! same archive and the API's cache can match it. `.dockerignore` is honoured (`*`, `?`, `**`, `!`,
//! root-relative, as Docker reads it); without one, `.git` is left out.

use std::io::Write;
use std::num::NonZeroU64;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Arg, ArgMatches, Command};
use flate2::Compression;
use flate2::write::GzEncoder;
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use pipecat_cloud::types::{CreateBuildRequest, UploadUrlRequest};
use serde_json::json;

use super::wait_flags::{wait_args, wait_times};
use crate::context::Context;
use crate::exit::refused;
use crate::output;
use crate::progress::Reporter;

/// The largest context packed, before compression.
const MAX_CONTEXT_BYTES: u64 = 500 * 1024 * 1024;
const LOG_TAIL: usize = 30;
/// getBuildLogs returns the first lines up to its `limit` and offers no way to start later: the tail is
/// the end of the largest page it gives.
const LOG_PAGE: NonZeroU64 = match NonZeroU64::new(10_000) {
    Some(page) => page,
    None => panic!("LOG_PAGE must not be zero"),
};

pub fn command() -> Command {
    Command::new("run")
        .about("Pack a folder, upload it, build it in the cloud and wait for the image")
        .arg(
            Arg::new("dir")
                .value_name("DIR")
                .help("The build context (else [build] context_dir of pcc-deploy.toml, else .)"),
        )
        .arg(
            Arg::new("region")
                .long("region")
                .short('r')
                .value_name("REGION")
                .help("Where to build (else the organization's default region)"),
        )
        .arg(
            Arg::new("dockerfile")
                .long("dockerfile")
                .value_name("PATH")
                .help("The Dockerfile, inside DIR (else [build] dockerfile of pcc-deploy.toml, else Dockerfile)"),
        )
        .arg(
            Arg::new("config-file")
                .long("config-file")
                .value_name("FILE")
                .help("Read [build] from FILE instead of ./pcc-deploy.toml"),
        )
        .args(wait_args(900, 5.0))
}

pub async fn run(context: &Context, matches: &ArgMatches) -> anyhow::Result<()> {
    // What the flags leave out comes from the deploy file's [build], as the official CLI reads it.
    let read = super::deploy_file::read(matches.get_one::<String>("config-file").map(PathBuf::from))?;
    let build = &read.file.build;
    let dir = match (matches.get_one::<String>("dir"), &build.context_dir, &read.folder) {
        (Some(dir), ..) => PathBuf::from(dir),
        (None, Some(context_dir), Some(folder)) => folder.join(context_dir),
        _ => PathBuf::from("."),
    };
    let dockerfile = matches
        .get_one::<String>("dockerfile")
        .or(build.dockerfile.as_ref())
        .cloned()
        .unwrap_or_else(|| "Dockerfile".into());
    if !dir.join(&dockerfile).is_file() {
        return Err(refused(format!("{} has no {dockerfile}; give --dockerfile", dir.display())));
    }
    // Checked before the context is packed and uploaded: a bad --interval is refused at once.
    let (interval, timeout) = wait_times(matches)?;
    let archive = pack(&dir, &build.exclude.patterns)?;
    output::note(&format!("packed {} ({} bytes compressed)", dir.display(), archive.len()));
    let client = context.client()?;
    let region = match matches.get_one::<String>("region") {
        Some(region) => region.clone(),
        None => {
            let answer = client.get_properties().send().await?;
            answer
                .properties
                .and_then(|properties| properties.default_region)
                .ok_or_else(|| refused("the organization has no default region; give --region"))?
        }
    };
    let upload = client.get_build_upload_url(UploadUrlRequest::new(region.as_str())).await?;
    let (Some(upload_id), Some(url)) = (upload.upload_id, upload.upload_url) else {
        return Err(anyhow::anyhow!("getBuildUploadUrl answered without uploadId and uploadUrl"));
    };
    // Sorted, so the form is the same from run to run; the storage service reads fields by name.
    let mut fields: Vec<(String, String)> = upload.upload_fields.into_iter().collect();
    fields.sort();
    send_upload(&url, &fields, archive).await?;

    let request = CreateBuildRequest::new(region, upload_id).dockerfile_path(dockerfile);
    let started = client.create_build(request).send_with_response().await?;
    let cached = started.status() == 200;
    let created = started.into_body();
    let id = created
        .build
        .as_ref()
        .and_then(|build| build.id)
        .ok_or_else(|| anyhow::anyhow!("createBuild answered without a build id"))?;
    if cached {
        output::note(&format!("an identical context was built before: reusing build {id} (served from cache)"));
    } else {
        output::note(&format!("build {id} started"));
    }
    let build = if matches.get_flag("no-wait") {
        created.build
    } else {
        let reporter = Reporter::new();
        match client.wait_for_build(id, &reporter.options(interval, timeout)).await {
            Ok(done) => {
                reporter.finish(&format!("build {id} succeeded"));
                done.build
            }
            Err(error) => {
                reporter.abandon();
                print_log_tail(&client, id).await;
                return Err(error.into());
            }
        }
    };
    let summary = json!({
        "buildId": id,
        "cached": cached,
        "status": build.as_ref().and_then(|b| b.status.as_ref()).map(|status| status.as_str()),
        "imageUri": build.as_ref().and_then(|b| b.image_uri.clone()),
    });
    output::value(context.mode, &summary);
    Ok(())
}

async fn print_log_tail(client: &pipecat_cloud::Client, id: pipecat_cloud::Uuid) {
    let Ok(answer) = client.get_build_logs(id).limit(LOG_PAGE).await else {
        output::note(&format!("see the log with: pipecat-cloud build logs {id}"));
        return;
    };
    output::note(&format!("the last lines of build {id}'s log:"));
    let lines = &answer.logs;
    for line in &lines[lines.len().saturating_sub(LOG_TAIL)..] {
        output::note(&format!("  {line}"));
    }
}

/// Posts `archive` as the `file` of a multipart form with `fields`, streaming it so a progress bar in
/// a terminal follows the upload.
async fn send_upload(url: &str, fields: &[(String, String)], archive: Vec<u8>) -> anyhow::Result<()> {
    pipecat_cloud::tls::install_provider();
    let boundary = format!("pipecat-cloud-{:016x}", fastrand::u64(..));
    let mut head = Vec::new();
    for (name, value) in fields {
        write!(head, "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")?;
    }
    write!(
        head,
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"context.tar.gz\"\r\nContent-Type: application/gzip\r\n\r\n"
    )?;
    let tail = format!("\r\n--{boundary}--\r\n").into_bytes();
    let total = (head.len() + archive.len() + tail.len()) as u64;
    let bar = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        let bar = ProgressBar::new(total);
        if let Ok(style) = ProgressStyle::with_template("uploading {bar:30} {bytes}/{total_bytes} ({eta})") {
            bar.set_style(style);
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut chunks: Vec<Vec<u8>> = vec![head];
    chunks.extend(archive.chunks(64 * 1024).map(<[u8]>::to_vec));
    chunks.push(tail);
    let progress = bar.clone();
    let stream = futures_util::stream::iter(chunks).map(move |chunk| {
        progress.inc(chunk.len() as u64);
        Ok::<_, std::io::Error>(chunk)
    });
    let http = pipecat_cloud::reqwest::Client::builder().timeout(Duration::from_secs(600)).build()?;
    let answer = http
        .post(url)
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .header("content-length", total)
        .body(pipecat_cloud::reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("the upload did not reach {}: {e}", host_of(url)))?;
    bar.finish_and_clear();
    if !answer.status().is_success() {
        let status = answer.status();
        let body = answer.text().await.unwrap_or_default();
        return Err(anyhow::anyhow!(
            "the upload was refused (HTTP {status}): {}",
            body.chars().take(300).collect::<String>()
        ));
    }
    output::note("uploaded the build context");
    Ok(())
}

/// The host of a presigned URL, for messages (its query carries a signature and is not repeated).
fn host_of(url: &str) -> String {
    url.split('?').next().unwrap_or_default().to_string()
}

/// `dir` as a deterministic tar.gz, without what `.dockerignore` (or, without one, `.git`) and the
/// deploy file's `[build.exclude] patterns` (read after it, as more lines of it) leave out.
pub fn pack(dir: &Path, exclude: &[String]) -> anyhow::Result<Vec<u8>> {
    let mut rules = std::fs::read_to_string(dir.join(".dockerignore")).unwrap_or_else(|_| ".git".into());
    for pattern in exclude {
        rules.push('\n');
        rules.push_str(pattern);
    }
    let ignore = Ignore::parse(&rules);
    let mut files = Vec::new();
    collect(dir, dir, &ignore, &mut files)?;
    files.sort();
    let mut size = 0u64;
    let mut tar = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::default()));
    tar.mode(tar::HeaderMode::Deterministic);
    for relative in files {
        let path = dir.join(&relative);
        let metadata = std::fs::metadata(&path)?;
        size += metadata.len();
        if size > MAX_CONTEXT_BYTES {
            return Err(refused(format!(
                "{} holds more than {} MB; leave files out with .dockerignore",
                dir.display(),
                MAX_CONTEXT_BYTES >> 20
            )));
        }
        let mut header = tar::Header::new_gnu();
        header.set_size(metadata.len());
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mode(if is_executable(&metadata) { 0o755 } else { 0o644 });
        header.set_entry_type(tar::EntryType::Regular);
        let file = std::fs::File::open(&path)?;
        tar.append_data(&mut header, &relative, file)?;
    }
    Ok(tar.into_inner()?.finish()?)
}

#[cfg(unix)]
fn is_executable(metadata: &std::fs::Metadata) -> bool {
    std::os::unix::fs::PermissionsExt::mode(&metadata.permissions()) & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_: &std::fs::Metadata) -> bool {
    false
}

fn collect(root: &Path, dir: &Path, ignore: &Ignore, out: &mut Vec<String>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let relative = path.strip_prefix(root)?.to_string_lossy().replace('\\', "/");
        let excluded = ignore.excludes(&relative);
        let kind = entry.file_type()?;
        // A `!rule` may take back a file inside an excluded folder: such folders are still walked.
        if kind.is_dir() && (!excluded || ignore.has_exceptions()) {
            collect(root, &path, ignore, out)?;
        } else if kind.is_file() && !excluded {
            out.push(relative);
        }
    }
    Ok(())
}

/// `.dockerignore` rules, in order; a later `!rule` takes back what an earlier one left out.
struct Ignore {
    rules: Vec<(bool, Vec<String>)>,
}

impl Ignore {
    fn parse(text: &str) -> Ignore {
        let rules = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|line| {
                let (keep, pattern) = match line.strip_prefix('!') {
                    Some(rest) => (true, rest),
                    None => (false, line),
                };
                let segments = pattern
                    .trim_matches('/')
                    .split('/')
                    .filter(|s| !s.is_empty() && *s != ".")
                    .map(str::to_string)
                    .collect();
                (keep, segments)
            })
            .collect();
        Ignore { rules }
    }

    fn has_exceptions(&self) -> bool {
        self.rules.iter().any(|(keep, _)| *keep)
    }

    fn excludes(&self, relative: &str) -> bool {
        let path: Vec<&str> = relative.split('/').collect();
        let mut excluded = false;
        for (keep, pattern) in &self.rules {
            // A rule matching a folder covers everything in it.
            let matched = (1..=path.len()).any(|n| segments_match(pattern, &path[..n]));
            if matched {
                excluded = !keep;
            }
        }
        excluded
    }
}

fn segments_match(pattern: &[String], path: &[&str]) -> bool {
    match (pattern.first(), path.first()) {
        (None, None) => true,
        (Some(p), _) if p == "**" => (0..=path.len()).any(|skip| segments_match(&pattern[1..], &path[skip..])),
        (Some(p), Some(segment)) => glob(p.as_bytes(), segment.as_bytes()) && segments_match(&pattern[1..], &path[1..]),
        _ => false,
    }
}

fn glob(pattern: &[u8], text: &[u8]) -> bool {
    match (pattern.first(), text.first()) {
        (None, None) => true,
        (Some(b'*'), _) => glob(&pattern[1..], text) || (!text.is_empty() && glob(pattern, &text[1..])),
        (Some(b'?'), Some(_)) => glob(&pattern[1..], &text[1..]),
        (Some(p), Some(t)) if p == t => glob(&pattern[1..], &text[1..]),
        _ => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn dockerignore_rules_match_as_docker_reads_them() {
        let ignore = Ignore::parse("# comment\n.git\n*.log\nbuild/**\n!build/keep.txt\nsecrets/*.env\n");
        for excluded in [".git/HEAD", "debug.log", "build/out/a.o", "secrets/prod.env"] {
            assert!(ignore.excludes(excluded), "{excluded}");
        }
        for kept in ["src/main.py", "build/keep.txt", "logs/x.txt", "secrets/readme.md", "sub/debug.log"] {
            assert!(!ignore.excludes(kept), "{kept}");
        }
    }

    #[test]
    fn the_same_folder_packs_to_the_same_bytes() {
        let dir = std::env::temp_dir().join(format!("pack-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(dir.join("Dockerfile"), "FROM scratch\n").unwrap();
        std::fs::write(dir.join("src/app.py"), "print('hi')\n").unwrap();
        let first = pack(&dir, &[]).unwrap();
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(dir.join("src/app.py"), "print('hi')\n").unwrap();
        let second = pack(&dir, &[]).unwrap();
        assert_eq!(first, second);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
