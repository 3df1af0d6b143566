//! The emulator's clock: the wall clock plus however far a test has moved it with `advance`. Every
//! timestamp the emulator writes and every timed transition reads this clock, so a test can skip a
//! minute of provisioning without waiting for it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};

/// How far [`Emulator::advance`](crate::Emulator::advance) may move the clock past the wall clock in all:
/// a thousand years.
pub const MAX_ADVANCE: Duration = Duration::from_secs(1000 * 366 * 24 * 3600);

/// The clock would go past [`MAX_ADVANCE`].
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the clock can be moved at most 1000 years past the wall clock")]
pub struct TooFar;

/// The wall clock, moved forward by [`Clock::advance`].
#[derive(Debug, Default)]
pub(crate) struct Clock {
    offset_micros: AtomicI64,
}

impl Clock {
    /// The emulator's time now.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        let wall = DateTime::<Utc>::from(std::time::SystemTime::now());
        let offset = chrono::Duration::microseconds(self.offset_micros.load(Ordering::Relaxed));
        wall.checked_add_signed(offset).unwrap_or(wall)
    }

    /// Moves the clock forward by `by`. The clock goes at most [`MAX_ADVANCE`] past the wall clock in
    /// all: beyond that, timestamps would leave RFC 3339's four-digit years.
    ///
    /// # Errors
    /// [`TooFar`] when `by` would take the clock past that; it is not moved.
    pub(crate) fn advance(&self, by: Duration) -> Result<(), TooFar> {
        let micros = i64::try_from(by.as_micros()).map_err(|_| TooFar)?;
        let limit = i64::try_from(MAX_ADVANCE.as_micros()).unwrap_or(i64::MAX);
        self.offset_micros
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |offset| {
                offset.checked_add(micros).filter(|total| *total <= limit)
            })
            .map(drop)
            .map_err(|_| TooFar)
    }

    /// Back to the wall clock.
    pub(crate) fn reset(&self) {
        self.offset_micros.store(0, Ordering::Relaxed);
    }
}

/// RFC 3339 with milliseconds and `Z`, as the API writes timestamps.
pub(crate) fn timestamp(at: DateTime<Utc>) -> String {
    Stamp(at).to_string()
}

/// RFC 3339 with nanoseconds, as the API writes log timestamps.
pub(crate) fn log_timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

/// A time that serializes as [`timestamp`] writes it, without an intermediate string.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stamp(pub DateTime<Utc>);

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
