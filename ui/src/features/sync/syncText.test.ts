import { describe, expect, it } from "vitest";
import { translate } from "../../i18n/translate";
import { idleSync } from "../../test/syncStatus";
import { syncLine } from "./syncText";

describe("sync line", () => {
  const base = { ...idleSync(), phase: "waiting" as const };
  it("says what is happening, most pressing first", () => {
    expect(syncLine({ ...base, running: true, progress: { done: 3, total: 9 } }).key).toBe("sync.progress");
    expect(syncLine({ ...base, queued: 2, last_error: { code: "offline", message: "x" } })).toMatchObject({ key: "sync.failed", tone: "error" });
    expect(syncLine({ ...base, queued: 2 })).toMatchObject({ key: "sync.queued", vars: { count: 2 } });
    expect(syncLine(base).key).toBe("sync.upToDate");
    expect(syncLine({ ...base, server: null, queued: 5 }).key).toBe("sync.localOnly");
  });
  it("shows what the background sync receives, what the service refused, and a revoked device", () => {
    // `received` counts every sync since unlocking; the running one has received `receiving`.
    const pulling = syncLine({ ...base, running: true, phase: "pulling", received: 52, receiving: 7 });
    expect(pulling).toMatchObject({ key: "sync.receiving", vars: { count: 7 }, tone: "busy" });
    expect(translate("es", pulling.key, pulling.vars)).toBe("Sincronizando: 7 cambios recibidos");
    const refused = syncLine({ ...base, queued: 2, refused: 2 });
    expect(refused).toMatchObject({ key: "sync.refused", tone: "warn" });
    expect(translate("en", refused.key, refused.vars)).toBe("2 changes refused by the sync service: kept on this device");
    expect(syncLine({ ...base, queued: 3, refused: 2 }).key).toBe("sync.queued");
    expect(syncLine({ ...base, phase: "revoked", last_error: { code: "revoked", message: "x" } }).key).toBe("sync.revoked");
    const failed = syncLine({ ...base, queued: 1, last_error: { code: "sync_failed", message: "the service refused" } });
    expect(translate("es", failed.key, failed.vars)).toBe("Falló la sincronización: 1 cambio pendiente");
  });
});
