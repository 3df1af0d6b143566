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
    // Each assumption is one check of a whole spec: two at a time, one per core.
    let indexed: Vec<(usize, &Assumption)> = ASSUMPTIONS.iter().enumerate().collect();
    let halves: Vec<&[(usize, &Assumption)]> = indexed.chunks(indexed.len().div_ceil(2)).collect();
    let said: Vec<(usize, String)> = std::thread::scope(|scope| {
        let workers: Vec<_> = halves
            .iter()
            .map(|half| {
                let (base, dir) = (&base, &dir);
                scope.spawn(move || {
                    half.iter()
                        .map(|(index, assumption)| {
                            let file = dir.join(format!("without-{index}.json"));
                            std::fs::write(&file, serde_json::to_vec(&without(base.clone(), assumption)).unwrap())
                                .unwrap();
                            (*index, check(&file).err().map(|e| e.to_string()).unwrap_or_default())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|worker| worker.join().unwrap()).collect()
    });
    for (index, message) in said {
        let assumption = &ASSUMPTIONS[index];
        let at = place(&base, assumption).unwrap();
        let line = message.lines().find(|l| l.contains(&assumption.describe())).unwrap_or_default().to_string();
        println!("{}\n  -> {}\n", assumption.describe(), line.trim_start_matches("  - "));
        assert!(
            assumption.callers().iter().all(|caller| line.contains(caller)) && line.contains("#/"),
            "without {} ({at}), check said:\n{message}",
            assumption.describe()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The entry of the property `assumption` (described as `describe`) names, in `doc`.
fn entry<'a>(doc: &'a mut Value, describe: &str) -> &'a mut serde_json::Map<String, Value> {
    let assumption = ASSUMPTIONS.iter().find(|a| a.describe() == describe).unwrap();
    let at = place(doc, assumption).unwrap();
    doc.pointer_mut(&at).and_then(Value::as_object_mut).unwrap()
}

/// What `check` says of `doc`, written to a scratch file named after `case`.
fn check_says(doc: &Value, case: &str) -> String {
    let file = std::env::temp_dir().join(format!("{case}-{}.json", std::process::id()));
    std::fs::write(&file, serde_json::to_vec(doc).unwrap()).unwrap();
    let said = check(&file).err().map(|e| e.to_string()).unwrap_or_default();
    let _ = std::fs::remove_file(&file);
    said
}

/// A field the code reads keeps its type: without `type` it would become a JSON value (a mutant the
/// workspace fuzz found: `RevisionHealth.reason` without its `type` broke `wait.rs`).
#[test]
fn a_field_that_loses_its_type_is_refused() {
    let mut doc = spec();
    doc["components"]["schemas"]["RevisionHealth"]["properties"]["reason"].as_object_mut().unwrap().remove("type");
    let message = check_says(&doc, "untyped");
    assert!(
        message.contains("RevisionHealth/properties/reason: the field has no `type`") && message.contains("wait.rs"),
        "{message}"
    );
}

/// Present is not enough: each change here keeps the field, but changes the type generated for it
/// (`DateTime` becomes `String`, `Option<bool>` becomes `bool`, `String` becomes a checked newtype, the
/// answer's type is renamed), and each would break the code that reads it. Check refuses each one at
/// the property's place, saying what the code was written against.
#[test]
fn a_field_the_code_reads_that_changes_shape_is_refused_at_its_place() {
    type Change = fn(&mut Value);
    let cases: [(&str, Change, &str, &str); 8] = [
        (
            "format",
            |doc| drop(entry(doc, "getLogs answers logs[].timestamp").remove("format")),
            "/properties/timestamp: the code was written against `timestamp optional: {\"format\":\"date-time\",\"type\":\"string\"}`, and the spec now says `timestamp optional: {\"type\":\"string\"}`",
            "cli/src/workflows/logs.rs",
        ),
        (
            "required",
            |doc| {
                let details = &mut doc["components"]["schemas"]["ServiceDetailsResponse"];
                details["required"] = serde_json::json!(["ready"]);
            },
            "/properties/ready: the code was written against `ready optional: {\"type\":\"boolean\"}`, and the spec now says `ready required:",
            "pipecat-cloud/src/wait.rs",
        ),
        (
            "pattern",
            |doc| drop(entry(doc, "getBuild answers build.errorMessage").insert("pattern".into(), "^.+$".into())),
            "/properties/errorMessage: the code was written against `errorMessage optional: {\"type\":\"string\"}`",
            "pipecat-cloud/src/wait.rs",
        ),
        (
            "renamed-answer",
            |doc| {
                let schemas = doc["components"]["schemas"].as_object_mut().unwrap();
                let details = schemas.remove("ServiceDetailsResponse").unwrap();
                schemas.insert("AgentDetails".into(), details);
                let text = serde_json::to_string(doc).unwrap().replace("/ServiceDetailsResponse\"", "/AgentDetails\"");
                *doc = serde_json::from_str(&text).unwrap();
            },
            "its signature: operation getService",
            "pipecat-cloud/src/wait.rs",
        ),
        (
            // A `title` names the type generated for an inline schema: createService's agentProfile
            // would no longer be the AgentProfile updateService's is, but a type named Profile.
            "title",
            |doc| {
                drop(entry(doc, "createService takes body field agentProfile").insert("title".into(), "Profile".into()))
            },
            "/properties/agentProfile: the code was written against `agentProfile optional:",
            "pipecat-cloud/src/deploy.rs",
        ),
        (
            // The same values under a component's name: GetLogsOrder would become SortOrder.
            "parameter-ref",
            |doc| {
                let listed = ASSUMPTIONS.iter().find(|a| matches!(a.needs, Needs::QueryValues("order", _))).unwrap();
                let at = place(doc, listed).unwrap();
                let schema_at = at.trim_end_matches("/enum").to_string();
                let schema = doc.pointer(&schema_at).unwrap().clone();
                doc["components"]["schemas"]["SortOrder"] = schema;
                *doc.pointer_mut(&schema_at).unwrap() = serde_json::json!({"$ref": "#/components/schemas/SortOrder"});
            },
            "the code was written against `query order: {",
            "cli/src/workflows/logs.rs",
        ),
        (
            // A map becomes a struct.
            "map-to-struct",
            |doc| {
                let fields = entry(doc, "getBuildUploadUrl answers uploadFields");
                fields.insert("properties".into(), serde_json::json!({"key": {"type": "string"}}));
            },
            "/properties/uploadFields: the code was written against `uploadFields optional:",
            "cli/src/workflows/build.rs",
        ),
        (
            "request-constructor",
            |doc| {
                let request = &mut doc["components"]["schemas"]["CreateServiceRequest"];
                request["required"].as_array_mut().unwrap().push("image".into());
            },
            "its signature: operation createService",
            "pipecat-cloud/src/deploy.rs",
        ),
    ];
    for (case, change, said, relied_on_by) in cases {
        let mut doc = spec();
        change(&mut doc);
        let message = check_says(&doc, case);
        println!("{case}: {message}\n");
        let line = message.lines().find(|line| line.contains(said)).unwrap_or_default();
        assert!(line.contains(relied_on_by) && line.contains("shapes.txt"), "{case}: check said:\n{message}");
    }
}

/// What does not change a generated type the code uses stays accepted: new prose, a new property
/// beside the ones the code reads, a new value in an enum it reads, a default's new value.
#[test]
fn changes_that_keep_every_shape_are_accepted() {
    let mut doc = spec();
    entry(&mut doc, "getService answers ready").insert("description".into(), "Reworded.".into());
    let details = &mut doc["components"]["schemas"]["ServiceDetailsResponse"]["properties"];
    details["newField"] = serde_json::json!({"type": "string"});
    let status = ASSUMPTIONS.iter().find(|a| a.operation == "getBuild" && matches!(a.needs, Needs::FieldValues(..)));
    let listed = place(&doc, status.unwrap()).unwrap();
    doc.pointer_mut(&listed).and_then(Value::as_array_mut).unwrap().push("queued-again".into());
    let assumption = ASSUMPTIONS.iter().find(|a| matches!(a.needs, Needs::Paged)).unwrap();
    let offset = place(&doc, assumption).unwrap();
    *doc.pointer_mut(&format!("{offset}/schema/default")).unwrap() = serde_json::json!(7);
    let message = check_says(&doc, "harmless");
    assert!(message.is_empty(), "{message}");
}
