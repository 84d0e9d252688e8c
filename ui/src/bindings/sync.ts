/** Mirrors `src-tauri`'s `SyncStatus`: the always-visible sync line. */
import type { CommandError } from "./error";

export interface SyncStatus {
  /** Changes in the outbox, not yet acknowledged by the service. */
  queued: number;
  /** RFC 3339 time of the last sync that finished, or null. */
  last_success_at: string | null;
  running: boolean;
  /** What the background sync is doing, or null when none runs (local only, locked, stopped). */
  phase: "idle" | "pushing" | "pulling" | "waiting" | "revoked" | null;
  /** Queued changes the service refused: kept on this device, not sent again. */
  refused: number;
  /** Changes sent and acknowledged since the store was unlocked. */
  sent: number;
  /** Changes received since the store was unlocked. */
  received: number;
  progress: { done: number; total: number } | null;
  last_error: CommandError | null;
  /** The service this device is enrolled with, or null for a local-only store. */
  server: string | null;
}
