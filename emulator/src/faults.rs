//! Faults on demand: an error status with the API's error body (and `Retry-After`), latency, a dropped
//! connection, a body cut short, or a request that hangs; for one operation or all, for the next N
//! requests or with a probability under a seed. Set with `Emulator::fault`, the control API
//! (`POST /_emulator/faults`) or `--fault` at start.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What a fault does to a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
#[non_exhaustive]
pub enum FaultEffect {
    /// Answer this status with the API's error body, without running the operation.
    #[serde(rename_all = "camelCase")]
    Status {
        /// The status.
        status: u16,
        /// The body's `code`, the operation's own for the status when left out.
        code: Option<String>,
        /// The body's `error`.
        message: Option<String>,
        /// `Retry-After`, in seconds.
        retry_after: Option<u64>,
    },
    /// Wait this long, then answer as usual.
    Latency {
        /// The wait, in milliseconds.
        millis: u64,
    },
    /// Close the connection without answering.
    Drop,
    /// Run the operation, then send half of the body its `Content-Length` announces and close.
    Truncate,
    /// Never answer (until the emulator stops).
    Hang,
}

/// A fault: what it does, to which requests, how often.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    /// The operationId it applies to; every operation when `None`.
    #[serde(default)]
    pub operation: Option<String>,
    /// What it does.
    pub effect: FaultEffect,
    /// How many requests it applies to before it is spent; until cleared when `None`.
    #[serde(default)]
    pub times: Option<u32>,
    /// How many matching requests pass untouched before it applies (0 when `None`).
    #[serde(default)]
    pub after: Option<u32>,
    /// The chance it applies to a matching request, 0 to 1; always when `None`.
    #[serde(default)]
    pub probability: Option<f64>,
    /// The seed of the draws, so a run can be repeated.
    #[serde(default)]
    pub seed: Option<u64>,
}

impl Fault {
    fn new(effect: FaultEffect) -> Self {
        Fault { operation: None, effect, times: None, after: None, probability: None, seed: None }
    }

    /// Answer `status` with the API's error body.
    pub fn status(status: u16) -> Self {
        Fault::new(FaultEffect::Status { status, code: None, message: None, retry_after: None })
    }

    /// Wait `delay` before answering.
    pub fn latency(delay: Duration) -> Self {
        Fault::new(FaultEffect::Latency { millis: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX) })
    }

    /// Close the connection without answering.
    pub fn drop_connection() -> Self {
        Fault::new(FaultEffect::Drop)
    }

    /// Send half the body and close.
    pub fn truncate_body() -> Self {
        Fault::new(FaultEffect::Truncate)
    }

    /// Never answer.
    pub fn hang() -> Self {
        Fault::new(FaultEffect::Hang)
    }

    /// Only for operation `operation_id`.
    pub fn on(mut self, operation_id: impl Into<String>) -> Self {
        self.operation = Some(operation_id.into());
        self
    }

    /// Only for the next `n` matching requests.
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }

    /// Only after `n` matching requests have passed untouched (e.g. the polls of a wait, not the call
    /// before it).
    pub fn after(mut self, n: u32) -> Self {
        self.after = Some(n);
        self
    }

    /// With probability `p` per matching request, drawn from `seed`.
    pub fn probability(mut self, p: f64, seed: u64) -> Self {
        self.probability = Some(p.clamp(0.0, 1.0));
        self.seed = Some(seed);
        self
    }

    /// With a `Retry-After` of `seconds` (status faults).
    pub fn retry_after(mut self, seconds: u64) -> Self {
        if let FaultEffect::Status { retry_after, .. } = &mut self.effect {
            *retry_after = Some(seconds);
        }
        self
    }

    /// With this `code` and `error` in the body (status faults).
    pub fn body(mut self, new_code: impl Into<String>, new_message: impl Into<String>) -> Self {
        if let FaultEffect::Status { code, message, .. } = &mut self.effect {
            *code = Some(new_code.into());
            *message = Some(new_message.into());
        }
        self
    }

    /// Why this fault cannot be served, if it cannot: an operationId the API does not have, or a
    /// status outside 100 to 599.
    pub fn problem(&self) -> Option<String> {
        if let Some(operation) = self.operation.as_deref()
            && pipecat_cloud::operation::OperationId::from_id(operation).is_none()
        {
            return Some(format!(
                "`{operation}` is not an operation of the API: give an operationId as the spec spells it (e.g. getService)"
            ));
        }
        match &self.effect {
            FaultEffect::Status { status, .. } if !(100..=599).contains(status) => {
                Some(format!("status {status} is not an HTTP status (100 to 599)"))
            }
            _ => None,
        }
    }

    /// A short name for the journal: `status 503`, `latency 200ms`, `drop`, `truncate`, `hang`.
    pub(crate) fn label(&self) -> String {
        match &self.effect {
            FaultEffect::Status { status, .. } => format!("status {status}"),
            FaultEffect::Latency { millis } => format!("latency {millis}ms"),
            FaultEffect::Drop => "drop".into(),
            FaultEffect::Truncate => "truncate".into(),
            FaultEffect::Hang => "hang".into(),
        }
    }
}

/// A fault in force, with what is left of it.
#[derive(Debug)]
struct Active {
    fault: Fault,
    remaining: Option<u32>,
    passed: u32,
    draws: fastrand::Rng,
}

/// The faults in force, first added first tried.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    active: Vec<Active>,
}

impl Faults {
    /// Adds `fault`; one for no request at all (`times: 0`) is not kept.
    pub(crate) fn add(&mut self, fault: Fault) {
        if fault.times == Some(0) {
            return;
        }
        let draws = fastrand::Rng::with_seed(fault.seed.unwrap_or(0));
        self.active.push(Active { remaining: fault.times, passed: 0, fault, draws });
    }

    /// True when no fault is in force.
    pub(crate) fn is_empty(&self) -> bool {
        self.active.is_empty()
    }

    /// Removes every fault.
    pub(crate) fn clear(&mut self) {
        self.active.clear();
    }

    /// The faults in force.
    pub(crate) fn list(&self) -> Vec<Fault> {
        self.active.iter().map(|a| Fault { times: a.remaining, ..a.fault.clone() }).collect()
    }

    /// The fault that applies to a request of `operation_id`, if any; counts it.
    pub(crate) fn pick(&mut self, operation_id: &str) -> Option<Fault> {
        let index = self.active.iter_mut().position(|active| {
            if active.fault.operation.as_deref().is_some_and(|op| op != operation_id) {
                return false;
            }
            if active.passed < active.fault.after.unwrap_or(0) {
                active.passed += 1;
                return false;
            }
            active.fault.probability.is_none_or(|p| active.draws.f64() < p)
        })?;
        let active = &mut self.active[index];
        let fault = active.fault.clone();
        if let Some(remaining) = &mut active.remaining {
            *remaining = remaining.saturating_sub(1);
            if *remaining == 0 {
                self.active.remove(index);
            }
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_applies_to_its_operation_for_its_count() {
        let mut faults = Faults::default();
        faults.add(Fault::status(503).on("getService").times(2));
        assert_eq!(faults.pick("listServices"), None);
        assert!(faults.pick("getService").is_some());
        assert!(faults.pick("getService").is_some());
        assert_eq!(faults.pick("getService"), None, "spent after two");
        faults.add(Fault::drop_connection().after(1).times(1));
        assert_eq!(faults.pick("getService"), None, "the first passes");
        assert!(faults.pick("getService").is_some());
        assert_eq!(faults.pick("getService"), None);
    }

    #[test]
    fn a_seeded_probability_repeats() {
        let draw = || {
            let mut faults = Faults::default();
            faults.add(Fault::drop_connection().probability(0.5, 7));
            (0..64).map(|_| faults.pick("getService").is_some()).collect::<Vec<_>>()
        };
        let first = draw();
        assert_eq!(first, draw());
        let hits = first.iter().filter(|hit| **hit).count();
        assert!((16..=48).contains(&hits), "{hits} of 64");
    }
}
