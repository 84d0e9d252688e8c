import { useEffect, useState } from "react";
import type { SyncStatus } from "../../bindings";
import { useI18n } from "../../i18n/I18nProvider";
import { call, onSyncEvent } from "../../ipc";
import { useErrorText } from "../../shared/errors";
import { syncLine } from "./syncText";

/** Always visible: queued changes, last successful sync, syncing now, the last
 * error in plain words. Sync itself runs in the shell's background task; this
 * only asks how it is going, every few seconds and at each `sync://progress`
 * event, and never waits on it. */
export function SyncStatusBar({ everyMs = 3000 }: { everyMs?: number }) {
  const { t, dateTime } = useI18n();
  const errorText = useErrorText();
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [unreachable, setUnreachable] = useState(false);

  useEffect(() => {
    let alive = true;
    const poll = () =>
      call("sync_status").then(
        (s) => {
          if (!alive) return;
          setStatus(s);
          setUnreachable(false);
        },
        () => alive && setUnreachable(true),
      );
    void poll();
    const id = window.setInterval(poll, everyMs);
    // The shell's background sync announces each step: ask again at once, so the line is live.
    const stop = onSyncEvent(() => void poll());
    return () => {
      alive = false;
      window.clearInterval(id);
      stop();
    };
  }, [everyMs]);

  if (!status) return <div className="sync sync--unknown" role="status">{unreachable ? t("sync.unknown") : ""}</div>;
  const line = syncLine(status);
  return (
    <div className={`sync sync--${line.tone}`} role="status" aria-live="polite">
      <span className="sync__dot" aria-hidden="true" />
      <span className="sync__line">{t(line.key, line.vars)}</span>
      {status.last_success_at ? (
        <span className="sync__last">{t("sync.last", { when: dateTime(status.last_success_at) })}</span>
      ) : status.server ? (
        <span className="sync__last">{t("sync.never")}</span>
      ) : null}
      {status.sent + status.received > 0 ? (
        <span className="sync__session">{t("sync.session", { sent: status.sent, received: status.received })}</span>
      ) : null}
      {status.last_error && !status.running ? <span className="sync__error">{errorText(status.last_error)}</span> : null}
      {status.running && status.progress ? (
        <progress className="sync__progress" max={status.progress.total} value={status.progress.done} aria-label={t("sync.progressLabel")} />
      ) : null}
      {status.server && !status.running ? (
        <button type="button" className="link-button sync__now" onClick={() => void call("sync_now").catch(() => undefined)}>
          {t("sync.now")}
        </button>
      ) : null}
    </div>
  );
}
