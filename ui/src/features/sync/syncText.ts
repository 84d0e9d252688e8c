import type { SyncStatus } from "../../bindings";
import type { MessageKey, Vars } from "../../i18n/translate";

/** The one line of sync status, as a catalog key and its values. */
export function syncLine(s: SyncStatus): { key: MessageKey; vars?: Vars; tone: "ok" | "busy" | "warn" | "error" } {
  if (s.running) {
    if (s.progress) return { key: "sync.progress", vars: { done: s.progress.done, total: s.progress.total }, tone: "busy" };
    if (s.phase === "pulling") return { key: "sync.receiving", vars: { count: s.receiving }, tone: "busy" };
    return { key: "sync.running", tone: "busy" };
  }
  if (s.phase === "revoked") return { key: "sync.revoked", tone: "error" };
  if (!s.server) return { key: "sync.localOnly", vars: { count: s.queued }, tone: "ok" };
  if (s.last_error) return { key: "sync.failed", vars: { count: s.queued }, tone: "error" };
  if (s.refused > 0 && s.queued <= s.refused) return { key: "sync.refused", vars: { count: s.refused }, tone: "warn" };
  if (s.queued > 0) return { key: "sync.queued", vars: { count: s.queued }, tone: "warn" };
  return { key: "sync.upToDate", tone: "ok" };
}
