//! `sub-path-parameters`: the session proxy's `{path}` is a sub-path such as `api/offer`.
//!
//! progenitor escapes every path parameter as one segment, so `api/offer` would arrive as `api%2Foffer`
//! and miss the agent's route. A path parameter named `path` that ends the template is marked
//! `x-pipecat-sub-path`; the client then checks and escapes each of its segments and keeps the `/`s.

use serde_json::Value;

use super::{Pass, X_SUB_PATH};
use crate::document::for_each_operation_mut;
use crate::error::Result;

pub(super) const PASS: Pass = Pass {
    name: "sub-path-parameters",
    purpose: "mark the trailing `{path}` parameter as a multi-segment sub-path",
    apply,
};

/// Names of path parameters that stand for a sub-path when they end the template.
const SUB_PATH_NAMES: [&str; 1] = ["path"];

fn apply(doc: &mut Value) -> Result<Vec<String>> {
    let mut changes = Vec::new();
    for_each_operation_mut(doc, |path, _, op| {
        let Some(last) = path.rsplit('/').next() else { return Ok(()) };
        let Some(name) = last.strip_prefix('{').and_then(|l| l.strip_suffix('}')) else { return Ok(()) };
        if SUB_PATH_NAMES.contains(&name)
            && let Some(op) = op.as_object_mut()
        {
            op.insert(X_SUB_PATH.into(), Value::String(name.into()));
            let id = op.get("operationId").and_then(Value::as_str).unwrap_or(path);
            changes.push(format!("{id}: `{{{name}}}` is a sub-path"));
        }
        Ok(())
    })?;
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_a_trailing_path_parameter_is_a_sub_path() {
        let mut doc = json!({"paths": {
            "/{svc}/sessions/{id}/{path}": {"get": {"operationId": "proxy"}},
            "/{path}/other": {"get": {"operationId": "other"}}}});
        let changes = apply(&mut doc).unwrap_or_default();
        assert_eq!(doc["paths"]["/{svc}/sessions/{id}/{path}"]["get"]["x-pipecat-sub-path"], json!("path"));
        assert_eq!(doc["paths"]["/{path}/other"]["get"].get("x-pipecat-sub-path"), None);
        assert_eq!(changes, vec!["proxy: `{path}` is a sub-path"]);
    }
}
