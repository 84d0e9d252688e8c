/** Mirrors `src-tauri/src/commands/session.rs`. */

/** Whether this device has a store, and whether it is open. */
export type StoreState =
  | { state: "absent"; notice?: Notice }
  | { state: "locked"; users: string[] }
  | { state: "unlocked"; users: string[]; user: string };

/** Why the app came back to first run on its own. */
export type Notice = "revoked";

/** Who is signed in, on which device. */
export interface Session {
  user: string;
  org: string | null;
  device: string;
}

/** Languages the screens and the instruments come in. */
export type Lang = "en" | "es";

/** Mirrors `Settings`: per device, kept in the store. */
export interface Settings {
  language: Lang;
  /** Minutes of no input before the store locks itself: 1 to 30, default 15. */
  idle_lock_minutes: number;
}
