//! The one error type of the build helpers. Every variant names what is wrong and where, so that a
//! failing `build.rs` or `cargo spec` tells the maintainer what to fix without a backtrace.

use std::path::PathBuf;

/// Everything that can go wrong between a spec file on disk and generated Rust code.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// A spec file or folder could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },

    /// A folder was given that holds no `.yaml`, `.yml` or `.json` file.
    #[error("{path} holds no spec file (.yaml, .yml or .json)")]
    EmptyFolder {
        /// The folder.
        path: PathBuf,
    },

    /// The text is not valid YAML or JSON.
    #[error("{path}:{line}:{column}: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What the parser said.
        message: String,
    },

    /// The document is not an OpenAPI 3.0 document.
    #[error("{path}: {pointer}: {message}")]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// Where in the document: `#/openapi`, `#/swagger`, or `#` for the whole document.
        pointer: &'static str,
        /// What version was found and what to do.
        message: String,
    },

    /// Two fragments define the same element in different ways.
    #[error(
        "conflict: {element} is defined differently in {first} and {second}{difference}; make the two definitions equal or remove one"
    )]
    Conflict {
        /// The element, e.g. `schema ErrorResponse` or `GET /agents/{agentName}`.
        element: String,
        /// The file that defined it first.
        first: PathBuf,
        /// The file that defined it again.
        second: PathBuf,
        /// `; first difference at #/pointer: A there, B here`, or empty when the element itself clashes.
        difference: String,
    },

    /// The document breaks a rule the generator depends on; `location` names the operation or element.
    #[error("{location}: {message}")]
    Invalid {
        /// The operation (`deleteSecretFromSet (DELETE /secrets/{setName}/{secretKey})`) or element.
        location: String,
        /// What is wrong and what to do about it.
        message: String,
    },

    /// Several problems found in one pass; each is reported.
    #[error("{} problems in the spec:\n{}", .0.len(), .0.iter().map(|e| format!("  - {e}")).collect::<Vec<_>>().join("\n"))]
    Many(Vec<SpecError>),

    /// A normalization pass could not apply to this document.
    #[error("normalization pass `{pass}`: {message}")]
    Normalize {
        /// The pass name.
        pass: &'static str,
        /// What it could not do.
        message: String,
    },

    /// A problem inside a spec, with the file or folder it was read from.
    #[error("{path}: {source}")]
    InSpec {
        /// The spec file, or the folder of fragments.
        path: PathBuf,
        /// The problem.
        source: Box<SpecError>,
    },

    /// progenitor refused or failed on the normalized document.
    #[error("code generation failed: {0}")]
    Generate(String),
}

impl SpecError {
    /// Shorthand for [`SpecError::Invalid`].
    pub fn invalid(location: impl Into<String>, message: impl Into<String>) -> Self {
        SpecError::Invalid { location: location.into(), message: message.into() }
    }

    /// This error, naming the spec at `path` unless it names a file already.
    pub fn in_spec(self, path: &std::path::Path) -> Self {
        match self {
            SpecError::Io { .. }
            | SpecError::EmptyFolder { .. }
            | SpecError::Syntax { .. }
            | SpecError::UnsupportedVersion { .. }
            | SpecError::Conflict { .. }
            | SpecError::InSpec { .. } => self,
            other => SpecError::InSpec { path: path.to_path_buf(), source: Box::new(other) },
        }
    }

    /// Folds a list of problems into one error: none is `Ok`, one is itself, more is [`SpecError::Many`].
    /// Nested lists are flattened, so the count above the bullets is the number of bullets.
    pub fn collect(problems: Vec<SpecError>) -> Result<(), SpecError> {
        let mut problems: Vec<SpecError> = problems
            .into_iter()
            .flat_map(|problem| match problem {
                SpecError::Many(inner) => inner,
                single => vec![single],
            })
            .collect();
        match problems.len() {
            0 => Ok(()),
            1 => Err(problems.remove(0)),
            _ => Err(SpecError::Many(problems)),
        }
    }
}

/// Result alias of the build helpers.
pub type Result<T, E = SpecError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_problem_lists_are_counted_by_their_bullets() {
        let inner = SpecError::Many(vec![SpecError::invalid("a", "1"), SpecError::invalid("b", "2")]);
        let error = SpecError::collect(vec![inner, SpecError::invalid("c", "3"), SpecError::invalid("d", "4")]);
        let text = error.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(text.starts_with("4 problems in the spec:"), "{text}");
        assert_eq!(text.lines().filter(|l| l.starts_with("  - ")).count(), 4, "{text}");
    }
}
