//! What the workspace's hand-written code assumes about the spec, declared in one place and checked by
//! `cargo spec check` and the build script: a spec without one of these, or in which one has another
//! shape, is refused, naming the assumption, the place in the spec and the code that relies on it.
//!
//! Each entry is something hand-written Rust names through the generated client, so that a spec without
//! it would not compile the workspace (an operation's method, a field, an enum variant, a parameter's
//! type, a request body's constructor), or would make a workflow fail at run time in a way no message
//! explains. Refusing is the right choice for all of them: what check accepts must build, and a spec
//! that drops one of these needs the code changed with it, in the same change.
//!
//! Present is not enough: the code compiles against the type generated for a field, so the shape of
//! everything an assumption names is recorded (`shapes.txt`, see [Shapes](#shapes)) and compared.
//! Every operation an assumption names is called by the code, so its signature (path parameters,
//! required query parameters, the body and the answer's type) is compared too.
//!
//! Not declared here, and why: the CLI's commands for single operations reach them through the
//! catalog by operationId (`catalog::by_id("getSession")`) and pass the answer through raw, and a spec
//! without one refuses that command before any request ("no getSession in the catalog") while every
//! other command works; `session start` sends the JSON body its user wrote (`--json-body`) and prints
//! the answer raw, so the server checks it (a 400 naming the field). The workflows that build a body or
//! read an answer (`deploy`, `build run`, `secret set`) call the typed SDK, and what they name is
//! declared. The emulator routes every operation of the spec and its own test names any operation it
//! has no handler for.
//!
//! A spec fuzz test compiles the wrapper, its `wait.rs` and the CLI against accepted mutants: an
//! assumption missing from this table shows there as a mutant that check accepts but that does not
//! build.
//!
//! # Shapes
//!
//! `shapes.txt` holds, for each assumption and each operation called, the shape the code was written
//! against; `UPDATE_GOLDEN=1 cargo test -p pipecat-cloud-build-helpers --lib recorded_shapes` rewrites it
//! from the workspace's spec (`openapi/`), once the code is changed with it.

mod shape;
mod table;
mod walk;

use serde_json::Value;

use self::shape::{Line, RECORDED_AT, REWRITE_SHAPES, changed, parameter_line, render, schema_shape, walk_lines};
pub use self::table::ASSUMPTIONS;
use self::walk::{Side, Stop, body, missing_values, parameter, parameters_in, untyped, walk};
use crate::document::{OperationRef, operations};
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
    /// The operation itself (its generated method, called with its signature).
    Operation,
    /// A field of its success answer, by property names from the body's schema (`"[]"` steps into an
    /// array's items).
    Field(&'static [&'static str]),
    /// A field of its success answer that lists these enum values (their variants are named).
    FieldValues(&'static [&'static str], &'static [&'static str]),
    /// A field of its request body that the code sets, by property names as for [`Needs::Field`]; a
    /// property may sit in a variant of the body's `oneOf`, named by a step `<Schema>` (or found in the
    /// first variant that has it). Each object on the way keeps its required properties: they are its
    /// constructor's arguments.
    BodyField(&'static [&'static str]),
    /// A query parameter (its setter is called).
    QueryParameter(&'static str),
    /// A path parameter of `format: uuid` (its argument is a `Uuid`).
    UuidPathParameter(&'static str),
    /// A query parameter that lists these enum values (the setter takes the generated enum).
    QueryValues(&'static str, &'static [&'static str]),
    /// `limit` and `offset` query parameters: the operation pages itself.
    Paged,
}

impl Assumption {
    /// Each piece of code [`Assumption::relied_on_by`] names: split at the commas between them, not
    /// at those inside a parenthesis (`secrets.rs (secret set, secret image-pull-secret)` is one).
    pub fn callers(&self) -> Vec<&'static str> {
        let text = self.relied_on_by;
        let (mut pieces, mut depth, mut start) = (Vec::new(), 0usize, 0);
        for (at, character) in text.char_indices() {
            match character {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                ',' if depth == 0 => {
                    pieces.push(text[start..at].trim());
                    start = at + 1;
                }
                _ => {}
            }
        }
        pieces.push(text[start..].trim());
        pieces
    }

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
            Needs::BodyField(path) => format!("{} takes body field {}", self.operation, field(path)),
            Needs::UuidPathParameter(name) => {
                format!("{} takes path parameter {name} as `format: uuid`", self.operation)
            }
            Needs::QueryValues(name, listed) => {
                format!("{} takes query parameter {name} with {}", self.operation, values(listed))
            }
            Needs::QueryParameter(name) => format!("{} takes query parameter {name}", self.operation),
            Needs::Paged => format!("{} takes `limit` and `offset`", self.operation),
        }
    }
}

/// Checks every declared assumption against `loaded`, the spec as loaded, and their shapes against
/// `normalized`, the document the client is generated from (a normalization pass can change a type,
/// e.g. lift an enum into a named schema); every unmet one is reported, at its place in `loaded`.
pub fn check_assumptions(loaded: &Value, normalized: &Value) -> Result<()> {
    let refusal = |(place, what): Stop, describe: String, relied_on_by: &str| {
        SpecError::invalid(
            place,
            format!(
                "{what}; relied on by {relied_on_by} ({describe}, declared in \
                 build-helpers/src/validate/assumptions/table.rs): keep it in the spec, or change that code in the same \
                 change and, with the spec in openapi/, rewrite {RECORDED_AT} with `{REWRITE_SHAPES}`"
            ),
        )
    };
    let mut problems = Vec::new();
    // A missing operation is one problem, however many assumptions name it.
    for (operation, relied_on_by) in called_operations() {
        if find(loaded, operation).is_none() {
            let needed: Vec<String> =
                ASSUMPTIONS.iter().filter(|a| a.operation == operation).map(Assumption::describe).collect();
            let what = format!("no operation has the operationId `{operation}`");
            problems.push(refusal(("#/paths".to_string(), what), needed.join("; "), &relied_on_by));
        }
    }
    problems.extend(
        ASSUMPTIONS
            .iter()
            .filter(|a| find(loaded, a.operation).is_some())
            .filter_map(|a| unmet(loaded, normalized, a).map(|stop| refusal(stop, a.describe(), a.relied_on_by))),
    );
    for (operation, relied_on_by) in called_operations() {
        let Some(op) = find(loaded, operation) else { continue };
        let placed = signature(loaded, &op);
        let now = find(normalized, operation)
            .map_or_else(|| placed.clone(), |n| placed_at(signature(normalized, &n), &placed));
        let key = format!("operation {operation}");
        if let Some(stop) = changed(&key, &now, &op.pointer()) {
            problems.push(refusal(stop, format!("its signature: {key}"), &relied_on_by));
        }
    }
    SpecError::collect(problems)
}

/// Where the assumption is not met in `loaded` and how, or where its shape in `normalized` differs
/// from the recorded one; `None` when the spec offers it as the code was written against it.
pub fn unmet(loaded: &Value, normalized: &Value, assumption: &Assumption) -> Option<(String, String)> {
    let op = match find(loaded, assumption.operation) {
        Some(op) => op,
        None => {
            let what = format!("no operation has the operationId `{}`", assumption.operation);
            return Some(("#/paths".to_string(), what));
        }
    };
    let placed = match offered(loaded, &op, assumption) {
        Err(stop) => return Some(stop),
        Ok(lines) => lines,
    };
    // The client is generated from the normalized document: what it lacks there is missing too.
    let now = match find(normalized, assumption.operation).map(|n| offered(normalized, &n, assumption)) {
        Some(Ok(lines)) => placed_at(lines, &placed),
        Some(Err((_, what))) => return Some((format!("#{}", op.pointer()), format!("after normalization, {what}"))),
        None => return Some((format!("#{}", op.pointer()), "normalization left the operation out".to_string())),
    };
    match assumption.needs {
        Needs::Operation => None,
        _ => changed(&assumption.describe(), &now, &op.pointer()),
    }
}

/// `lines` with the places of `placed` (the same lines found in the spec as loaded), line by line.
fn placed_at(lines: Vec<Line>, placed: &[Line]) -> Vec<Line> {
    lines
        .into_iter()
        .enumerate()
        .map(|(index, line)| match placed.get(index) {
            Some(at) => Line { pointer: at.pointer.clone(), text: line.text },
            None => line,
        })
        .collect()
}

/// What `op` in `doc` offers of `assumption`, as the lines of its shape; or where it is missing.
fn offered(doc: &Value, op: &OperationRef<'_>, assumption: &Assumption) -> std::result::Result<Vec<Line>, Stop> {
    let missing = |location: &str, name: &str| {
        (format!("#{}/parameters", op.pointer()), format!("no {location} parameter `{name}`"))
    };
    match assumption.needs {
        Needs::Operation => Ok(Vec::new()),
        // A field that loses its `type` becomes a JSON value; said in those words before its shape.
        Needs::Field(path) => {
            let found = walk(doc, op, Side::Answer, path)?;
            untyped(doc, &found.resolved).map_or_else(|| Ok(walk_lines(doc, &found, Side::Answer)), Err)
        }
        Needs::FieldValues(path, listed) => {
            let found = walk(doc, op, Side::Answer, path)?;
            missing_values(doc, &found.resolved, listed).map_or_else(|| Ok(walk_lines(doc, &found, Side::Answer)), Err)
        }
        Needs::BodyField(path) => Ok(walk_lines(doc, &walk(doc, op, Side::Request, path)?, Side::Request)),
        Needs::UuidPathParameter(name) => {
            let (pointer, param) = parameter(doc, op, "path", name).ok_or_else(|| missing("path", name))?;
            if param.pointer("/schema/format").and_then(Value::as_str) != Some("uuid") {
                return Err((
                    format!("#{pointer}/schema"),
                    format!(
                        "path parameter `{name}` is not written `format: uuid` in place (the code passes a `Uuid`; \
                         through a `$ref` the parameter can get a type of its own)"
                    ),
                ));
            }
            Ok(vec![parameter_line(doc, &pointer, param)])
        }
        Needs::QueryValues(name, listed) => {
            let (pointer, param) = parameter(doc, op, "query", name).ok_or_else(|| missing("query", name))?;
            missing_values(doc, &format!("{pointer}/schema"), listed)
                .map_or_else(|| Ok(vec![parameter_line(doc, &pointer, param)]), Err)
        }
        Needs::QueryParameter(name) => {
            let (pointer, param) = parameter(doc, op, "query", name).ok_or_else(|| missing("query", name))?;
            Ok(vec![parameter_line(doc, &pointer, param)])
        }
        Needs::Paged => ["limit", "offset"]
            .into_iter()
            .map(|name| {
                let (pointer, param) = parameter(doc, op, "query", name).ok_or_else(|| missing("query", name))?;
                Ok(parameter_line(doc, &pointer, param))
            })
            .collect(),
    }
}

/// Where the spec states what `assumption` names, when it does: the operation, the
/// property's entry, the enum or `format` that lists the values, the `offset` parameter.
pub fn place(doc: &Value, assumption: &Assumption) -> Option<String> {
    let op = find(doc, assumption.operation)?;
    let last_entry = |side, path| walk(doc, &op, side, path).ok().and_then(|w| w.steps.last().map(|s| s.entry.clone()));
    match assumption.needs {
        Needs::Operation => Some(op.pointer()),
        Needs::Field(path) => last_entry(Side::Answer, path),
        Needs::BodyField(path) => last_entry(Side::Request, path),
        Needs::FieldValues(path, _) => walk(doc, &op, Side::Answer, path).ok().map(|w| format!("{}/enum", w.resolved)),
        Needs::UuidPathParameter(name) => parameter(doc, &op, "path", name).map(|(p, _)| format!("{p}/schema/format")),
        Needs::QueryValues(name, _) => {
            let (pointer, param) = parameter(doc, &op, "query", name)?;
            let (resolved, _) = walk::follow(doc, format!("{pointer}/schema"), param.get("schema")?);
            Some(format!("{resolved}/enum"))
        }
        Needs::QueryParameter(name) => parameter(doc, &op, "query", name).map(|(p, _)| p),
        Needs::Paged => parameter(doc, &op, "query", "offset").map(|(p, _)| p),
    }
}

/// The shapes `normalized` (a document as the client is generated from it) gives everything the
/// assumptions name, written as `shapes.txt` is.
pub fn shapes(normalized: &Value) -> String {
    let mut blocks = Vec::new();
    for (operation, _) in called_operations() {
        if let Some(op) = find(normalized, operation) {
            blocks.push((format!("operation {operation}"), signature(normalized, &op)));
        }
    }
    for assumption in ASSUMPTIONS.iter().filter(|a| !matches!(a.needs, Needs::Operation)) {
        let lines = find(normalized, assumption.operation).and_then(|op| offered(normalized, &op, assumption).ok());
        blocks.push((assumption.describe(), lines.unwrap_or_default()));
    }
    render(&blocks)
}

/// Files, each with the commands named for it.
type CallingFiles = Vec<(&'static str, Vec<&'static str>)>;

/// Each operation the assumptions name (the code calls it), with the code that calls it, each file
/// named once.
fn called_operations() -> Vec<(&'static str, String)> {
    // Per operation, each file that calls it with the commands named for it: `secrets.rs (secret set)`
    // and `secrets.rs (secret image-pull-secret)` become `secrets.rs (secret set, secret image-pull-secret)`.
    let mut out: Vec<(&'static str, CallingFiles)> = Vec::new();
    for assumption in ASSUMPTIONS {
        let at = match out.iter().position(|(operation, _)| *operation == assumption.operation) {
            Some(at) => at,
            None => {
                out.push((assumption.operation, Vec::new()));
                out.len() - 1
            }
        };
        let files = &mut out[at].1;
        for caller in assumption.callers() {
            let (file, commands) = match caller.split_once(" (") {
                Some((file, commands)) => (file, commands.trim_end_matches(')').split(", ").collect()),
                None => (caller, Vec::new()),
            };
            match files.iter_mut().find(|(known, _)| *known == file) {
                Some((_, known)) => {
                    known.extend(commands.into_iter().filter(|c| !known.contains(c)).collect::<Vec<_>>())
                }
                None => files.push((file, commands)),
            }
        }
    }
    let named = |(file, commands): (&str, Vec<&str>)| match commands.is_empty() {
        true => file.to_string(),
        false => format!("{file} ({})", commands.join(", ")),
    };
    out.into_iter()
        .map(|(operation, files)| (operation, files.into_iter().map(named).collect::<Vec<_>>().join(", ")))
        .collect()
}

fn find<'a>(doc: &'a Value, operation: &str) -> Option<OperationRef<'a>> {
    operations(doc).into_iter().find(|op| op.operation_id() == Some(operation))
}

/// What a call of `op` is made of, in the generated method's terms: its path parameters in the path's
/// order, its required query parameters, its body and its answer.
fn signature(doc: &Value, op: &OperationRef<'_>) -> Vec<Line> {
    let mut lines = Vec::new();
    let in_path = op.path.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name));
    for name in in_path {
        if let Some((pointer, param)) = parameter(doc, op, "path", name) {
            lines.push(parameter_line(doc, &pointer, param));
        }
    }
    // Required query and header parameters are the method's arguments, after the path's.
    for (pointer, param) in parameters_in(doc, op) {
        let required = param.get("required").and_then(Value::as_bool).unwrap_or(false);
        if matches!(param.get("in").and_then(Value::as_str), Some("query" | "header")) && required {
            lines.push(parameter_line(doc, &pointer, param));
        }
    }
    if op.operation.get("requestBody").is_some() {
        lines.push(body_line(doc, op, Side::Request));
    }
    lines.push(body_line(doc, op, Side::Answer));
    lines
}

fn body_line(doc: &Value, op: &OperationRef<'_>, side: Side) -> Line {
    match body(doc, op, side) {
        Ok((pointer, schema, label)) => Line { text: format!("{label}: {}", schema_shape(doc, schema, side)), pointer },
        Err((at, what)) => Line { pointer: at.trim_start_matches('#').to_string(), text: what },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callers_split_between_files_not_inside_a_command() {
        let assumption = Assumption {
            operation: "upsertSecretSet",
            needs: Needs::Operation,
            relied_on_by: "cli/src/workflows/secrets.rs (secret set, secret image-pull-secret), examples/secret-sync",
        };
        assert_eq!(
            assumption.callers(),
            ["cli/src/workflows/secrets.rs (secret set, secret image-pull-secret)", "examples/secret-sync"]
        );
        // The table names `secrets.rs` with each command in a separate entry: both are kept.
        let callers = called_operations().into_iter().find(|(operation, _)| *operation == "upsertSecretSet");
        let (_, callers) = callers.unwrap_or_default();
        assert!(callers.contains("cli/src/workflows/secrets.rs (secret set, secret image-pull-secret)"), "{callers}");
        assert!(!callers.contains("image-pull-secret), cli/src/workflows/secrets.rs"), "{callers}");
    }

    /// The workspace's spec as `check` reads it: the folder loaded, then normalized. A spec that does not
    /// load fails the test, so that shapes are never recorded from nothing.
    fn prepared() -> crate::pipeline::PreparedSpec {
        let openapi = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi");
        crate::pipeline::prepare(&openapi).unwrap_or_else(|e| panic!("the workspace's spec: {e}"))
    }

    #[test]
    fn the_recorded_shapes_are_the_workspace_specs() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/validate/assumptions/shapes.txt");
        let now = shapes(&prepared().normalized.document);
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, &now).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            return;
        }
        let recorded = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            recorded == now,
            "{} differs from the shapes of the spec in openapi/; if the code was changed with the spec, \
             rewrite it with `{REWRITE_SHAPES}`\n{now}",
            path.display()
        );
    }

    #[test]
    fn the_workspace_spec_offers_every_assumption() {
        let prepared = prepared();
        let (doc, normalized) = (&prepared.loaded.document, &prepared.normalized.document);
        let unmet: Vec<String> = ASSUMPTIONS
            .iter()
            .filter_map(|a| unmet(doc, normalized, a).map(|(at, what)| format!("{}: {at}: {what}", a.describe())))
            .collect();
        assert!(unmet.is_empty(), "{unmet:#?}");
        let checked = check_assumptions(doc, normalized);
        assert!(checked.is_ok(), "{:?}", checked.err());
    }
}
