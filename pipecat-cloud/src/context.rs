//! The context of one call: the options it runs with, and what the attempts saw. The runner
//! ([`crate::Client`]'s generated methods) sets it for the duration of the call as a task-local; the
//! interceptor reads it to apply the call's timeout and retry policy, and records each attempt's status
//! there, so that an error can report the status even when the generated code did not keep it.

use std::sync::{Arc, Mutex, PoisonError};

use crate::retry::CallOptions;

tokio::task_local! {
    static CURRENT: Arc<CallContext>;
}

/// One call's options and outcome.
#[derive(Debug, Default)]
pub(crate) struct CallContext {
    pub(crate) options: CallOptions,
    outcome: Mutex<Outcome>,
}

/// What the attempts of a call saw; the last attempt's values win.
#[derive(Clone, Debug, Default)]
pub(crate) struct Outcome {
    pub(crate) attempts: u32,
    pub(crate) status: Option<u16>,
    pub(crate) request_id: Option<String>,
}

impl CallContext {
    pub(crate) fn new(options: CallOptions) -> Arc<Self> {
        Arc::new(CallContext { options, outcome: Mutex::default() })
    }

    /// Runs `future` with this context as the current one.
    pub(crate) async fn scope<F: Future>(self: &Arc<Self>, future: F) -> F::Output {
        CURRENT.scope(Arc::clone(self), future).await
    }

    /// The context of the call running on this task, if any.
    pub(crate) fn current() -> Option<Arc<CallContext>> {
        CURRENT.try_with(Arc::clone).ok()
    }

    pub(crate) fn record_attempt(&self, status: Option<u16>, request_id: Option<String>) {
        let mut outcome = self.outcome.lock().unwrap_or_else(PoisonError::into_inner);
        outcome.attempts += 1;
        outcome.status = status;
        outcome.request_id = request_id;
    }

    pub(crate) fn outcome(&self) -> Outcome {
        self.outcome.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}
