//! The emulator's clock: the wall clock plus however far a test has moved it with `advance`. Every
//! timestamp the emulator writes and every timed transition reads this clock, so a test can skip a
//! minute of provisioning without waiting for it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};

/// The wall clock, moved forward by [`Clock::advance`].
#[derive(Debug, Default)]
pub struct Clock {
    offset_micros: AtomicI64,
}

impl Clock {
    /// The emulator's time now.
    pub fn now(&self) -> DateTime<Utc> {
        DateTime::<Utc>::from(std::time::SystemTime::now())
            + chrono::Duration::microseconds(self.offset_micros.load(Ordering::Relaxed))
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let micros = i64::try_from(by.as_micros()).unwrap_or(i64::MAX);
        let _ = self
            .offset_micros
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |offset| Some(offset.saturating_add(micros)));
    }

    /// Back to the wall clock.
    pub fn reset(&self) {
        self.offset_micros.store(0, Ordering::Relaxed);
    }
}

/// RFC 3339 with milliseconds and `Z`, as the API writes timestamps.
pub fn timestamp(at: DateTime<Utc>) -> String {
    Stamp(at).to_string()
}

/// RFC 3339 with nanoseconds, as the API writes log timestamps.
pub fn log_timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

/// A time that serializes as [`timestamp`] writes it, without an intermediate string.
#[derive(Debug, Clone, Copy)]
pub struct Stamp(pub DateTime<Utc>);

impl std::fmt::Display for Stamp {
    /// `2026-12-04T21:56:49.331Z`, written field by field: chrono's `format` parses its pattern on
    /// every call, which cost more than the rest of an agent's answer.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use chrono::{Datelike, Timelike};
        let at = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            at.year(),
            at.month(),
            at.day(),
            at.hour(),
            at.minute(),
            at.second(),
            at.timestamp_subsec_millis().min(999)
        )
    }
}

impl serde::Serialize for Stamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_is_rfc3339_with_milliseconds_as_chrono_writes_it() {
        let at = DateTime::<Utc>::from(std::time::SystemTime::now());
        assert_eq!(Stamp(at).to_string(), at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
        let leap = DateTime::parse_from_rfc3339("2016-12-31T23:59:60.5Z").map(|d| d.with_timezone(&Utc));
        if let Ok(leap) = leap {
            assert!(Stamp(leap).to_string().starts_with("2016-12-31T23:59:"), "a leap second stays in its minute");
        }
    }
}
