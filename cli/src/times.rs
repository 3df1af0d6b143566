//! Times as people type and read them: a flag that takes a point in time takes `10m` (ago), an RFC 3339
//! time or Unix seconds ([`unix_seconds_parser`]); a table shows a time as an age (`3m ago`, [`age`]),
//! plain, wide and JSON output the time itself, in one format ([`canonical`]).

use std::time::SystemTime;

use chrono::{DateTime, SecondsFormat, Utc};

/// Now, on this machine's clock.
pub(crate) fn now() -> DateTime<Utc> {
    DateTime::<Utc>::from(SystemTime::now())
}

/// Seconds in a unit of a time ago: `s`, `m`, `h`, `d`, `w`.
fn unit_seconds(unit: &str) -> Option<i64> {
    match unit {
        "s" => Some(1),
        "m" => Some(60),
        "h" => Some(3600),
        "d" => Some(86_400),
        "w" => Some(604_800),
        _ => None,
    }
}

/// `text` as Unix seconds at `now`: Unix seconds as they are, an RFC 3339 time, or a time ago (`90s`,
/// `10m`, `2h`, `1d`, `1w`).
pub(crate) fn parse_unix_seconds(text: &str, now: DateTime<Utc>) -> Result<i64, String> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<i64>() {
        return Ok(seconds);
    }
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time.timestamp());
    }
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (amount, unit) = text.split_at(split);
    match (amount.parse::<i64>(), unit_seconds(unit)) {
        (Ok(amount), Some(unit)) => {
            amount.checked_mul(unit).map(|ago| now.timestamp() - ago).ok_or_else(|| format!("`{text}` is too long ago"))
        }
        _ => Err(format!(
            "`{text}` is not a time: give a time ago (30s, 10m, 2h, 1d), an RFC 3339 time (2026-12-08T09:30:00Z) or Unix seconds"
        )),
    }
}

/// The parser of a flag that takes a point in time: the value becomes Unix seconds, as the API takes it.
pub(crate) fn unix_seconds_parser() -> clap::builder::ValueParser {
    clap::builder::ValueParser::new(|text: &str| parse_unix_seconds(text, now()).map(|seconds| seconds.to_string()))
}

/// `text` as a time, when it is an RFC 3339 one.
pub(crate) fn parse(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}

/// The one format every output shows a time in: RFC 3339, UTC, milliseconds (`2026-12-08T05:08:17.254Z`).
pub(crate) fn canonical(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// How long ago `time` was, as a table shows it: `12s ago`, `3m ago`, `5h ago`, `2d ago`; a time to come
/// as `in 3m`.
pub(crate) fn age(time: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (now - time).num_seconds();
    let (magnitude, ago) = if seconds >= 0 { (seconds, true) } else { (-seconds, false) };
    let short = match magnitude {
        0..=59 => format!("{magnitude}s"),
        60..=3599 => format!("{}m", magnitude / 60),
        3600..=86_399 => format!("{}h", magnitude / 3600),
        _ => format!("{}d", magnitude / 86_400),
    };
    if ago { format!("{short} ago") } else { format!("in {short}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_people_type_them() {
        let now = parse("2026-12-08T10:00:00Z").unwrap_or_default();
        assert_eq!(parse_unix_seconds("1700000000", now), Ok(1_700_000_000));
        assert_eq!(parse_unix_seconds("10m", now), Ok(now.timestamp() - 600));
        assert_eq!(parse_unix_seconds("2h", now), Ok(now.timestamp() - 7200));
        assert_eq!(parse_unix_seconds("2026-12-08T09:30:00Z", now), Ok(now.timestamp() - 1800));
        assert_eq!(parse_unix_seconds("2026-12-08T10:30:00+01:00", now), Ok(now.timestamp() - 1800));
        assert!(parse_unix_seconds("yesterday", now).unwrap_err().contains("not a time"));
        assert!(parse_unix_seconds("10x", now).is_err());
    }

    #[test]
    fn ages_and_the_one_format() {
        let now = parse("2026-12-08T10:00:00Z").unwrap_or_default();
        let at = |text: &str| parse(text).unwrap_or_default();
        assert_eq!(age(at("2026-12-08T09:59:48Z"), now), "12s ago");
        assert_eq!(age(at("2026-12-08T09:57:00Z"), now), "3m ago");
        assert_eq!(age(at("2026-12-06T09:00:00Z"), now), "2d ago");
        assert_eq!(age(at("2026-12-08T10:03:00Z"), now), "in 3m");
        assert_eq!(canonical(at("2026-12-08T05:08:17.254664837Z")), "2026-12-08T05:08:17.254Z");
        assert_eq!(canonical(at("2026-12-08T05:08:17+00:00")), "2026-12-08T05:08:17.000Z");
    }
}
