//! Header parameters end to end: a spec with an optional header (a pattern) on `listSecretSets`, a
//! required one on `updateProperties` (which no hand-written code calls typed: a new required argument of
//! a method the workspace calls is a compile error there, which `cargo spec check` refuses), and one
//! named like a query parameter on `listServices` is accepted
//! by `cargo spec check`, rated by `cargo spec diff` (a new optional header INFO, a new required one ERR),
//! and builds the whole workspace; a program built in that workspace (`header_wire/main.rs`) then shows
//! both headers on the wire, a CR LF, NUL and 10 KB value refused before sending, the emulator refusing
//! a missing required header with a 400 naming it, and the CLI's flag per header parameter.

use serde_json::{Value, json};

use super::compile::{header_workspace_runs, say_lines};
use super::nesting::base;
use super::{fuzz_dir, workspace};

/// Today's spec with three header parameters.
fn with_headers() -> Value {
    let mut doc = base();
    let add = |doc: &mut Value, path: &str, method: &str, param: Value| {
        let pointer = format!("/paths/{}/{method}", path.replace('~', "~0").replace('/', "~1"));
        let op = doc.pointer_mut(&pointer).unwrap_or_else(|| panic!("{pointer}"));
        let list = op.as_object_mut().unwrap().entry("parameters").or_insert_with(|| json!([]));
        list.as_array_mut().unwrap().push(param);
    };
    add(
        &mut doc,
        "/secrets",
        "get",
        json!({"name": "X-Request-Tag", "in": "header", "required": false,
        "description": "A tag the API repeats in its logs.", "schema": {"type": "string", "pattern": "^[a-z0-9-]{1,32}$"}}),
    );
    add(
        &mut doc,
        "/properties",
        "patch",
        json!({"name": "Idempotency-Key", "in": "header", "required": true,
        "description": "Makes a retried change apply once.", "schema": {"type": "string", "minLength": 8}}),
    );
    add(
        &mut doc,
        "/agents",
        "get",
        json!({"name": "region", "in": "header", "required": false,
        "description": "A header named like the query parameter.", "schema": {"type": "string", "enum": ["us-west", "us-east"]}}),
    );
    doc
}

#[test]
fn header_parameters_are_generated_sent_checked_and_rated() {
    let dir = fuzz_dir().join("headers");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let spec = serde_json::to_vec_pretty(&with_headers()).unwrap();
    let file = dir.join("pipecat-cloud.json");
    std::fs::write(&file, &spec).unwrap();
    let checked =
        build_helpers::pipeline::check(&file).unwrap_or_else(|e| panic!("the spec with headers is refused: {e}"));

    // The diff: each header against the spec without it.
    let base = build_helpers::normalize::normalize(base()).unwrap().document;
    let grown = checked.prepared.normalized.document.clone();
    let changes = build_helpers::diff::diff_documents(&base, &grown);
    let rated: Vec<(String, String)> = changes
        .iter()
        .filter(|c| c.location.contains("header"))
        .map(|c| (format!("{:?}", c.level()), c.message.clone()))
        .collect();
    super::say(&format!("headers: cargo spec diff rates {rated:?}"));
    assert!(rated.iter().any(|(level, m)| level == "Info" && m.contains("X-Request-Tag")), "{rated:?}");
    assert!(rated.iter().any(|(level, m)| level == "Err" && m.contains("Idempotency-Key")), "{rated:?}");

    // The setter and its rustdoc, as a caller reads them.
    let facade = &checked.generated.facade;
    let lines: Vec<&str> = facade.lines().collect();
    let setter = lines
        .iter()
        .position(|l| l.contains("pub fn x_request_tag"))
        .unwrap_or_else(|| panic!("no setter `x_request_tag` in the facade"));
    let doc_start = lines[..setter].iter().rposition(|l| !l.trim_start().starts_with("///")).map_or(0, |i| i + 1);
    let shown = lines[doc_start..=setter].iter().map(|l| l.trim()).collect::<Vec<_>>().join("\n");
    say_lines("headers: setter: ", &shown);
    assert!(shown.contains("`X-Request-Tag`"), "the setter's doc names the header:\n{shown}");
    let generated = checked.generated.file();
    let wire = workspace().join("build-helpers/tests/spec_fuzz/header_wire/main.rs");
    let out = header_workspace_runs(&dir.join("workspace"), &generated, &spec, &wire)
        .unwrap_or_else(|e| panic!("the workspace built from the spec with headers: {e}"));
    assert!(!out.contains("sk_header_wire_test_key"), "the key reached the output:\n{out}");
    say_lines("headers: ", &out);
    let report = |what: &str| -> Value {
        let line = out
            .lines()
            .find_map(|l| l.strip_prefix(&format!("WIRE {what}: ")))
            .unwrap_or_else(|| panic!("no `{what}` in:\n{out}"));
        serde_json::from_str(line).unwrap()
    };
    let optional = report("optional header sent");
    assert_eq!(optional["ok"], true, "{optional}");
    assert!(optional["request"].as_str().unwrap().contains("\r\nx-request-tag: nightly-7"), "{optional}");
    let required = report("required header sent");
    assert!(required["request"].as_str().unwrap().contains("\r\nidempotency-key: key-0123456789"), "{required}");
    let both = report("a header named like a query parameter");
    let request = both["request"].as_str().unwrap();
    assert!(request.starts_with("GET /v1/agents?region=us-east ") && request.contains("\r\nregion: us-west"), "{both}");
    for what in ["CR LF", "NUL", "10 KB"] {
        let refused = report(&format!("hostile value ({what})"));
        assert_eq!(refused["refused_before_sending"], true, "{what}: {refused}");
        let text = refused["error"].as_str().unwrap();
        assert!(text.contains("Idempotency-Key") && text.contains("nothing was sent"), "{what}: {text}");
        assert!(!text.contains("X-Injected") && !text.contains("kkkk"), "the value is not repeated: {text}");
    }
    assert!(report("pattern broken")["error"].as_str().unwrap().contains("^[a-z0-9-]{1,32}$"));
    assert!(report("catalog call without the required header")["error"].as_str().unwrap().contains("Idempotency-Key"));
    assert!(report("catalog call with a bell in the header")["error"].as_str().unwrap().contains("control character"));
    assert_eq!(report("requests sent by the refused calls"), json!(0));
    let missing = report("emulator, without the required header");
    assert_eq!(missing["status"], 400, "{missing}");
    assert!(missing["body"].as_str().unwrap().contains("/header/Idempotency-Key: is required"), "{missing}");
    assert_eq!(report("emulator, with it")["status"], 200);
    let flags = report("CLI flags");
    let flags = flags.as_array().unwrap();
    assert!(flags.iter().any(|f| f.as_str().unwrap().contains("--x-request-tag X_REQUEST_TAG")), "{flags:?}");
    assert!(
        flags.iter().any(|f| f.as_str().unwrap().contains("--idempotency-key IDEMPOTENCY_KEY (required)")),
        "{flags:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
