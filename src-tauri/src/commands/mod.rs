//! The commands the window may call: each parses its input, calls the store
//! or core, and maps the error. No business rule lives here.

pub mod cases;
pub mod intake;
pub mod session;
pub mod sync;
