//! What the workspace's hand-written code assumes about the spec, declared in one place and checked by
//! `cargo spec check` and the build script: a spec without one of these is refused, naming the
//! assumption, the place in the spec and the code that relies on it.
//!
//! Each entry is something hand-written Rust names through the generated client, so that a spec without
//! it would not compile the workspace (an operation's method, a field, an enum variant, a parameter's
//! type), or would make a workflow fail at run time in a way no message explains. Refusing is the right
//! choice for all of them: what check accepts must build, and a spec that drops one of these needs the
//! code changed with it, in the same change.
//!
//! Not declared here, and why: the CLI's commands reach most operations through the catalog by
//! operationId (`catalog::by_id("createBuild")`), and a spec without one refuses that command before
//! any request ("no createBuild in the catalog") while every other command works; the request bodies
//! the CLI writes as JSON are checked by the server (a 400 naming the field). The emulator routes every
//! operation of the spec and its own test names any operation it has no handler for.
//!
//! A spec fuzz test compiles the wrapper, its `wait.rs` and the CLI against accepted mutants: an
//! assumption missing from this table shows there as a mutant that check accepts but that does not
//! build.

use std::fmt::Write as _;

use serde_json::Value;

use crate::document::{OperationRef, operations, pointer_token};
use crate::error::{Result, SpecError};

/// One assumption: what the spec must offer, and who relies on it.
#[derive(Debug, Clone, Copy)]
pub struct Assumption {
    /// The operationId it is about.
    pub operation: &'static str,
    /// What the operation must offer.
    pub needs: Needs,
    /// The code that relies on it: file and item.
    pub relied_on_by: &'static str,
}

/// What an operation must offer.
#[derive(Debug, Clone, Copy)]
pub enum Needs {
    /// The operation itself (its generated method).
    Operation,
    /// A field of its success answer, by property names from the body's schema (`"[]"` steps into an
    /// array's items).
    Field(&'static [&'static str]),
    /// A field of its success answer that lists these enum values (their variants are named).
    FieldValues(&'static [&'static str], &'static [&'static str]),
    /// A path parameter of `format: uuid` (its argument is a `Uuid`).
    UuidPathParameter(&'static str),
    /// A query parameter that lists these enum values (the setter takes the generated enum).
    QueryValues(&'static str, &'static [&'static str]),
    /// `limit` and `offset` query parameters: the operation pages itself.
    Paged,
}

const WAIT: &str = "pipecat-cloud/src/wait.rs";

/// Every declared assumption.
pub const ASSUMPTIONS: &[Assumption] = &[
    Assumption {
        operation: "getSecretSet",
        needs: Needs::FieldValues(&["status"], &["ready", "failed"]),
        relied_on_by: WAIT,
    },
    Assumption { operation: "getSecretSet", needs: Needs::Field(&["errorMessage"]), relied_on_by: WAIT },
    Assumption {
        operation: "getSecretSet",
        needs: Needs::Field(&["secrets", "[]", "fieldName"]),
        relied_on_by: "examples/secret-sync, emulator/examples/quickstart.rs",
    },
    Assumption { operation: "listSecretSets", needs: Needs::Field(&["sets", "[]", "name"]), relied_on_by: WAIT },
    Assumption {
        operation: "listSecretSets",
        needs: Needs::FieldValues(&["sets", "[]", "status"], &["ready", "failed"]),
        relied_on_by: WAIT,
    },
    Assumption {
        operation: "listSecretSets",
        needs: Needs::Field(&["sets", "[]", "errorMessage"]),
        relied_on_by: WAIT,
    },
    Assumption {
        operation: "upsertSecretSet",
        needs: Needs::Operation,
        relied_on_by: "examples/secret-sync, emulator/examples/quickstart.rs",
    },
    Assumption {
        operation: "deleteSecretFromSet",
        needs: Needs::Operation,
        relied_on_by: "examples/secret-sync, emulator/examples/quickstart.rs",
    },
    Assumption { operation: "getService", needs: Needs::Field(&["desiredDeploymentId"]), relied_on_by: WAIT },
    Assumption { operation: "getService", needs: Needs::Field(&["reconciledDeploymentId"]), relied_on_by: WAIT },
    Assumption { operation: "getService", needs: Needs::Field(&["ready"]), relied_on_by: WAIT },
    Assumption {
        operation: "getService",
        needs: Needs::FieldValues(&["currentRevision", "phase"], &["Failed"]),
        relied_on_by: WAIT,
    },
    Assumption {
        operation: "getService",
        needs: Needs::Field(&["currentRevision", "deploymentID"]),
        relied_on_by: WAIT,
    },
    Assumption {
        operation: "getService",
        needs: Needs::Field(&["currentRevision", "health", "message"]),
        relied_on_by: WAIT,
    },
    Assumption {
        operation: "getService",
        needs: Needs::Field(&["currentRevision", "health", "reason"]),
        relied_on_by: WAIT,
    },
    Assumption {
        operation: "getService",
        needs: Needs::Field(&["currentRevision", "health", "lastTerminationReason"]),
        relied_on_by: WAIT,
    },
    Assumption { operation: "getBuild", needs: Needs::UuidPathParameter("buildId"), relied_on_by: WAIT },
    Assumption {
        operation: "getBuild",
        needs: Needs::FieldValues(&["build", "status"], &["success", "failed", "timeout"]),
        relied_on_by: WAIT,
    },
    Assumption { operation: "getBuild", needs: Needs::Field(&["build", "errorMessage"]), relied_on_by: WAIT },
    Assumption {
        operation: "getProperties",
        needs: Needs::Field(&["properties", "defaultRegion"]),
        relied_on_by: "cli/src/workflows/build.rs (build run without --region)",
    },
    Assumption {
        operation: "listRegions",
        needs: Needs::Operation,
        relied_on_by: "cli/src/workflows/auth.rs (auth check)",
    },
    Assumption {
        operation: "getLogs",
        needs: Needs::Paged,
        relied_on_by: "cli/src/workflows/logs.rs (agent logs --follow)",
    },
    Assumption {
        operation: "getLogs",
        needs: Needs::QueryValues("order", &["asc", "desc"]),
        relied_on_by: "cli/src/workflows/logs.rs, emulator/examples/quickstart.rs",
    },
    Assumption {
        operation: "getLogs",
        needs: Needs::Field(&["logs", "[]", "timestamp"]),
        relied_on_by: "cli/src/workflows/logs.rs",
    },
    Assumption {
        operation: "getLogs",
        needs: Needs::Field(&["logs", "[]", "log"]),
        relied_on_by: "cli/src/workflows/logs.rs",
    },
    Assumption {
        operation: "getLogs",
        needs: Needs::Field(&["logs", "[]", "deploymentId"]),
        relied_on_by: "cli/src/workflows/logs.rs",
    },
    Assumption { operation: "createService", needs: Needs::Operation, relied_on_by: "emulator/examples/quickstart.rs" },
    Assumption {
        operation: "startService",
        needs: Needs::Field(&["sessionId"]),
        relied_on_by: "emulator/examples/quickstart.rs",
    },
    Assumption {
        operation: "getSessions",
        needs: Needs::Field(&["sessions", "[]", "sessionId"]),
        relied_on_by: "emulator/examples/quickstart.rs",
    },
    Assumption {
        operation: "getSessions",
        needs: Needs::Field(&["total_count"]),
        relied_on_by: "emulator/examples/quickstart.rs",
    },
];

impl Assumption {
    /// The assumption in words, e.g. `getBuild answers build.status with "success", "failed", "timeout"`.
    pub fn describe(&self) -> String {
        let field = |path: &[&str]| path.join(".").replace(".[]", "[]");
        let values = |values: &[&str]| values.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>().join(", ");
        match self.needs {
            Needs::Operation => format!("operation {}", self.operation),
            Needs::Field(path) => format!("{} answers {}", self.operation, field(path)),
            Needs::FieldValues(path, listed) => {
                format!("{} answers {} with {}", self.operation, field(path), values(listed))
            }
            Needs::UuidPathParameter(name) => {
                format!("{} takes path parameter {name} as `format: uuid`", self.operation)
            }
            Needs::QueryValues(name, listed) => {
                format!("{} takes query parameter {name} with {}", self.operation, values(listed))
            }
            Needs::Paged => format!("{} takes `limit` and `offset`", self.operation),
        }
    }
}

/// Checks every declared assumption against `doc`, the spec as loaded; every missing one is reported.
pub fn check_assumptions(doc: &Value) -> Result<()> {
    let problems = ASSUMPTIONS
        .iter()
        .filter_map(|assumption| {
            missing(doc, assumption).map(|(place, what)| {
                SpecError::invalid(
                    place,
                    format!(
                        "{what}; {} relies on it ({}, declared in build-helpers/src/validate/assumptions.rs): \
                         keep it in the spec, or change that code in the same change",
                        assumption.relied_on_by,
                        assumption.describe()
                    ),
                )
            })
        })
        .collect();
    SpecError::collect(problems)
}

/// Where the assumption fails and what is missing there, or `None` when the spec offers it.
pub fn missing(doc: &Value, assumption: &Assumption) -> Option<(String, String)> {
    let Some(op) = operations(doc).into_iter().find(|op| op.operation_id() == Some(assumption.operation)) else {
        return Some(("#/paths".to_string(), format!("no operation has the operationId `{}`", assumption.operation)));
    };
    match assumption.needs {
        Needs::Operation => None,
        // The code reads the field as the type the spec gives it: a field that loses its `type` becomes
        // a JSON value, and the code no longer compiles.
        Needs::Field(path) => match field(doc, &op, path) {
            Err(problem) => Some(problem),
            Ok((_, resolved)) => untyped(doc, &resolved),
        },
        Needs::FieldValues(path, listed) => match field(doc, &op, path) {
            Err(problem) => Some(problem),
            Ok((_, resolved)) => missing_values(doc, &resolved, listed),
        },
        Needs::UuidPathParameter(name) => match parameter(doc, &op, "path", name) {
            None => Some((format!("#{}/parameters", op.pointer()), format!("no path parameter `{name}`"))),
            Some(pointer) => {
                let format = doc.pointer(&format!("{pointer}/schema/format")).and_then(Value::as_str);
                (format != Some("uuid"))
                    .then(|| (format!("#{pointer}/schema"), format!("path parameter `{name}` is not `format: uuid`")))
            }
        },
        Needs::QueryValues(name, listed) => match parameter(doc, &op, "query", name) {
            None => Some((format!("#{}/parameters", op.pointer()), format!("no query parameter `{name}`"))),
            Some(pointer) => missing_values(doc, &format!("{pointer}/schema"), listed),
        },
        Needs::Paged => ["limit", "offset"].into_iter().find_map(|name| {
            parameter(doc, &op, "query", name)
                .is_none()
                .then(|| (format!("#{}/parameters", op.pointer()), format!("no query parameter `{name}`")))
        }),
    }
}

/// The JSON pointer of parameter `name` in `location` (operation-level first, then path-level), with
/// a `$ref` followed.
fn parameter(doc: &Value, op: &OperationRef<'_>, location: &str, name: &str) -> Option<String> {
    let lists = [(op.pointer(), op.operation), (format!("/paths/{}", pointer_token(op.path)), op.path_item)];
    for (base, node) in lists {
        for (index, param) in node.get("parameters").and_then(Value::as_array).into_iter().flatten().enumerate() {
            let (pointer, param) = follow(doc, format!("{base}/parameters/{index}"), param);
            if param.get("in").and_then(Value::as_str) == Some(location)
                && param.get("name").and_then(Value::as_str) == Some(name)
            {
                return Some(pointer);
            }
        }
    }
    None
}

/// `node` at `pointer`, or what its local `$ref` points at (a chain of them is followed, at most 32).
fn follow<'a>(doc: &'a Value, mut pointer: String, mut node: &'a Value) -> (String, &'a Value) {
    for _ in 0..32 {
        let Some(target) = node.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) else { break };
        match doc.pointer(target) {
            Some(next) => {
                pointer = target.to_string();
                node = next;
            }
            None => break,
        }
    }
    (pointer, node)
}

/// Where the spec states what `assumption` names, when it does: the operation, the
/// property's entry, the enum or `format` that lists the values, the `offset` parameter.
pub fn place(doc: &Value, assumption: &Assumption) -> Option<String> {
    let op = operations(doc).into_iter().find(|op| op.operation_id() == Some(assumption.operation))?;
    match assumption.needs {
        Needs::Operation => Some(op.pointer()),
        Needs::Field(path) => field(doc, &op, path).ok().map(|(entry, _)| entry),
        Needs::FieldValues(path, _) => field(doc, &op, path).ok().map(|(_, resolved)| format!("{resolved}/enum")),
        Needs::UuidPathParameter(name) => parameter(doc, &op, "path", name).map(|p| format!("{p}/schema/format")),
        Needs::QueryValues(name, _) => {
            let pointer = format!("{}/schema", parameter(doc, &op, "query", name)?);
            let (resolved, _) = follow(doc, pointer.clone(), doc.pointer(&pointer)?);
            Some(format!("{resolved}/enum"))
        }
        Needs::Paged => parameter(doc, &op, "query", "offset"),
    }
}

/// The schema at `path` in `op`'s first success body: the pointer of its entry (where the property is
/// written) and of the schema it resolves to; or where the walk stopped and why.
fn field(doc: &Value, op: &OperationRef<'_>, path: &[&str]) -> std::result::Result<(String, String), (String, String)> {
    let responses = op.operation.get("responses").and_then(Value::as_object);
    let success = responses.into_iter().flatten().find(|(status, _)| status.starts_with('2'));
    let Some((status, response)) = success else {
        return Err((format!("#{}/responses", op.pointer()), "no success answer".into()));
    };
    let (response_pointer, response) =
        follow(doc, format!("{}/responses/{}", op.pointer(), pointer_token(status)), response);
    let Some((media, entry)) = response.get("content").and_then(Value::as_object).and_then(|c| c.iter().next()) else {
        return Err((format!("#{response_pointer}"), format!("the {status} answer has no body")));
    };
    let Some(schema) = entry.get("schema") else {
        return Err((format!("#{response_pointer}/content/{}", pointer_token(media)), "no schema".into()));
    };
    let (mut pointer, mut schema) =
        follow(doc, format!("{response_pointer}/content/{}/schema", pointer_token(media)), schema);
    let mut walked = String::new();
    let mut entry = pointer.clone();
    for step in path {
        let next = if *step == "[]" {
            schema.get("items").map(|items| (format!("{pointer}/items"), items))
        } else {
            property(doc, &pointer, schema, step)
        };
        let Some((next_pointer, next)) = next else {
            let what = if *step == "[]" {
                format!("`{}` is not a list", walked.trim_start_matches('.'))
            } else if walked.is_empty() {
                format!("the answer has no property `{step}`")
            } else {
                format!("`{}` has no property `{step}`", walked.trim_start_matches('.'))
            };
            return Err((format!("#{pointer}"), what));
        };
        let _ = write!(walked, "{}{step}", if *step == "[]" { "" } else { "." });
        entry = next_pointer.clone();
        (pointer, schema) = follow(doc, next_pointer, next);
    }
    Ok((entry, pointer))
}

/// Property `name` of `schema` (at `pointer`), looked up in its `properties` and in the parts of its
/// `allOf` (a nullable reference is written `allOf: [$ref]`).
fn property<'a>(doc: &'a Value, pointer: &str, schema: &'a Value, name: &str) -> Option<(String, &'a Value)> {
    if let Some(found) = schema.get("properties").and_then(|p| p.get(name)) {
        return Some((format!("{pointer}/properties/{}", pointer_token(name)), found));
    }
    for (index, part) in schema.get("allOf").and_then(Value::as_array).into_iter().flatten().enumerate() {
        let (part_pointer, part) = follow(doc, format!("{pointer}/allOf/{index}"), part);
        if let Some(found) = property(doc, &part_pointer, part, name) {
            return Some(found);
        }
    }
    None
}

/// Where the schema at `pointer` says what kind of value it is not: no `type`, no reference, no
/// composition.
fn untyped(doc: &Value, pointer: &str) -> Option<(String, String)> {
    let schema = doc.pointer(pointer)?;
    let typed = ["type", "$ref", "allOf", "oneOf", "anyOf", "enum"].iter().any(|key| schema.get(*key).is_some());
    (!typed).then(|| (format!("#{pointer}"), "the field has no `type`".to_string()))
}

/// The first of `listed` that the enum of the schema at `pointer` (or of an `allOf` part) lacks.
fn missing_values(doc: &Value, pointer: &str, listed: &[&str]) -> Option<(String, String)> {
    let schema = doc.pointer(pointer)?;
    let (pointer, schema) = follow(doc, pointer.to_string(), schema);
    let mut values: Vec<&str> =
        schema.get("enum").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    for (index, part) in schema.get("allOf").and_then(Value::as_array).into_iter().flatten().enumerate() {
        let (_, part) = follow(doc, format!("{pointer}/allOf/{index}"), part);
        values.extend(part.get("enum").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str));
    }
    let at = if schema.get("enum").is_some() { format!("#{pointer}/enum") } else { format!("#{pointer}") };
    listed.iter().find(|value| !values.contains(value)).map(|value| (at, format!("the value {value:?} is not listed")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Value {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/pipecat-cloud.yaml");
        serde_yaml::from_str(&std::fs::read_to_string(path).unwrap_or_default()).unwrap_or_default()
    }

    #[test]
    fn the_workspace_spec_offers_every_assumption() {
        let doc = spec();
        let missing: Vec<String> = ASSUMPTIONS
            .iter()
            .filter_map(|a| missing(&doc, a).map(|(at, what)| format!("{}: {at}: {what}", a.describe())))
            .collect();
        assert!(missing.is_empty(), "{missing:#?}");
    }
}
