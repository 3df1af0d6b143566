#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

#[cfg(feature = "diff")]
pub mod diff;
pub mod document;
pub mod error;
pub mod generate;
pub mod json_schema;
pub mod load;
pub mod normalize;
pub mod pipeline;
pub mod shapes;
pub mod validate;

pub use error::{Result, SpecError};
