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
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// RFC 3339 with nanoseconds, as the API writes log timestamps.
pub fn log_timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}
