import { useCallback, useEffect, useRef, useState } from "react";
import type { JsonValue } from "../../bindings";
import { failureOf } from "../api/client";
import { failureText } from "../api/failureText";
import { asCaseConflicts, settleRequest, type CaseConflicts, type Conflict, type ConflictValue, type DeviceInfo } from "../api/schema";
import { usePoll } from "../api/usePoll";
import { consoleFieldLabel, keyPath, showValue } from "../conflicts/fieldLabels";
import { ErrorAlert, Loading, RefreshLine } from "../components/ui";
import { useConsoleI18n } from "../i18n/ConsoleI18n";
import { useSession } from "../session";
import { PageHeading } from "./PageHeading";

function ValueChoice({
  c,
  conflict,
  v,
  current,
  deviceName,
  busy,
  onKeep,
}: {
  c: CaseConflicts;
  conflict: Conflict;
  v: ConflictValue;
  current: boolean;
  deviceName: string;
  busy: boolean;
  onKeep: (c: CaseConflicts, conflict: Conflict, v: ConflictValue) => void;
}) {
  const { t, lang, dateTime } = useConsoleI18n();
  const field = consoleFieldLabel(conflict.key, lang);
  const value = v.value as JsonValue;
  const text =
    conflict.key.in === "removal"
      ? value === null
        ? t("conflicts.removed")
        : t("conflicts.edited", { value: showValue(value) })
      : value === null || value === ""
        ? t("conflicts.empty")
        : showValue(value);
  return (
    <li className={current ? "value value--current" : "value"}>
      <p className="value__text">{text}</p>
      <p className="muted value__by">{t("conflicts.by", { user: v.user, device: deviceName, when: dateTime(v.hlc.wall_ms) })}</p>
      {current ? <p className="hint">{t("conflicts.current")}</p> : null}
      {conflict.key.in !== "removal" ? (
        <button type="button" className="button button--outline" disabled={busy} onClick={() => onKeep(c, conflict, v)}>
          {t("conflicts.keep")}
          <span className="sr-only"> {t("conflicts.keepFor", { field, value: text })}</span>
        </button>
      ) : null}
    </li>
  );
}

export function Conflicts() {
  const { client } = useSession();
  const { t, lang, duration } = useConsoleI18n();
  const load = useCallback(
    (signal: AbortSignal) => client.request("get", "/v1/admin/conflicts", { signal }).then(asCaseConflicts),
    [client],
  );
  const poll = usePoll<CaseConflicts[]>(load, "conflicts");
  const [devices, setDevices] = useState<Map<string, string>>(new Map());
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const status = useRef<HTMLDivElement>(null);

  // Device names for "by … on …": read once; an unknown device shows by the end of its id.
  useEffect(() => {
    const controller = new AbortController();
    client
      .request("get", "/v1/admin/devices", { signal: controller.signal })
      .then((list: DeviceInfo[]) => setDevices(new Map(list.map((d) => [d.id, d.name]))))
      .catch(() => {});
    return () => controller.abort();
  }, [client]);

  async function keep(c: CaseConflicts, conflict: Conflict, v: ConflictValue) {
    setBusy(true);
    setFailure(null);
    setDone(null);
    try {
      await client.request("post", "/v1/admin/conflicts/{case_id}/settle", {
        params: { case_id: c.case_id },
        body: settleRequest(conflict.key, v.op),
      });
      const value = v.value as JsonValue;
      setDone(
        t("conflicts.kept", {
          value: conflict.key.in === "removal" && value === null ? t("conflicts.removed") : `“${showValue(value)}”`,
          field: consoleFieldLabel(conflict.key, lang),
          reference: c.reference,
        }),
      );
      poll.refresh();
    } catch (e) {
      setFailure(failureText(failureOf(e), t, duration));
    } finally {
      setBusy(false);
      requestAnimationFrame(() => status.current?.focus());
    }
  }

  const nameOf = (device: string) => devices.get(device) ?? `…${device.slice(-8)}`;

  return (
    <>
      <PageHeading>{t("conflicts.title")}</PageHeading>
      <p className="lead">{t("conflicts.lead")}</p>
      <RefreshLine failure={poll.failure} receivedAt={poll.receivedAt} />
      <div ref={status} tabIndex={-1} className="status-target">
        <ErrorAlert message={failure} />
        <div role="status" aria-live="polite" className={done ? "alert alert--success" : "sr-only"}>
          {done ? <p className="alert__text">{done}</p> : null}
        </div>
      </div>
      {!poll.data ? (
        <Loading failure={poll.failure} />
      ) : poll.data.length === 0 ? (
        <p>{t("conflicts.none")}</p>
      ) : (
        poll.data.map((c) => (
          <section key={c.case_id} className="panel case-conflicts" aria-labelledby={`case-${c.case_id}`}>
            <h2 id={`case-${c.case_id}`}>{t("conflicts.case", { reference: c.reference })}</h2>
            {c.owner ? <p className="muted">{t("conflicts.owner", { org: c.owner })}</p> : null}
            {c.conflicts.map((conflict) => {
              const field = consoleFieldLabel(conflict.key, lang);
              const headingId = `conflict-${c.case_id}-${keyPath(conflict.key).replace(/[^A-Za-z0-9_-]+/g, "-")}`;
              return (
                <div key={keyPath(conflict.key)} className="card conflict">
                  <h3 id={headingId}>
                    {conflict.key.in === "removal" ? t("conflicts.removal", { list: field }) : t("conflicts.field", { field })}
                  </h3>
                  {conflict.key.in === "removal" ? <p className="hint">{t("conflicts.removalOnDevice")}</p> : null}
                  <ul className="values" aria-labelledby={headingId}>
                    {conflict.values.map((v, i) => (
                      <ValueChoice
                        key={v.op}
                        c={c}
                        conflict={conflict}
                        v={v}
                        current={i === conflict.values.length - 1}
                        deviceName={nameOf(v.device)}
                        busy={busy}
                        onKeep={(cc, k, vv) => void keep(cc, k, vv)}
                      />
                    ))}
                  </ul>
                </div>
              );
            })}
          </section>
        ))
      )}
    </>
  );
}
