//! Decoding `format: date-time` values fast. chrono's `Deserialize` for `DateTime<Utc>` goes through its
//! relaxed parser, which costs about 1,900 instructions per value: in a `getLogs` answer of 10,000
//! entries it was 43% of the decoding. The API writes RFC 3339 timestamps such as
//! `2026-11-01T12:00:00Z` or `2026-11-01T12:00:00.123456+02:00`; those are read here directly, and
//! anything else falls back to chrono's relaxed parser, so every value accepted before is accepted
//! still, with the same result. The generator points the `deserialize_with` of every date-time field
//! here; the fields keep their type, `chrono::DateTime<chrono::Utc>`.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use serde::Deserializer;
use serde::de::{Error, Visitor};

/// Deserializes a `DateTime<Utc>` field.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    deserializer.deserialize_str(TimestampVisitor)
}

/// Deserializes an `Option<DateTime<Utc>>` field (`null` is `None`).
pub fn deserialize_option<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    deserializer.deserialize_option(OptionVisitor)
}

struct TimestampVisitor;

impl Visitor<'_> for TimestampVisitor {
    type Value = DateTime<Utc>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an RFC 3339 date-time")
    }

    fn visit_str<E: Error>(self, value: &str) -> Result<Self::Value, E> {
        parse(value).map_err(E::custom)
    }
}

struct OptionVisitor;

impl<'de> Visitor<'de> for OptionVisitor {
    type Value = Option<DateTime<Utc>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an RFC 3339 date-time or null")
    }

    fn visit_none<E: Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserialize(deserializer).map(Some)
    }
}

/// `value` as a UTC instant: the strict RFC 3339 fast path, else chrono's relaxed parser.
pub fn parse(value: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    match strict(value.as_bytes()) {
        Some(instant) => Ok(instant),
        None => value.parse::<DateTime<Utc>>(),
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, `T` or `t` or a space, `Z` or `z`; `None` for anything
/// else, including values out of range (left to chrono, which reports them).
fn strict(b: &[u8]) -> Option<DateTime<Utc>> {
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let mut n = 0u32;
        for &c in b.get(range)? {
            if !c.is_ascii_digit() {
                return None;
            }
            n = n * 10 + u32::from(c - b'0');
        }
        Some(n)
    };
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let year = i32::try_from(digits(0..4)?).ok()?;
    let (month, day) = (digits(5..7)?, digits(8..10)?);
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    let mut at = 19;
    let mut nanos = 0u32;
    if b[at] == b'.' {
        at += 1;
        let start = at;
        while at < b.len() && b[at].is_ascii_digit() {
            if at - start < 9 {
                nanos = nanos * 10 + u32::from(b[at] - b'0');
            }
            at += 1;
        }
        let len = at - start;
        if len == 0 {
            return None;
        }
        for _ in len..9 {
            nanos *= 10;
        }
    }
    let offset_seconds = match b.get(at..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let hours = digits(at + 1..at + 3)?;
            let minutes = digits(at + 4..at + 6)?;
            // Out of range: chrono refuses it, so the fast path must not accept it.
            if minutes > 59 {
                return None;
            }
            let seconds = i32::try_from(hours * 3600 + minutes * 60).ok()?;
            if *sign == b'-' { -seconds } else { seconds }
        }
        _ => return None,
    };
    // A leap second (`:60`) is left to chrono.
    let naive = NaiveDate::from_ymd_opt(year, month, day)?.and_hms_nano_opt(hour, minute, second, nanos)?;
    let offset = FixedOffset::east_opt(offset_seconds)?;
    offset.from_local_datetime(&naive).single().map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_path_agrees_with_chrono_and_falls_back_to_it() {
        for text in [
            "2026-11-01T12:00:00Z",
            "2026-11-01t12:00:00z",
            "2026-11-01 12:00:00Z",
            "2026-11-01T12:00:00.5Z",
            "2026-11-01T12:00:00.123456789Z",
            "2026-11-01T12:00:00.1234567891Z",
            "2026-11-01T12:00:00+02:00",
            "2026-11-01T12:00:00.25-05:30",
            "1999-12-31T23:59:59+14:00",
        ] {
            let relaxed = text.parse::<DateTime<Utc>>();
            assert!(strict(text.as_bytes()).is_some(), "{text}: not on the fast path");
            assert_eq!(parse(text).ok(), relaxed.ok(), "{text}");
        }
        // Not strict RFC 3339: chrono decides, as before.
        for text in
            ["2026-11-01T12:00:00", "2026-11-01T12:00:00+0200", "2026-13-01T12:00:00Z", "x", "", "2026-11-01T12:00:60Z"]
        {
            assert_eq!(parse(text).ok(), text.parse::<DateTime<Utc>>().ok(), "{text}");
        }
    }

    #[test]
    fn fields_decode_through_it() {
        #[derive(serde::Deserialize)]
        struct Entry {
            #[serde(deserialize_with = "deserialize")]
            at: DateTime<Utc>,
            #[serde(default, deserialize_with = "deserialize_option")]
            maybe: Option<DateTime<Utc>>,
        }
        let entry: Entry =
            serde_json::from_str(r#"{"at": "2026-11-01T12:00:00Z", "maybe": null}"#).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(entry.at.to_rfc3339(), "2026-11-01T12:00:00+00:00");
        assert!(entry.maybe.is_none());
        let entry: Entry =
            serde_json::from_str(r#"{"at": "2026-11-01T12:00:00+01:00"}"#).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(entry.at.to_rfc3339(), "2026-11-01T11:00:00+00:00");
        assert!(serde_json::from_str::<Entry>(r#"{"at": "yesterday"}"#).is_err());
    }
}
