//! A parity run's answers from the reference, as recordings in the conformance tests' format
//! (`pipecat-cloud-recordings`): `DIR/<operationId>/<status>-parity-<step>.yaml`, keys and secret values
//! scrubbed, `source: recorded from <host> on <date>`. The conformance tests replay such files like any
//! other, and `--replay DIR` plays the scenario on the emulator against them.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use pipecat_cloud_recordings::{RecordedRequest, RecordedResponse, Recording, load_all, scrub, scrub_key};

use super::compare::Observed;
use super::scenario::{STEPS, StepResult};
use super::target::Target;
use crate::exit::refused;

/// The case of a step's recording: `parity-` and the step's words, joined by `-`.
fn case(step: &str) -> String {
    let words: Vec<String> = step.split_whitespace().map(|w| w.to_ascii_lowercase().replace('\'', "")).collect();
    format!("parity-{}", words.join("-"))
}

/// `YYYY-MM-DD` of today, in UTC.
fn today() -> String {
    chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now()).format("%Y-%m-%d").to_string()
}

/// Writes the reference's answer of every step that may be recorded; how many were written.
pub(crate) fn write_all(dir: &Path, reference: &Target, results: &[StepResult]) -> anyhow::Result<usize> {
    let source = format!("recorded from {} on {}", reference.host, today());
    let keys = reference.keys();
    let mut written = 0;
    for (step, result) in STEPS.iter().zip(results) {
        let Some(exchange) = result.exchange.as_ref().filter(|_| step.recordable) else { continue };
        let operation = step.operation.operation();
        let mut body = exchange.request_body.clone();
        if let Some(body) = &mut body {
            scrub(body);
            for key in keys {
                scrub_key(body, key);
            }
        }
        let headers: BTreeMap<String, String> =
            body.iter().map(|_| ("content-type".to_string(), "application/json".to_string())).collect();
        let response = RecordedResponse::scrubbed(
            exchange.status,
            exchange.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            &exchange.body,
            &keys,
        );
        let recording = Recording {
            about: format!("Parity run, {}: HTTP {}", step.name, exchange.status),
            beyond_spec: !operation.statuses.contains(&exchange.status),
            source: Some(source.clone()),
            request: RecordedRequest {
                method: exchange.method.to_string(),
                path: exchange.path.clone(),
                query: exchange.query.clone(),
                headers,
                body,
            },
            response,
        };
        recording.write(dir, operation.id.as_str(), Some(&case(step.name))).map_err(|e| {
            refused(format!("cannot write the recording of `{}` under {}: {e}", step.name, dir.display()))
        })?;
        written += 1;
    }
    Ok(written)
}

/// The recordings of a parity run under a folder: what each step answered, by step name, and where they
/// came from.
#[derive(Debug)]
pub(crate) struct Recorded {
    /// The `source` the recordings name.
    pub(crate) source: Option<String>,
    /// What the reference answered at each recorded step.
    pub(crate) steps: HashMap<&'static str, Observed>,
}

/// Reads the parity recordings under `dir` (files whose case starts with `parity-`; others are left alone).
pub(crate) fn read_all(dir: &Path) -> anyhow::Result<Recorded> {
    let files = load_all(dir).map_err(|e| refused(format!("cannot read the recordings: {e}")))?;
    let mut steps = HashMap::new();
    let mut source = None;
    for file in files {
        let Some(step) = STEPS.iter().find(|step| file.case.as_deref() == Some(case(step.name).as_str())) else {
            continue;
        };
        let response = &file.recording.response;
        steps.insert(step.name, Observed::answer(response.status, response.body.as_ref()));
        source = source.or_else(|| file.recording.source.clone());
    }
    if steps.is_empty() {
        return Err(refused(format!(
            "no recordings of a parity run under {}: make them with `pipecat-cloud emulator parity --record {}`",
            dir.display(),
            dir.display()
        )));
    }
    Ok(Recorded { source, steps })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_steps_case_is_its_words_in_kebab_case() {
        assert_eq!(super::case("start one past maxAgents"), "parity-start-one-past-maxagents");
        assert_eq!(super::case("read the agent's logs"), "parity-read-the-agents-logs");
    }
}
