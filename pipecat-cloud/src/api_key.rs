//! API keys, held so that they cannot leak: Debug and Display print a redaction, and the header built
//! from a key is marked sensitive (hyper and reqwest then keep it out of their own logs).

use std::fmt;

use reqwest::header::HeaderValue;

use crate::error::ConfigError;

/// A Pipecat Cloud API key, private or public.
///
/// ```
/// let key = pipecat_cloud::ApiKey::new("pk_live_not_a_real_key").unwrap();
/// assert_eq!(format!("{key:?}"), "ApiKey(<redacted>)");
/// assert_eq!(key.to_string(), "<redacted>");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey {
    secret: String,
    header: HeaderValue,
}

impl ApiKey {
    /// Checks and wraps a key. Surrounding whitespace (a trailing newline from a file or an environment
    /// variable) is removed; an empty key or one with inner whitespace or control characters is refused.
    pub fn new(key: impl Into<String>) -> Result<Self, ConfigError> {
        let secret = key.into().trim().to_string();
        if secret.is_empty() {
            return Err(ConfigError::InvalidKey { reason: "the key is empty" });
        }
        if secret.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ConfigError::InvalidKey { reason: "the key contains whitespace or control characters" });
        }
        let mut header = HeaderValue::from_str(&format!("Bearer {secret}")).map_err(|_| ConfigError::InvalidKey {
            reason: "the key holds a character not allowed in an HTTP header",
        })?;
        header.set_sensitive(true);
        Ok(ApiKey { secret, header })
    }

    /// The key itself. Handle with care: this is the one way to read it.
    pub fn expose_secret(&self) -> &str {
        &self.secret
    }

    /// `Bearer <key>` as a sensitive header value.
    pub(crate) fn authorization(&self) -> HeaderValue {
        self.header.clone()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_trimmed_checked_and_never_printed() {
        let key = ApiKey::new(" sk_abc123\n").map_err(|e| e.to_string());
        let key = key.as_ref().map(ApiKey::expose_secret);
        assert_eq!(key, Ok("sk_abc123"));
        assert!(ApiKey::new("").is_err());
        assert!(ApiKey::new("two words").is_err());
        let key = ApiKey::new("sk_abc123").ok();
        assert!(!format!("{key:?} {}", key.as_ref().map(ToString::to_string).unwrap_or_default()).contains("abc123"));
        assert!(key.is_some_and(|k| k.authorization().is_sensitive()));
    }
}
