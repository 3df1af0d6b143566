//! Test support for the workspace's integration tests: a scripted HTTP server that records raw
//! requests, and a way to call any operation by its id.
#![forbid(unsafe_code)]

pub mod conformance;
pub mod operations;
pub mod recording;
pub mod replay;
pub mod scripted_server;
