//! What validation, generation and the diff all read from a spec, below all three so none of them
//! imports another's internals: the naming rules that turn spec names into Rust names
//! ([`names`]), the parameters a path template names ([`paths`]), and the shape of a paged list
//! ([`lists`]).

pub mod lists;
pub mod names;
pub mod paths;
