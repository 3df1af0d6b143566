//! Where a request finds its operation: every route of the operation catalog (the spec's paths, public
//! ones under `/public`), matched by method and segments, path parameters percent-decoded. The
//! session proxy's `{path}` takes the rest of the path, `/` included.

use percent_encoding::percent_decode_str;
use pipecat_cloud::catalog::OPERATIONS;
use pipecat_cloud::operation::{Operation, PathParam};

/// The prefix of every API path; below it, the catalog's paths.
pub(crate) const API_PREFIX: &str = "/v1";

#[derive(Debug)]
enum Segment {
    Literal(&'static str),
    Param(&'static PathParam),
    Rest(&'static PathParam),
}

/// One operation's route.
#[derive(Debug)]
pub(crate) struct Route {
    /// The operation.
    pub op: &'static Operation,
    segments: Vec<Segment>,
}

/// The routes of every operation in the catalog, most literal first.
#[derive(Debug)]
pub(crate) struct Router {
    routes: Vec<Route>,
}

/// A request matched to its operation.
#[derive(Debug)]
pub(crate) struct Matched {
    /// The operation.
    pub op: &'static Operation,
    /// Its path parameters, decoded, by the spec's names.
    pub params: Vec<(&'static str, String)>,
}

/// Why no operation answers a path.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum NoRoute {
    /// No route has this path.
    UnknownPath,
    /// Routes have this path, with other methods: these, in the catalog's order.
    MethodNotAllowed(Vec<&'static str>),
    /// A segment is not valid percent-encoded UTF-8.
    BadEncoding(String),
}

impl Default for Router {
    fn default() -> Self {
        Router::new()
    }
}

impl Router {
    /// The routes of the whole catalog.
    pub(crate) fn new() -> Self {
        let mut routes: Vec<Route> = OPERATIONS
            .iter()
            .map(|op| {
                let segments = op
                    .path
                    .trim_start_matches('/')
                    .split('/')
                    .map(|segment| {
                        let name = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}'));
                        match name.and_then(|name| op.path_params.iter().find(|p| p.name == name)) {
                            Some(param) if param.sub_path => Segment::Rest(param),
                            Some(param) => Segment::Param(param),
                            None => Segment::Literal(segment),
                        }
                    })
                    .collect();
                Route { op, segments }
            })
            .collect();
        routes.sort_by_key(|route| {
            std::cmp::Reverse(route.segments.iter().filter(|s| matches!(s, Segment::Literal(_))).count())
        });
        Router { routes }
    }

    /// The operation of `method` at `path` (below `/v1`, without the query).
    pub(crate) fn find(&self, method: &str, path: &str) -> Result<Matched, NoRoute> {
        let sent: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        for route in self.routes.iter().filter(|r| r.op.method.as_str() == method) {
            if let Some(params) = route.matches(&sent)? {
                return Ok(Matched { op: route.op, params });
            }
        }
        // A known path asked with a method it does not take: HTTP's 405, naming the ones it takes.
        let mut allowed: Vec<&'static str> = Vec::new();
        for route in &self.routes {
            let method = route.op.method.as_str();
            if !allowed.contains(&method) && route.matches(&sent)?.is_some() {
                allowed.push(method);
            }
        }
        if allowed.is_empty() { Err(NoRoute::UnknownPath) } else { Err(NoRoute::MethodNotAllowed(allowed)) }
    }
}

fn decode(segment: &str) -> Result<String, NoRoute> {
    percent_decode_str(segment)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| NoRoute::BadEncoding(segment.to_string()))
}

impl Route {
    fn matches(&self, sent: &[&str]) -> Result<Option<Vec<(&'static str, String)>>, NoRoute> {
        let mut params = Vec::new();
        for (i, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::Literal(literal) => {
                    if sent.get(i) != Some(literal) {
                        return Ok(None);
                    }
                }
                Segment::Param(param) => {
                    let Some(value) = sent.get(i) else { return Ok(None) };
                    params.push((param.name, decode(value)?));
                }
                Segment::Rest(param) => {
                    let rest = sent.get(i..).unwrap_or_default();
                    if rest.is_empty() {
                        return Ok(None);
                    }
                    let decoded: Result<Vec<String>, NoRoute> = rest.iter().map(|s| decode(s)).collect();
                    params.push((param.name, decoded?.join("/")));
                    return Ok(Some(params));
                }
            }
        }
        Ok((sent.len() == self.segments.len()).then_some(params))
    }
}

#[cfg(test)]
mod tests {
    use pipecat_cloud::operation::OperationId;

    use super::*;

    #[test]
    fn paths_find_their_operations_and_parameters() {
        let router = Router::new();
        let found = router.find("DELETE", "/secrets/my-set/A%2FB").expect("route");
        assert_eq!(found.op.id, OperationId::DeleteSecretFromSet);
        assert_eq!(found.params, vec![("setName", "my-set".to_string()), ("secretKey", "A/B".to_string())]);
        assert_eq!(router.find("GET", "/agents/bot/logs").map(|m| m.op.id), Ok(OperationId::GetLogs));
        let proxy = router.find("POST", "/public/bot/sessions/1/api/offer").expect("proxy");
        assert_eq!(proxy.op.id, OperationId::SessionProxyPost);
        assert_eq!(proxy.params.last(), Some(&("path", "api/offer".to_string())));
        assert_eq!(router.find("GET", "/nothing/here").map(|m| m.op.id), Err(NoRoute::UnknownPath));
        assert_eq!(
            router.find("PATCH", "/agents").map(|m| m.op.id),
            Err(NoRoute::MethodNotAllowed(vec!["GET", "POST"]))
        );
        assert_eq!(
            router.find("PUT", "/agents/bot").map(|m| m.op.id),
            Err(NoRoute::MethodNotAllowed(vec!["GET", "POST", "DELETE"]))
        );
        assert!(matches!(router.find("GET", "/agents/%FF"), Err(NoRoute::BadEncoding(_))));
    }
}
