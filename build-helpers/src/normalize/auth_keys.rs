//! `auth-keys`: which key each operation needs.
//!
//! progenitor ignores `security`; the client must still send the private key to private operations and
//! the public key to public ones, and never the other way round. This pass resolves each operation's
//! security requirement to a key kind and records it as `x-pipecat-key`.

use serde_json::Value;

use super::{Pass, X_KEY};
use crate::document::{for_each_operation_mut, pointer_token};
use crate::error::{Result, SpecError};

pub(super) const PASS: Pass = Pass {
    name: "auth-keys",
    purpose: "resolve each operation's security scheme to the private or the public key",
    apply,
};

/// Bearer schemes of the Pipecat Cloud spec and the key each takes. `BearerAuth` guards the build
/// endpoints, which accept the organization's private key.
const KNOWN_SCHEMES: [(&str, &str); 3] =
    [("PrivateKeyAuth", "private"), ("BearerAuth", "private"), ("PublicKeyAuth", "public")];

fn key_for(scheme: &str) -> &'static str {
    match KNOWN_SCHEMES.iter().find(|(name, _)| *name == scheme) {
        Some((_, key)) => key,
        // A scheme added later: its name is the best evidence of which key it wants.
        None if scheme.to_ascii_lowercase().contains("public") => "public",
        None => "private",
    }
}

fn apply(doc: &mut Value) -> Result<Vec<String>> {
    let default = doc.get("security").cloned();
    let known: Vec<String> = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .map(|s| s.keys().cloned().collect())
        .unwrap_or_default();
    let mut changes = Vec::new();
    for_each_operation_mut(doc, |path, method, op| {
        let requirement = op.get("security").or(default.as_ref()).cloned().unwrap_or(Value::Array(Vec::new()));
        let mut keys: Vec<&str> = Vec::new();
        for alternative in requirement.as_array().into_iter().flatten() {
            for scheme in alternative.as_object().into_iter().flatten().map(|(name, _)| name) {
                if !known.contains(scheme) {
                    return Err(SpecError::Normalize {
                        pass: "auth-keys",
                        message: format!(
                            "{} {path} (at #/paths/{}/{method}/security) requires security scheme `{scheme}`, which \
                             #/components/securitySchemes does not define",
                            method.to_uppercase(),
                            pointer_token(path)
                        ),
                    });
                }
                let key = key_for(scheme);
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
        let key = match keys.as_slice() {
            [] => "none",
            [key] => key,
            _ => {
                return Err(SpecError::Normalize {
                    pass: "auth-keys",
                    message: format!(
                        "{} {path} (at #/paths/{}/{method}/security) accepts both the private and the public key; \
                         the client cannot choose: keep one",
                        method.to_uppercase(),
                        pointer_token(path)
                    ),
                });
            }
        };
        let id = op.get("operationId").and_then(Value::as_str).unwrap_or(path).to_string();
        if let Some(op) = op.as_object_mut() {
            op.insert(X_KEY.into(), Value::String(key.into()));
        }
        changes.push(format!("{id}: {key} key"));
        Ok(())
    })?;
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn operations_get_the_key_of_their_scheme_or_the_default() {
        let mut doc = json!({
            "security": [{"PrivateKeyAuth": []}],
            "components": {"securitySchemes": {"PrivateKeyAuth": {}, "PublicKeyAuth": {}, "BearerAuth": {}}},
            "paths": {"/a": {
                "get": {"operationId": "a"},
                "post": {"operationId": "b", "security": [{"PublicKeyAuth": []}]},
                "put": {"operationId": "c", "security": [{"BearerAuth": []}]},
                "delete": {"operationId": "d", "security": []}}}});
        apply(&mut doc).unwrap_or_default();
        let key = |m: &str| doc["paths"]["/a"][m]["x-pipecat-key"].clone();
        assert_eq!(
            [key("get"), key("post"), key("put"), key("delete")],
            [json!("private"), json!("public"), json!("private"), json!("none")]
        );
    }

    #[test]
    fn undefined_schemes_and_mixed_keys_are_errors() {
        let mut doc = json!({"components": {"securitySchemes": {"PrivateKeyAuth": {}, "PublicKeyAuth": {}}},
            "paths": {"/a": {"get": {"security": [{"Nope": []}]}}}});
        assert!(apply(&mut doc).err().map(|e| e.to_string()).unwrap_or_default().contains("`Nope`"));
        let mut doc = json!({"components": {"securitySchemes": {"PrivateKeyAuth": {}, "PublicKeyAuth": {}}},
            "paths": {"/a": {"get": {"security": [{"PrivateKeyAuth": []}, {"PublicKeyAuth": []}]}}}});
        assert!(
            apply(&mut doc)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
                .contains("both the private and the public key")
        );
    }
}
