//! Retries and timeouts: which failures are worth another attempt, and how long to wait before it.
//!
//! Idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS) are retried on connection errors, timeouts, an
//! answer whose body breaks off or never ends after its head arrived, and the statuses 408, 429, 502,
//! 503 and 504, with exponential back-off and jitter; a `Retry-After` header (seconds or an HTTP date) is
//! honoured when it asks for no more than [`RetryConfig::max_retry_after`], and a longer one ends the
//! retries so the caller sees the answer at once. An answer whose head the client cannot read (larger
//! than it reads, or malformed) is not retried: the server would send the same again. POST and PATCH are sent once unless
//! [`RetryConfig::retry_non_idempotent`] is set. [`next_wait`] is where the client decides, and
//! [`crate::Error::is_retryable`] answers with the same rules.

use std::time::{Duration, SystemTime};

use reqwest::header::RETRY_AFTER;
use reqwest::{Method, StatusCode};

/// How a call is retried. The default: 3 attempts, 200 ms first back-off doubling to at most 5 s,
/// `Retry-After` honoured up to 30 s, POST and PATCH not retried.
///
/// ```
/// use std::time::Duration;
/// use pipecat_cloud::RetryConfig;
///
/// let patient = RetryConfig::default().max_attempts(5).max_backoff(Duration::from_secs(10));
/// assert_eq!(patient.max_attempts, 5);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Attempts in all, the first included; 1 turns retries off.
    pub max_attempts: u32,
    /// Back-off before the first retry; it doubles for each further one.
    pub initial_backoff: Duration,
    /// Longest back-off between two attempts.
    pub max_backoff: Duration,
    /// Longest `Retry-After` to wait for; a server asking for more ends the retries.
    pub max_retry_after: Duration,
    /// Retry POST and PATCH too. Only safe when repeating the request cannot do the work twice.
    pub retry_non_idempotent: bool,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
            retry_non_idempotent: false,
        }
    }
}

impl RetryConfig {
    /// No retries: every request is sent once.
    pub fn disabled() -> Self {
        RetryConfig { max_attempts: 1, ..Self::default() }
    }

    /// Attempts in all, the first included; 1 turns retries off (0 counts as 1).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Back-off before the first retry; it doubles for each further one.
    #[must_use]
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Longest back-off between two attempts.
    #[must_use]
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Longest `Retry-After` to wait for; a server asking for more ends the retries.
    #[must_use]
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// Retry POST and PATCH too. Only safe when repeating the request cannot do the work twice.
    #[must_use]
    pub fn retry_non_idempotent(mut self, retry: bool) -> Self {
        self.retry_non_idempotent = retry;
        self
    }

    /// True when requests with `method` may be sent more than once.
    pub fn applies_to(&self, method: &Method) -> bool {
        self.max_attempts > 1
            && (self.retry_non_idempotent
                || matches!(*method, Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS))
    }

    /// Back-off before attempt `next` (2 for the first retry): exponential, capped, with jitter between
    /// half and all of it so that many clients do not retry in step.
    pub(crate) fn backoff(&self, next: u32) -> Duration {
        let doublings = next.saturating_sub(2).min(20);
        let full = self.initial_backoff.saturating_mul(1 << doublings).min(self.max_backoff);
        let half = full / 2;
        half + Duration::from_nanos(fastrand::u64(0..=u64::try_from((full - half).as_nanos()).unwrap_or(u64::MAX)))
    }
}

/// True for statuses a retry may fix.
/// How one attempt ended, as far as retrying is concerned.
pub(crate) enum AttemptEnd<'a> {
    /// An answer read in full: its status and headers.
    Answered(StatusCode, &'a reqwest::header::HeaderMap),
    /// No answer, or not all of it.
    Failed(&'a reqwest::Error),
}

/// The one place the client decides whether to try again after attempt number `attempt` ended as
/// `end`, and how long to wait first: `None` to stop. `may_retry` is whether the policy applies to the
/// call's method at all ([`RetryConfig::applies_to`]).
pub(crate) fn next_wait(config: &RetryConfig, may_retry: bool, attempt: u32, end: &AttemptEnd<'_>) -> Option<Duration> {
    if !may_retry || attempt >= config.max_attempts {
        return None;
    }
    match end {
        AttemptEnd::Answered(status, headers) if is_retryable_status(*status) => match retry_after(headers) {
            Some(asked) if asked > config.max_retry_after => None,
            Some(asked) => Some(asked),
            None => Some(config.backoff(attempt + 1)),
        },
        AttemptEnd::Answered(..) => None,
        AttemptEnd::Failed(error) if is_retryable_error(error) => Some(config.backoff(attempt + 1)),
        AttemptEnd::Failed(_) => None,
    }
}

pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 502 | 503 | 504)
}

/// True for transport failures a retry may fix: the request may not have reached the server, or the
/// answer was lost.
/// A failure another attempt may not meet: the connection failed or timed out, or the answer broke off
/// (its body cut short or never ending); not an answer's head the client cannot read (larger than it
/// reads, or malformed), which the server would send again.
pub(crate) fn is_retryable_error(error: &reqwest::Error) -> bool {
    // reqwest wraps a body that broke off in a `decode` error when it is read whole: look through it.
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(error);
    let mut transient = false;
    while let Some(current) = next {
        if let Some(inner) = current.downcast_ref::<reqwest::Error>() {
            transient |= inner.is_connect() || inner.is_timeout() || inner.is_request() || inner.is_body();
        }
        next = current.source();
    }
    transient && unreadable_head(error).is_none()
}

/// Why the answer's head could not be read, when that is what `error` is: larger than the client reads,
/// or malformed (hyper's words). The server would send the same head again.
pub(crate) fn unreadable_head(error: &reqwest::Error) -> Option<&hyper::Error> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(source) = next {
        if let Some(hyper_error) = source.downcast_ref::<hyper::Error>().filter(|e| e.is_parse()) {
            return Some(hyper_error);
        }
        next = source.source();
    }
    None
}

/// What `Retry-After` asks for: `Some(wait)` for seconds or an HTTP date, `None` when absent or unreadable.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderMap, HeaderValue};

    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_and_caps() {
        let config = RetryConfig::default().initial_backoff(Duration::from_millis(100));
        for _ in 0..100 {
            let first = config.backoff(2);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100), "{first:?}");
            let third = config.backoff(4);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400), "{third:?}");
            assert!(config.backoff(40) <= config.max_backoff);
        }
    }

    #[test]
    fn only_idempotent_methods_retry_unless_opted_in() {
        let config = RetryConfig::default();
        assert!(config.applies_to(&Method::GET) && config.applies_to(&Method::DELETE));
        assert!(!config.applies_to(&Method::POST) && !config.applies_to(&Method::PATCH));
        let opted = config.retry_non_idempotent(true);
        assert!(opted.applies_to(&Method::POST));
        assert!(!RetryConfig::disabled().applies_to(&Method::GET));
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(120));
        headers.insert(RETRY_AFTER, HeaderValue::from_str(&later).unwrap_or(HeaderValue::from_static("x")));
        let wait = retry_after(&headers).unwrap_or_default();
        assert!(wait > Duration::from_secs(110) && wait <= Duration::from_secs(120), "{wait:?}");
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers), None);
    }
}
