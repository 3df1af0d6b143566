//! The wrapper's typed facade (filled in below).
