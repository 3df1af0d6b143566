//! `-v`: the conversation with the API on stderr. One line per request and attempt, from the SDK's
//! `pipecat_cloud::attempt` events: `GET /v1/agents/bot → 200 in 12 ms (attempt 1, request id …)`.
//! `-vv` adds the headers sent and received (`Authorization` masked by the SDK); `-vvv` adds the HTTP
//! stack's own log. Never a key, never a body.

use std::fmt::Write as _;
use std::io::Write as _;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

/// The SDK's target for its per-attempt events.
const ATTEMPT: &str = "pipecat_cloud::attempt";

/// Starts the log `-v` given `count` times asks for; nothing without it.
pub(crate) fn install(count: u8) {
    if count == 0 {
        return;
    }
    let attempts = AttemptLines
        .with_filter(Targets::new().with_target(ATTEMPT, if count >= 2 { Level::TRACE } else { Level::DEBUG }));
    let registry = tracing_subscriber::registry().with(attempts);
    if count >= 3 {
        let everything = tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_target(true)
            .with_filter(LevelFilter::TRACE)
            .with_filter(tracing_subscriber::filter::filter_fn(|meta| meta.target() != ATTEMPT));
        let _ = registry.with(everything).try_init();
    } else {
        let _ = registry.try_init();
    }
}

/// Prints each attempt event as one line.
struct AttemptLines;

#[derive(Default)]
struct Fields {
    message: String,
    method: String,
    path: String,
    status: Option<u64>,
    duration_ms: Option<u64>,
    attempt: Option<u64>,
    request_id: Option<String>,
    failure: Option<String>,
    sent: Option<String>,
    received: Option<String>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        let value = value.to_string();
        match field.name() {
            "method" => self.method = value,
            "path" => self.path = value,
            "request_id" => self.request_id = Some(value),
            "failure" => self.failure = Some(value),
            "sent" => self.sent = Some(value),
            "received" => self.received = Some(value),
            _ => {}
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "status" => self.status = Some(value),
            "duration_ms" => self.duration_ms = Some(value),
            "attempt" => self.attempt = Some(value),
            _ => {}
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        }
    }
}

impl<S: Subscriber> Layer<S> for AttemptLines {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let line = if fields.message == "headers" {
            format!(
                "    sent: {}\n    received: {}",
                fields.sent.unwrap_or_default(),
                fields.received.unwrap_or_else(|| "nothing".into())
            )
        } else {
            let mut line = format!("{} {}", fields.method, fields.path);
            match (fields.status, &fields.failure) {
                (Some(status), _) => {
                    let _ = write!(line, " → {status}");
                }
                (None, Some(failure)) => {
                    let _ = write!(line, " → failed: {failure}");
                }
                (None, None) => {}
            }
            let _ = write!(line, " in {} ms (attempt {}", fields.duration_ms.unwrap_or(0), fields.attempt.unwrap_or(1));
            if let Some(id) = &fields.request_id {
                let _ = write!(line, ", request id {id}");
            }
            line.push(')');
            line
        };
        let _ = writeln!(std::io::stderr(), "{line}");
    }
}
