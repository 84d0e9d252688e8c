//! Integration tests of `waystation-core`: the examples parse and survive the
//! trip through operations and the merge, bad input is refused naming its
//! field, screenings compute their results, and the merge is deterministic
//! (property tests).

mod edit_rules;
mod edits;
mod examples;
mod followup;
mod followup_lists;
mod merge_props;
mod parsing;
mod patterns;
mod screening;
mod support;
