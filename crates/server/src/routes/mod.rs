//! The service's handlers, by concern.

pub mod admin;
pub mod ops;
pub mod sync;
