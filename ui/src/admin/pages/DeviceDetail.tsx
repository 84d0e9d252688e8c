import { useCallback, useState } from "react";
import { failureOf } from "../api/client";
import { failureText } from "../api/failureText";
import type { DeviceDetail as Detail, Refusal } from "../api/schema";
import { usePoll } from "../api/usePoll";
import { Dialog, ErrorAlert, Loading, RefreshLine, SuccessAlert } from "../components/ui";
import { useConsoleI18n, type ConsoleKey } from "../i18n/ConsoleI18n";
import { stateOf } from "../devices/list";
import { roleLabel } from "../labels";
import { href } from "../route";
import { useSession } from "../session";
import { AuditTable } from "./AuditTable";
import { PageHeading } from "./PageHeading";

/** The time a UUIDv7 (an operation's id, made on the laptop) carries: its first 48 bits, in ms; null for another kind. */
export function uuidV7Time(id: string): number | null {
  const hex = id.replace(/-/g, "");
  if (!/^[0-9a-f]{32}$/i.test(hex) || hex[12] !== "7") return null;
  return parseInt(hex.slice(0, 12), 16);
}

const REFUSALS = ["refused_invalid", "refused_forbidden", "refused_different_content"];

/** Why a change was refused, in words: the service's rule text when it gave one, else what its status means. */
export function refusalReason(r: Refusal, t: (k: ConsoleKey) => string): string {
  const status = REFUSALS.includes(r.status) ? t(`refusal.${r.status}` as ConsoleKey) : t("refusal.other");
  return r.message ? `${status} (${r.message})` : status;
}

export function DeviceDetail({ id }: { id: string }) {
  const { client, canManage } = useSession();
  const { t, dateTime, ago, duration } = useConsoleI18n();
  const load = useCallback(
    (signal: AbortSignal) => client.request("get", "/v1/admin/devices/{id}", { params: { id }, signal }),
    [client, id],
  );
  const poll = usePoll<Detail>(load, `device-${id}`);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const d = poll.data?.device;
  const now = poll.receivedAt ?? Date.now();
  const when = (iso: string | null | undefined) => (iso ? `${dateTime(iso)} (${ago(iso, now)})` : t("time.never"));

  async function revoke() {
    if (!d) return;
    setBusy(true);
    setFailure(null);
    try {
      await client.request("post", "/v1/admin/devices/{id}/revoke", { params: { id } });
      setConfirming(false);
      setDone(t("revoke.done", { name: d.name }));
      poll.refresh();
    } catch (e) {
      setConfirming(false);
      setFailure(failureText(failureOf(e), t, duration));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <p className="back">
        <a href={href({ page: "devices" })}>← {t("device.back")}</a>
      </p>
      <PageHeading>{d ? d.name : t("nav.devices")}</PageHeading>
      <RefreshLine failure={poll.failure} receivedAt={poll.receivedAt} />
      <SuccessAlert message={done} />
      <ErrorAlert message={failure} />
      {!d || !poll.data ? (
        <Loading failure={poll.failure} />
      ) : (
        <>
          {d.revoked ? (
            <div className="alert alert--warning">
              <p className="alert__text">{t("device.revokedNote")}</p>
            </div>
          ) : canManage ? (
            <button type="button" className="button button--danger" onClick={() => setConfirming(true)}>
              {t("device.revoke")}
            </button>
          ) : null}
          <section aria-labelledby="details-title" className="panel">
            <h2 id="details-title">{t("device.details")}</h2>
            <dl className="facts facts--grid">
              <dt>{t("device.state")}</dt>
              <dd>
                <span className={`state state--${stateOf(d)}`}>{t(`state.${stateOf(d)}` as ConsoleKey)}</span>
              </dd>
              <dt>{t("device.role")}</dt>
              <dd>{roleLabel(t, d.role)}</dd>
              <dt>{t("device.org")}</dt>
              <dd>{d.org}</dd>
              <dt>{t("device.id")}</dt>
              <dd className="mono">{d.id}</dd>
              <dt>{t("device.enrolled")}</dt>
              <dd>{dateTime(d.enrolled_at)}</dd>
              {d.complete_by ? (
                <>
                  <dt>{t("device.completeBy")}</dt>
                  <dd>{dateTime(d.complete_by)}</dd>
                </>
              ) : null}
              <dt>{t("device.lastContact")}</dt>
              <dd>{when(d.last_contact)}</dd>
              <dt>{t("device.lastPush")}</dt>
              <dd>
                {d.last_pushed_op ? (
                  <>
                    {uuidV7Time(d.last_pushed_op) !== null ? t("device.lastPushAt", { when: dateTime(uuidV7Time(d.last_pushed_op)!) }) : null}
                    <br />
                    <span className="mono muted">{d.last_pushed_op}</span>
                  </>
                ) : (
                  t("time.never")
                )}
              </dd>
              <dt>{t("device.lastPull")}</dt>
              <dd>{when(d.last_pull_at)}</dd>
              <dt>{t("device.behind")}</dt>
              <dd>{d.behind ? t("device.behindCount", { count: d.behind }) : t("device.upToDate")}</dd>
              <dt>{t("device.refusals")}</dt>
              <dd>
                {d.refused_ops ? t("device.refusedCount", { count: d.refused_ops }) : t("device.noRefusals")}
                {d.last_refusal ? (
                  <>
                    <br />
                    {t("device.lastRefusal", { when: dateTime(d.last_refusal.at), reason: refusalReason(d.last_refusal, t) })}
                  </>
                ) : null}
              </dd>
              <dt>{t("device.appVersion")}</dt>
              <dd>{d.app_version ?? t("device.notReported")}</dd>
              <dt>{t("device.protocol")}</dt>
              <dd>{d.protocol_version ?? t("device.notReported")}</dd>
            </dl>
          </section>
          <section aria-labelledby="history-title" className="panel">
            <h2 id="history-title">{t("device.history")}</h2>
            {poll.data.history.length === 0 ? (
              <p>{t("device.historyNone")}</p>
            ) : (
              <AuditTable entries={poll.data.history} caption={t("device.history")} />
            )}
          </section>
          <Dialog title={t("revoke.title", { name: d.name })} open={confirming} onClose={() => setConfirming(false)}>
            <p>{t("revoke.text")}</p>
            <p>{t("revoke.text2")}</p>
            <div className="button-row">
              <button type="button" className="button button--danger" disabled={busy} onClick={() => void revoke()}>
                {busy ? t("revoke.busy") : t("revoke.confirm")}
              </button>
              <button type="button" className="button button--outline" onClick={() => setConfirming(false)}>
                {t("dialog.cancel")}
              </button>
            </div>
          </Dialog>
        </>
      )}
    </>
  );
}
