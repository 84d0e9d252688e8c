//! The store's integration tests: one binary, real SQLCipher files in
//! temporary folders, real child processes for the crash test.

mod audit;
mod cases;
mod crash;
mod drafts;
mod fixture;
mod keys;
mod migrate;
mod plaintext;
mod sync;
