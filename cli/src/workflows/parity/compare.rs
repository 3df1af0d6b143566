//! What a parity run compares, and how: per step, the status, the error code, the set of keys with
//! their JSON types, and, for a step that waits, the order of the states it went through. Ids, times
//! and free text differ between any two runs and are left out: only their types are compared.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::Value;

/// A JSON value's type, as the shape of an answer keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum JsonType {
    Null,
    Boolean,
    Number,
    String,
    Array,
    Object,
}

impl JsonType {
    fn of(value: &Value) -> Self {
        match value {
            Value::Null => JsonType::Null,
            Value::Bool(_) => JsonType::Boolean,
            Value::Number(_) => JsonType::Number,
            Value::String(_) => JsonType::String,
            Value::Array(_) => JsonType::Array,
            Value::Object(_) => JsonType::Object,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            JsonType::Null => "null",
            JsonType::Boolean => "boolean",
            JsonType::Number => "number",
            JsonType::String => "string",
            JsonType::Array => "array",
            JsonType::Object => "object",
        }
    }
}

/// The keys of an answer with their types, by JSON pointer; the items of a list share one pointer
/// (`/sessions/[]/endedAt`), each key with every type it had. Lists that were empty are noted: their
/// items' keys are unknown, not missing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Shape {
    keys: BTreeMap<String, BTreeSet<JsonType>>,
    empty_lists: BTreeSet<String>,
}

impl Shape {
    /// The shape of `value`.
    pub(crate) fn of(value: &Value) -> Self {
        let mut shape = Shape::default();
        shape.walk(value, String::new());
        shape
    }

    fn walk(&mut self, value: &Value, at: String) {
        match value {
            Value::Object(fields) => {
                for (key, field) in fields {
                    let here = format!("{at}/{key}");
                    self.keys.entry(here.clone()).or_default().insert(JsonType::of(field));
                    self.walk(field, here);
                }
            }
            Value::Array(items) if items.is_empty() => {
                self.empty_lists.insert(at);
            }
            Value::Array(items) => {
                let here = format!("{at}/[]");
                for item in items {
                    self.keys.entry(here.clone()).or_default().insert(JsonType::of(item));
                    self.walk(item, here.clone());
                }
            }
            _ => {}
        }
    }

    /// True when `pointer` is inside a list that was empty here or there.
    fn under_an_empty_list(&self, other: &Shape, pointer: &str) -> bool {
        self.empty_lists.iter().chain(&other.empty_lists).any(|list| pointer.starts_with(&format!("{list}/[]")))
    }
}

/// What one side saw at one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Observed {
    /// The status, `None` when the host could not be reached.
    pub(crate) status: Option<u16>,
    /// The error code (`code` of an error body).
    pub(crate) code: Option<String>,
    /// The answer's shape.
    pub(crate) shape: Shape,
    /// For a step that waits: the states it went through, in order, each once.
    pub(crate) states: Vec<String>,
    /// Why the step did not end as it should (a wait that timed out, an unreachable host).
    pub(crate) failure: Option<String>,
}

impl Observed {
    /// What an answer shows: its status, code and shape.
    pub(crate) fn answer(status: u16, json: Option<&Value>) -> Self {
        let json = json.unwrap_or(&Value::Null);
        let code = (status >= 400).then(|| json.get("code")).flatten().map(|code| match code {
            Value::String(code) => code.clone(),
            other => other.to_string(),
        });
        Observed { status: Some(status), code, shape: Shape::of(json), states: Vec::new(), failure: None }
    }

    /// A step that could not be made.
    pub(crate) fn failed(why: String) -> Self {
        Observed { status: None, code: None, shape: Shape::default(), states: Vec::new(), failure: Some(why) }
    }
}

/// One way two sides differ at one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Difference {
    /// Another status.
    Status(Option<u16>, Option<u16>),
    /// Another error code.
    Code(Option<String>, Option<String>),
    /// A key one side's answer has and the other's does not.
    Key { pointer: String, only_on_reference: bool },
    /// A key of other types.
    Type { pointer: String, reference: String, emulator: String },
    /// Another last state, or the states in another order.
    States { reference: Vec<String>, emulator: Vec<String> },
    /// One side's step failed and the other's did not.
    Failure { reference: Option<String>, emulator: Option<String> },
}

fn or_none<T: fmt::Display>(value: &Option<T>) -> String {
    value.as_ref().map_or_else(|| "none".to_string(), ToString::to_string)
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::Status(reference, emulator) => {
                write!(f, "status {} on the reference, {} on the emulator", or_none(reference), or_none(emulator))
            }
            Difference::Code(reference, emulator) => {
                write!(f, "code {} on the reference, {} on the emulator", or_none(reference), or_none(emulator))
            }
            Difference::Key { pointer, only_on_reference: true } => write!(f, "`{pointer}` only on the reference"),
            Difference::Key { pointer, only_on_reference: false } => write!(f, "`{pointer}` only on the emulator"),
            Difference::Type { pointer, reference, emulator } => {
                write!(f, "`{pointer}` is {reference} on the reference, {emulator} on the emulator")
            }
            Difference::States { reference, emulator } => {
                write!(f, "states {} on the reference, {} on the emulator", reference.join(" → "), emulator.join(" → "))
            }
            Difference::Failure { reference, emulator } => {
                write!(f, "the reference: {}; the emulator: {}", or_none(reference), or_none(emulator))
            }
        }
    }
}

fn types(set: &BTreeSet<JsonType>) -> String {
    set.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(" or ")
}

/// How `emulator` differs from `reference` at one step: nothing when they agree.
pub(crate) fn differences(reference: &Observed, emulator: &Observed) -> Vec<Difference> {
    let mut found = Vec::new();
    if reference.failure.is_some() != emulator.failure.is_some() {
        found.push(Difference::Failure { reference: reference.failure.clone(), emulator: emulator.failure.clone() });
    }
    if reference.status != emulator.status {
        found.push(Difference::Status(reference.status, emulator.status));
    }
    if reference.code != emulator.code {
        found.push(Difference::Code(reference.code.clone(), emulator.code.clone()));
    }
    let (ours, theirs) = (&emulator.shape, &reference.shape);
    let pointers: BTreeSet<&String> = ours.keys.keys().chain(theirs.keys.keys()).collect();
    for pointer in pointers {
        if ours.under_an_empty_list(theirs, pointer) {
            continue;
        }
        match (theirs.keys.get(pointer), ours.keys.get(pointer)) {
            (Some(_), None) => found.push(Difference::Key { pointer: pointer.clone(), only_on_reference: true }),
            (None, Some(_)) => found.push(Difference::Key { pointer: pointer.clone(), only_on_reference: false }),
            (Some(reference_types), Some(emulator_types)) if reference_types != emulator_types => {
                found.push(Difference::Type {
                    pointer: pointer.clone(),
                    reference: types(reference_types),
                    emulator: types(emulator_types),
                });
            }
            _ => {}
        }
    }
    // A key missing on one side takes its own keys with it: the topmost is the difference.
    let missing: BTreeSet<(String, bool)> = found
        .iter()
        .filter_map(|d| match d {
            Difference::Key { pointer, only_on_reference } => Some((pointer.clone(), *only_on_reference)),
            _ => None,
        })
        .collect();
    found.retain(|d| match d {
        Difference::Key { pointer, only_on_reference } => !missing
            .iter()
            .any(|(parent, side)| side == only_on_reference && pointer.starts_with(&format!("{parent}/"))),
        _ => true,
    });
    if states_differ(&reference.states, &emulator.states) {
        found.push(Difference::States { reference: reference.states.clone(), emulator: emulator.states.clone() });
    }
    found
}

/// Two waits differ when they end in other states, or pass the states both saw in another order. A
/// state only one side saw is not a difference: a slower poll can miss a short one.
fn states_differ(reference: &[String], emulator: &[String]) -> bool {
    if reference.last() != emulator.last() {
        return true;
    }
    let common = |of: &[String], with: &[String]| of.iter().filter(|s| with.contains(s)).cloned().collect::<Vec<_>>();
    common(reference, emulator) != common(emulator, reference)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn values_are_left_out_but_keys_types_codes_and_states_are_compared() {
        let a = Observed::answer(200, Some(&json!({"id": "a", "n": 1, "items": [{"x": null}]})));
        let b = Observed::answer(200, Some(&json!({"id": "b", "n": 2, "items": [{"x": null}, {"x": null}]})));
        assert!(differences(&a, &b).is_empty(), "values and lengths are normalized");
        let c = Observed::answer(200, Some(&json!({"id": "c", "n": "2", "items": [{"y": 1}]})));
        let found: Vec<String> = differences(&a, &c).iter().map(ToString::to_string).collect();
        assert_eq!(
            found,
            [
                "`/items/[]/x` only on the reference",
                "`/items/[]/y` only on the emulator",
                "`/n` is number on the reference, string on the emulator"
            ]
        );
        let empty = Observed::answer(200, Some(&json!({"id": "d", "n": 3, "items": []})));
        assert!(differences(&a, &empty).is_empty(), "an empty list's items are unknown, not missing");
        let limited = Observed::answer(429, Some(&json!({"code": "429", "message": "m"})));
        let coded = Observed::answer(429, Some(&json!({"code": "PCC-AGENT-AT-CAPACITY", "error": "e"})));
        assert_eq!(differences(&limited, &coded).len(), 3, "the code, and a key on each side");
    }

    #[test]
    fn waits_differ_by_their_end_and_their_order_not_by_a_state_one_side_missed() {
        let states = |s: &[&str]| s.iter().map(ToString::to_string).collect::<Vec<_>>();
        assert!(!states_differ(&states(&["Creating", "Validating", "Active"]), &states(&["Creating", "Active"])));
        assert!(states_differ(&states(&["Creating", "Active"]), &states(&["Creating", "Failed"])));
        assert!(states_differ(
            &states(&["Validating", "Creating", "Active"]),
            &states(&["Creating", "Validating", "Active"])
        ));
    }
}
