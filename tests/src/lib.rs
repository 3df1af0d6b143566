//! Tests live under tests/.
