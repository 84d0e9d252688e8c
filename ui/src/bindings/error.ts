/** Mirrors `src-tauri/src/error.rs` `CommandError`: what every failed command rejects with. */

/** Stable codes the UI branches on (never on `message`). */
export type ErrorCode =
  | "invalid" // input refused; `fields` says where
  | "wrong_passphrase" // `attempts_left` may say how many before the lockout
  | "locked_out" // too many wrong passphrases; `retry_after_secs` says how long
  | "locked" // the store is locked: unlock first
  | "no_store" // no store on this device yet
  | "store_exists" // a store was already created on this device
  | "not_found"
  | "weak_passphrase"
  | "offline" // the service cannot be reached
  | "sync_failed" // the last sync failed; `message` says why in plain words
  | "revoked" // an administrator revoked this device; its store was wiped
  | "unavailable" // the feature is not available in this build
  | "internal";

/** One field refused, with the path of the field in the case document. */
export interface FieldError {
  field: string;
  message: string;
}

/** A command's error as it reaches the UI. */
export interface CommandError {
  code: ErrorCode;
  message: string;
  fields?: FieldError[];
  retry_after_secs?: number;
  attempts_left?: number;
}
