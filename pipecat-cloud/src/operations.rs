//! One request builder per operation, and the [`Client`](crate::Client) methods that start them:
//! generated from the spec (`pipecat-cloud-generated` expands them here, inside this crate), so the
//! documentation of every operation is on this page and on [`Client`](crate::Client)'s.
//!
//! A builder holds the operation's required values; optional parameters are set by name, then
//! `.send().await` sends it, `.send_with_response().await` also gives the status and headers, and
//! awaiting the builder itself is the same as `.send().await`. New optional parameters in a later spec
//! become new setters: code written today keeps compiling.

use crate::types;

pipecat_cloud_generated::__pipecat_cloud_facade!();
