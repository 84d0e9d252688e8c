/** Mirrors `src-tauri`'s `SyncStatus`: the always-visible sync line. */
import type { CommandError } from "./error";

export interface SyncStatus {
  /** Changes in the outbox, not yet acknowledged by the service. */
  queued: number;
  /** RFC 3339 time of the last sync that finished, or null. */
  last_success_at: string | null;
  running: boolean;
  progress: { done: number; total: number } | null;
  last_error: CommandError | null;
  /** The service this device is enrolled with, or null for a local-only store. */
  server: string | null;
}
