//! Whole-system test support for Waystation: the real service binary
//! ([`server`]), real encrypted stores and sync engines ([`world`]), and a
//! fault-injecting proxy between them ([`proxy`]), and the two storage
//! backends every service test runs on ([`backend`], [`both_backends!`]).

pub use backend::Backend;

pub mod backend;
pub mod plaintext;
pub mod proxy;
pub mod server;
pub mod world;
