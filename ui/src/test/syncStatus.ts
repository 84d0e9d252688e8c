import type { SyncStatus } from "../bindings";

/** A sync line with nothing happening: an enrolled store with nothing queued (tests spread what they need over it). */
export const idleSync = (server: string | null = "https://s"): SyncStatus => ({
  queued: 0,
  last_success_at: null,
  running: false,
  phase: null,
  refused: 0,
  sent: 0,
  received: 0,
  receiving: 0,
  progress: null,
  last_error: null,
  server,
});
