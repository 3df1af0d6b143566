//! When a resource moves to its next state: at once, after a number of polls, or after a time. A
//! secret set goes `pending` → `ready`, a revision `Creating` → `Validating` → `Active`, a build
//! `pending` → `building` → `success`; each arrow is one step, and [`Progression`] says when a step is
//! taken. Transitions are computed when a resource is read, so nothing runs in the background.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// When each step of a resource's life is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Progression {
    /// Every step at once: a resource is read in its final state.
    Immediate,
    /// A step after the resource has been read this many times in its current state (`getSecretSet`,
    /// `getService`, `getBuild`): a client that polls sees each state.
    AfterPolls {
        /// Reads per step.
        polls: u32,
    },
    /// A step after this long on the emulator's clock (see `advance`).
    After {
        /// Time per step, in milliseconds.
        millis: u64,
    },
}

impl Default for Progression {
    /// One second per step: a deploy is ready in about three seconds, short but seen.
    fn default() -> Self {
        Progression::After { millis: 1000 }
    }
}

impl Progression {
    /// A step after `duration`.
    pub fn after(duration: Duration) -> Self {
        Progression::After { millis: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX) }
    }
}

impl fmt::Display for Progression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Progression::Immediate => f.write_str("immediate"),
            Progression::AfterPolls { polls } => write!(f, "polls:{polls}"),
            Progression::After { millis } => write!(f, "delay:{}", *millis as f64 / 1000.0),
        }
    }
}

/// The text of a progression that could not be read.
#[derive(Debug, Clone, thiserror::Error)]
#[error("`{0}` is not a progression: give `immediate`, `polls:N` (N reads per step) or `delay:SECONDS`")]
pub struct BadProgression(String);

impl FromStr for Progression {
    type Err = BadProgression;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || BadProgression(text.to_string());
        match text.split_once(':') {
            None if text == "immediate" => Ok(Progression::Immediate),
            Some(("polls", n)) => n.parse().map(|polls| Progression::AfterPolls { polls }).map_err(|_| bad()),
            Some(("delay", seconds)) => {
                let seconds: f64 = seconds.parse().map_err(|_| bad())?;
                Duration::try_from_secs_f64(seconds).map(Progression::after).map_err(|_| bad())
            }
            _ => Err(bad()),
        }
    }
}

/// Where a resource is in its current state: since when, and how often it was read there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stage {
    /// When the current state began.
    pub(crate) since: DateTime<Utc>,
    /// Reads in the current state.
    pub(crate) polls: u32,
}

impl Stage {
    /// A state that begins at `now`.
    pub(crate) fn new(now: DateTime<Utc>) -> Self {
        Stage { since: now, polls: 0 }
    }

    /// Counts one read.
    pub(crate) fn poll(&mut self) {
        self.polls = self.polls.saturating_add(1);
    }

    /// True when the next step is due; the stage then describes the next state. Called in a loop, it
    /// takes every step that is due (several after a long `advance`, one per read with polls).
    pub(crate) fn step(&mut self, progression: Progression, now: DateTime<Utc>) -> bool {
        match progression {
            Progression::Immediate => {
                *self = Stage::new(now);
                true
            }
            Progression::AfterPolls { polls } => {
                if self.polls >= polls {
                    *self = Stage::new(now);
                    true
                } else {
                    false
                }
            }
            Progression::After { millis } => {
                // A delay past what a date can hold is never due.
                let due = i64::try_from(millis)
                    .ok()
                    .and_then(chrono::Duration::try_milliseconds)
                    .and_then(|delay| self.since.checked_add_signed(delay));
                match due {
                    Some(due) if now >= due => {
                        *self = Stage { since: due, polls: 0 };
                        true
                    }
                    _ => false,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progressions_read_and_print_alike() {
        for text in ["immediate", "polls:3", "delay:1.5"] {
            let parsed: Progression = text.parse().expect(text);
            assert_eq!(parsed.to_string(), text);
        }
        assert!("polls:-1".parse::<Progression>().is_err());
        assert!("delay:x".parse::<Progression>().is_err());
        assert!("soon".parse::<Progression>().is_err());
    }

    #[test]
    fn a_step_waits_for_its_polls_or_its_time() {
        let start = DateTime::<Utc>::from(std::time::SystemTime::now());
        let mut stage = Stage::new(start);
        assert!(!stage.step(Progression::AfterPolls { polls: 2 }, start));
        stage.poll();
        stage.poll();
        assert!(stage.step(Progression::AfterPolls { polls: 2 }, start));
        assert_eq!(stage.polls, 0);
        let timed = Progression::After { millis: 1000 };
        assert!(!stage.step(timed, start + chrono::Duration::milliseconds(999)));
        assert!(stage.step(timed, start + chrono::Duration::milliseconds(2500)));
        assert!(stage.step(timed, start + chrono::Duration::milliseconds(2500)), "a second step was due too");
        assert!(!stage.step(timed, start + chrono::Duration::milliseconds(2500)));
        let never = Progression::after(Duration::MAX);
        assert!(
            !stage.step(never, start + chrono::Duration::days(365 * 1000)),
            "a delay no date can hold is never due"
        );
    }
}
