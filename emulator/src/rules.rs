//! What fails on purpose, and the choices the vendor's sources leave open: images whose deploys fail
//! with a documented `PCC_IMAGE_*` code, builds that fail, and which of the two documented bodies a start
//! at capacity gets. Set at start (`EmulatorBuilder::fail_image`, `--fail-image`,
//! `--capacity-answer`) or through the control API (`GET|PUT /_emulator/rules`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::state::DeployFailure;

/// The documented deploy failure codes and what each means, in the emulator's words.
pub const DEPLOY_FAILURE_CODES: [(&str, &str); 7] = [
    ("PCC_IMAGE_NOT_FOUND", "the image or its tag does not exist in the registry"),
    ("PCC_IMAGE_PULL_UNAUTHORIZED", "the registry refused the pull credentials"),
    ("PCC_IMAGE_TOO_LARGE", "the image is too large"),
    ("PCC_IMAGE_PULL_RATE_LIMIT", "the registry throttled the pull"),
    ("PCC_INVALID_IMAGE_PLATFORM", "the image is not built for linux/arm64"),
    ("PCC_IMAGE_PULL_UNKNOWN_ERROR", "the image could not be pulled"),
    ("PCC_UNKNOWN_ERROR", "the image was pulled but does not start; the agent's logs show why"),
];

/// Deploys of matching images fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageRule {
    /// Images whose reference contains this text fail.
    pub image_contains: String,
    /// The code they fail with, one of [`DEPLOY_FAILURE_CODES`].
    pub code: String,
}

/// Builds whose Dockerfile path contains this text fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildRule {
    /// Builds whose `dockerfilePath` contains this text fail (`""` fails every build).
    pub dockerfile_contains: String,
}

/// How a start at `maxAgents` running sessions is answered. The vendor's docs give two bodies for it and
/// no page reconciles them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CapacityAnswer {
    /// 429 `{"status": 429, "code": "429", "message": "Rate limit exceeded. Please try again later"}`:
    /// the answer `fundamentals/active-sessions.mdx` shows as it comes over the wire, and the code the
    /// SDK reference's example branches on (`e.error_code == "429"`). The default: the source closest to
    /// the wire.
    #[default]
    RateLimited,
    /// 429 `{"error": "Service maximum agent instances reached", "code": "PCC-AGENT-AT-CAPACITY"}`: the
    /// code and text `fundamentals/error-codes.mdx` lists.
    AtCapacityCode,
}

impl CapacityAnswer {
    /// Both, as the command line spells them.
    pub const ALL: [CapacityAnswer; 2] = [CapacityAnswer::RateLimited, CapacityAnswer::AtCapacityCode];

    /// As the command line spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            CapacityAnswer::RateLimited => "rate-limited",
            CapacityAnswer::AtCapacityCode => "at-capacity-code",
        }
    }
}

impl fmt::Display for CapacityAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A capacity answer the command line does not know.
#[derive(Debug, Clone, thiserror::Error)]
#[error("`{0}` is not a capacity answer: give `rate-limited` or `at-capacity-code`")]
pub struct UnknownCapacityAnswer(String);

impl FromStr for CapacityAnswer {
    type Err = UnknownCapacityAnswer;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        CapacityAnswer::ALL
            .into_iter()
            .find(|answer| answer.as_str() == text)
            .ok_or_else(|| UnknownCapacityAnswer(text.to_string()))
    }
}

/// Everything that fails on purpose, and the choices between documented answers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rules {
    /// Failing images.
    #[serde(default)]
    pub failing_images: Vec<ImageRule>,
    /// Failing builds.
    #[serde(default)]
    pub failing_builds: Vec<BuildRule>,
    /// How a start at capacity is answered.
    #[serde(default)]
    pub capacity_answer: CapacityAnswer,
}

/// A rule that names no documented code.
#[derive(Debug, Clone, thiserror::Error)]
#[error("`{0}` is not a documented deploy failure code; use one of {codes}", codes = DEPLOY_FAILURE_CODES.map(|(c, _)| c).join(", "))]
pub struct UnknownFailureCode(pub String);

impl ImageRule {
    /// Deploys of images containing `image_contains` fail with `code`.
    pub fn new(image_contains: impl Into<String>, code: impl Into<String>) -> Result<Self, UnknownFailureCode> {
        let code = code.into();
        if !DEPLOY_FAILURE_CODES.iter().any(|(known, _)| *known == code) {
            return Err(UnknownFailureCode(code));
        }
        Ok(ImageRule { image_contains: image_contains.into(), code })
    }

    /// `IMAGE_TEXT[=CODE]`, the code `PCC_IMAGE_NOT_FOUND` when left out: the command line's form.
    pub fn parse(text: &str) -> Result<Self, UnknownFailureCode> {
        match text.split_once('=') {
            Some((image, code)) => ImageRule::new(image, code),
            None => ImageRule::new(text, "PCC_IMAGE_NOT_FOUND"),
        }
    }
}

impl Rules {
    /// How a deploy of `image` fails, if a rule says it does.
    pub(crate) fn image_failure(&self, image: &str) -> Option<DeployFailure> {
        let rule = self.failing_images.iter().find(|rule| image.contains(&rule.image_contains))?;
        Some(failure(&rule.code, image))
    }

    /// True when a build of `dockerfile_path` fails.
    pub(crate) fn build_fails(&self, dockerfile_path: &str) -> bool {
        self.failing_builds.iter().any(|rule| dockerfile_path.contains(&rule.dockerfile_contains))
    }
}

/// The failure `code` for `image`, with the code's meaning.
pub(crate) fn failure(code: &str, image: &str) -> DeployFailure {
    let meaning = DEPLOY_FAILURE_CODES.iter().find(|(known, _)| *known == code).map_or("the deploy failed", |(_, m)| m);
    DeployFailure { code: code.to_string(), message: format!("{code}: {meaning} ({image})") }
}
