//! The API host, parsed once when the client is built. A bad URL is a build error, never a failed
//! request later; plain `http://` is allowed only for loopback hosts, so a key never crosses a network
//! in clear text.

use url::{Host, Url};

use crate::error::ConfigError;

/// The production API host, as the official CLI's `PIPECAT_API_HOST` defaults to it.
pub const DEFAULT_HOST: &str = "https://api.pipecat.daily.co";

/// The API version prefix every operation's path is below.
const API_PREFIX: &str = "/v1";

/// Turns a host such as `https://api.pipecat.daily.co` (optionally with a path prefix for a proxy, with
/// or without a trailing slash) into the base URL of the API, e.g. `https://api.pipecat.daily.co/v1`.
pub fn api_base(host: &str) -> Result<Url, ConfigError> {
    let invalid = |reason: String| ConfigError::InvalidHost { host: shown(host), reason };
    let url = Url::parse(host.trim()).map_err(|e| invalid(format!("{e}; expected something like {DEFAULT_HOST}")))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(invalid(
                "plain http is refused for hosts other than loopback (127.0.0.1, ::1, localhost): \
                 the API key would cross the network unencrypted; use https"
                    .into(),
            ));
        }
        other => return Err(invalid(format!("scheme `{other}` is not supported; use https"))),
    }
    if url.cannot_be_a_base() || url.host().is_none() {
        return Err(invalid("the URL has no host".into()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("credentials in the URL are refused; pass keys to the builder".into()));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("a query or fragment has no place in the host URL".into()));
    }
    let prefix = url.path().trim_end_matches('/');
    let mut base = url.clone();
    base.set_path(&format!("{prefix}{API_PREFIX}"));
    Ok(base)
}

/// `host` as errors and `Debug` show it: credentials in it replaced by `<redacted>`, control characters
/// by `?`, so that the error refusing a URL with a password does not print the password.
pub(crate) fn shown(host: &str) -> String {
    let host = host.trim();
    let (scheme, rest) = match host.find("://") {
        Some(at) => host.split_at(at + 3),
        None => ("", host),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let shown = match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}<redacted>{}", &rest[at..]),
        None => host.to_string(),
    };
    shown.chars().map(|c| if c.is_control() { '?' } else { c }).collect()
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(host: &str) -> Result<String, String> {
        api_base(host).map(|u| u.to_string()).map_err(|e| e.to_string())
    }

    #[test]
    fn hosts_with_or_without_trailing_slash_give_the_same_base() {
        assert_eq!(base("https://api.pipecat.daily.co"), Ok("https://api.pipecat.daily.co/v1".into()));
        assert_eq!(base("https://api.pipecat.daily.co/"), Ok("https://api.pipecat.daily.co/v1".into()));
        assert_eq!(base("https://proxy.example.com/pcc/"), Ok("https://proxy.example.com/pcc/v1".into()));
        assert_eq!(base("http://127.0.0.1:8080"), Ok("http://127.0.0.1:8080/v1".into()));
        assert_eq!(base("http://[::1]:8080"), Ok("http://[::1]:8080/v1".into()));
        assert_eq!(base("http://localhost:1"), Ok("http://localhost:1/v1".into()));
    }

    #[test]
    fn bad_hosts_are_refused_with_the_reason() {
        assert!(base("http://api.pipecat.daily.co").is_err_and(|e| e.contains("plain http is refused")));
        assert!(base("http://10.0.0.1").is_err_and(|e| e.contains("plain http is refused")));
        assert!(base("api.pipecat.daily.co").is_err_and(|e| e.contains("expected something like")));
        assert!(base("https://user:pw@h.example").is_err_and(|e| e.contains("credentials") && !e.contains("pw")));
        assert_eq!(shown("https://user:s3cret@h.example/p?x=1"), "https://<redacted>@h.example/p?x=1");
        assert_eq!(shown("h.example\nX"), "h.example?X");
        assert!(base("ftp://h.example").is_err_and(|e| e.contains("scheme `ftp`")));
        assert!(base("https://h.example/?x=1").is_err_and(|e| e.contains("query")));
    }
}
