//! The recording format lives in its own crate, `pipecat-cloud-recordings`, so that the CLI's parity kit
//! writes what these tests replay; re-exported here under the name the tests use.

pub use pipecat_cloud_recordings::*;
