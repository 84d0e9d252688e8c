//! The service's handlers, by concern.

pub mod admin;
pub mod answers;
pub mod console;
pub mod ops;
pub mod sync;
