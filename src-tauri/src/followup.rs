//! Core's follow-up rules the case screen needs before it calls anything,
//! written out as TypeScript (see [`rules`]). The rules themselves, and
//! their tests, are core's ([`waystation_core::edit`]); the commands in
//! [`crate::commands::followup`] call them and map a refusal to a
//! [`crate::error::CommandError`].

#[path = "followup_rules.rs"]
pub mod rules;
