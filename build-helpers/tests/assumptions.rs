//! Each declared assumption, taken out of the workspace's spec one at a time: `check` refuses the spec
//! with the assumption in words, the place in the spec and the code that relies on it. Run with
//! `--nocapture` to read each message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use build_helpers::pipeline::check;
use build_helpers::validate::assumptions::{ASSUMPTIONS, Assumption, Needs, place};
use serde_json::Value;

fn spec() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/pipecat-cloud.yaml");
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `doc` without what `assumption` names: the entry removed, or the first listed enum value.
fn without(mut doc: Value, assumption: &Assumption) -> Value {
    let at = place(&doc, assumption).unwrap_or_else(|| panic!("{} is not in the spec", assumption.describe()));
    let (parent, last) = at.rsplit_once('/').unwrap();
    let value_taken = match assumption.needs {
        Needs::FieldValues(_, values) | Needs::QueryValues(_, values) => Some(values[0]),
        _ => None,
    };
    match (doc.pointer_mut(parent).unwrap(), value_taken) {
        (Value::Object(map), Some(value)) => {
            let listed = map.get_mut(last).and_then(Value::as_array_mut).unwrap();
            listed.retain(|v| v.as_str() != Some(value));
        }
        (Value::Object(map), None) => {
            map.remove(last);
        }
        (Value::Array(list), None) => {
            list.remove(last.parse::<usize>().unwrap());
        }
        (other, _) => panic!("{at}: {other}"),
    }
    doc
}

#[test]
fn a_spec_without_an_assumption_is_refused_naming_it_its_place_and_the_code() {
    let dir = std::env::temp_dir().join(format!("assumptions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let base = spec();
    for (index, assumption) in ASSUMPTIONS.iter().enumerate() {
        let at = place(&base, assumption).unwrap();
        let file = dir.join(format!("without-{index}.json"));
        std::fs::write(&file, serde_json::to_vec(&without(base.clone(), assumption)).unwrap()).unwrap();
        let message = check(&file).err().map(|e| e.to_string()).unwrap_or_default();
        let line = message.lines().find(|l| l.contains(&assumption.describe())).unwrap_or_default().to_string();
        println!("{}\n  -> {}\n", assumption.describe(), line.trim_start_matches("  - "));
        assert!(
            line.contains(assumption.relied_on_by) && line.contains("#/"),
            "without {} ({at}), check said:\n{message}",
            assumption.describe()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A field the code reads keeps its type: without `type` it would become a JSON value (a mutant the
/// workspace fuzz found: `RevisionHealth.reason` without its `type` broke `wait.rs`).
#[test]
fn a_field_that_loses_its_type_is_refused() {
    let mut doc = spec();
    doc["components"]["schemas"]["RevisionHealth"]["properties"]["reason"].as_object_mut().unwrap().remove("type");
    let file = std::env::temp_dir().join(format!("untyped-{}.json", std::process::id()));
    std::fs::write(&file, serde_json::to_vec(&doc).unwrap()).unwrap();
    let message = check(&file).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        message.contains("RevisionHealth/properties/reason: the field has no `type`") && message.contains("wait.rs"),
        "{message}"
    );
    let _ = std::fs::remove_file(&file);
}
