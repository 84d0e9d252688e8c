//! Whole-system test support for Waystation: the real service binary
//! ([`server`]), real encrypted stores and sync engines ([`world`]), and a
//! fault-injecting proxy between them ([`proxy`]).

pub mod proxy;
pub mod server;
pub mod world;
