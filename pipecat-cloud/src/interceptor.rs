//! The wrapper's side of the generated client's hooks: every request is authorized by the
//! [`KeyRing`] and sent under the call's retry policy, and every attempt is recorded in the call's
//! context and traced (method, status, attempt, never a header or a body).

use std::sync::Arc;
use std::time::Duration;

use pipecat_cloud_generated::hooks::{Interceptor, SendFuture};
use pipecat_cloud_generated::operation::Operation;

use crate::auth::KeyRing;
use crate::call::request_id;
use crate::context::CallContext;
use crate::retry::{CallOptions, is_retryable_error, is_retryable_status, retry_after};

/// The interceptor the wrapper installs in the generated client.
#[derive(Debug)]
pub(crate) struct ClientInterceptor {
    pub(crate) keys: Arc<KeyRing>,
}

impl Interceptor for ClientInterceptor {
    fn before_send(&self, operation: &'static Operation, request: &mut reqwest::Request) -> Result<(), String> {
        self.keys.authorize(operation, request)
    }

    fn send<'a>(
        &'a self,
        operation: &'static Operation,
        client: &'a reqwest::Client,
        request: reqwest::Request,
    ) -> SendFuture<'a> {
        Box::pin(send_with_retries(operation, client, request, CallContext::current()))
    }
}

/// Sends `request`, again while the call's policy allows and the failure is one a retry may fix.
async fn send_with_retries(
    operation: &'static Operation,
    client: &reqwest::Client,
    request: reqwest::Request,
    context: Option<Arc<CallContext>>,
) -> reqwest::Result<reqwest::Response> {
    let options = context.as_ref().map(|c| c.options.clone()).unwrap_or_default();
    let CallOptions { timeout, retry } = options;
    let may_retry = retry.applies_to(request.method());
    let mut template = request;
    let mut attempt: u32 = 1;
    loop {
        let last = !may_retry || attempt >= retry.max_attempts;
        // A body that cannot be cloned (a stream) can be sent once only.
        let (mut this, next) = match if last { None } else { template.try_clone() } {
            Some(copy) => (copy, Some(template)),
            None => (template, None),
        };
        if timeout.is_some() {
            *this.timeout_mut() = timeout;
        }
        let result = client.execute(this).await;
        let status = result.as_ref().ok().map(|r| r.status());
        if let Some(context) = &context {
            // A request id only ever goes into an error: looking it up on every success would be waste.
            let request_id =
                result.as_ref().ok().filter(|r| !r.status().is_success()).and_then(|r| request_id(r.headers()));
            context.record_attempt(status.map(|s| s.as_u16()), request_id);
        }
        let Some(next) = next else { return result };
        let wait = match &result {
            Ok(response) if is_retryable_status(response.status()) => match retry_after(response.headers()) {
                Some(asked) if asked > retry.max_retry_after => None,
                Some(asked) => Some(asked),
                None => Some(retry.backoff(attempt + 1)),
            },
            Ok(_) => None,
            Err(error) if is_retryable_error(error) => Some(retry.backoff(attempt + 1)),
            Err(_) => None,
        };
        let Some(wait) = wait else { return result };
        tracing::debug!(
            operation = operation.id,
            attempt,
            status = status.map(|s| s.as_u16()),
            failed = result.is_err(),
            wait_ms = duration_ms(wait),
            "retrying"
        );
        drop(result);
        tokio::time::sleep(wait).await;
        template = next;
        attempt += 1;
    }
}

pub(crate) fn duration_ms(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
