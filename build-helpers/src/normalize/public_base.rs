//! `public-base-path`: one client, two bases.
//!
//! The published spec puts the public API's base (`.../v1/public`) in path-level `servers`, and progenitor
//! reads no `servers` at all: left alone, public operations would be sent to the private base. Such paths
//! get the difference between their server and the main server as a prefix (`/{agentName}/start` becomes
//! `/public/{agentName}/start`), so one client with the main base reaches both, and every generated type
//! and method keeps its name.

use serde_json::{Map, Value};

use super::{Pass, X_BASE};
use crate::document::{METHODS, pointer_token};
use crate::error::{Result, SpecError};

pub(super) const PASS: Pass = Pass {
    name: "public-base-path",
    purpose: "route operations with their own `servers` through a path prefix below the main server",
    apply,
};

const NAME: &str = "public-base-path";

fn apply(doc: &mut Value) -> Result<Vec<String>> {
    let main = doc.pointer("/servers/0/url").and_then(Value::as_str).unwrap_or("").trim_end_matches('/').to_string();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return Ok(Vec::new()) };
    let mut changes = Vec::new();
    let mut rebuilt = Map::new();
    for (path, mut item) in std::mem::take(paths) {
        let prefix = item_server(&item, &main, &path)?.unwrap_or_default();
        if let Some(item) = item.as_object_mut() {
            item.remove("servers");
            for method in METHODS {
                if let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) {
                    op.remove("servers");
                    op.insert(X_BASE.into(), Value::String(prefix.clone()));
                }
            }
        }
        let new_path = format!("{prefix}{path}");
        if new_path != path {
            changes.push(format!("{path} → {new_path} (served from {main}{prefix})"));
        }
        if rebuilt.insert(new_path.clone(), item).is_some() {
            return Err(SpecError::Normalize {
                pass: NAME,
                message: format!(
                    "{new_path} (at #/paths/{}) exists twice after prefixing; rename one of the paths",
                    pointer_token(&path)
                ),
            });
        }
    }
    *paths = rebuilt;
    Ok(changes)
}

/// The prefix of a path item's own server below `main`, if it names one other than `main`.
fn item_server(item: &Value, main: &str, path: &str) -> Result<Option<String>> {
    let mut urls: Vec<&str> = Vec::new();
    let own = item.get("servers").into_iter().chain(METHODS.iter().filter_map(|m| item.get(*m)?.get("servers")));
    for servers in own {
        for server in servers.as_array().into_iter().flatten() {
            if let Some(url) = server.get("url").and_then(Value::as_str) {
                urls.push(url.trim_end_matches('/'));
            }
        }
    }
    urls.dedup();
    match urls.as_slice() {
        [] => Ok(None),
        [url] if *url == main => Ok(None),
        [_] if main.is_empty() => Err(SpecError::Normalize {
            pass: NAME,
            message: format!(
                "path {path} (at #/paths/{}) names its own server, but the document has none at #/servers; \
                 name the main server there, e.g. `servers: [{{url: https://api.pipecat.daily.co/v1}}]`",
                pointer_token(path)
            ),
        }),
        [url] => match url.strip_prefix(main) {
            Some(prefix) if prefix.starts_with('/') => Ok(Some(prefix.to_string())),
            _ => Err(SpecError::Normalize {
                pass: NAME,
                message: format!(
                    "path {path} (at #/paths/{}/servers) is served from {url}, which is not below the main server \
                     {main} (#/servers/0); one client cannot reach both",
                    pointer_token(path)
                ),
            }),
        },
        _ => Err(SpecError::Normalize {
            pass: NAME,
            message: format!(
                "path {path} (at #/paths/{}) names several servers ({}); keep one",
                pointer_token(path),
                urls.join(", ")
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn public_paths_get_the_prefix_and_lose_their_servers() {
        let mut doc = json!({
            "servers": [{"url": "https://api.example.com/v1"}],
            "paths": {
                "/agents": {"get": {"operationId": "list"}},
                "/{agentName}/start": {
                    "servers": [{"url": "https://api.example.com/v1/public"}],
                    "post": {"operationId": "start"}}}});
        let changes = apply(&mut doc).unwrap_or_default();
        assert_eq!(
            doc,
            json!({
            "servers": [{"url": "https://api.example.com/v1"}],
            "paths": {
                "/agents": {"get": {"operationId": "list", "x-pipecat-base": ""}},
                "/public/{agentName}/start": {"post": {"operationId": "start", "x-pipecat-base": "/public"}}}})
        );
        assert_eq!(
            changes,
            vec!["/{agentName}/start → /public/{agentName}/start (served from https://api.example.com/v1/public)"]
        );
    }

    #[test]
    fn a_server_on_another_host_is_an_error() {
        let mut doc = json!({"servers": [{"url": "https://a/v1"}],
            "paths": {"/x": {"servers": [{"url": "https://b/v1"}], "get": {}}}});
        let err = apply(&mut doc).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("not below the main server https://a/v1"), "{err}");
    }
}
