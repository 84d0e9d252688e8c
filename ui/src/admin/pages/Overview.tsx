import { useCallback } from "react";
import type { DeviceCounts, DeviceState, Overview as OverviewData } from "../api/schema";
import { usePoll } from "../api/usePoll";
import { DEVICE_STATES } from "../devices/list";
import { Loading, RefreshLine } from "../components/ui";
import { useConsoleI18n, type ConsoleKey } from "../i18n/ConsoleI18n";
import { href } from "../route";
import { useSession } from "../session";
import { PageHeading } from "./PageHeading";

export function Overview() {
  const { client } = useSession();
  const { t, dateTime, ago, lang } = useConsoleI18n();
  const load = useCallback((signal: AbortSignal) => client.request("get", "/v1/admin/overview", { signal }), [client]);
  const poll = usePoll<OverviewData>(load, "overview");
  const o = poll.data;
  return (
    <>
      <PageHeading>{t("overview.title")}</PageHeading>
      <RefreshLine failure={poll.failure} receivedAt={poll.receivedAt} />
      {!o ? (
        <Loading failure={poll.failure} />
      ) : (
        <>
          <section aria-labelledby="problems-title" className="panel">
            <h2 id="problems-title">{t("overview.problems")}</h2>
            {o.problems.length === 0 ? (
              <p>{t("overview.noProblems")}</p>
            ) : (
              <ul className="problems">
                {o.problems.map((p) => (
                  <li key={`${p.kind}-${p.device}`} className={`problem problem--${p.kind}`}>
                    <a href={href({ page: "device", id: p.device })}>{p.device_name}</a>{" "}
                    <strong>{t(`problem.${p.kind}` as ConsoleKey)}</strong>
                    {p.since ? <span className="muted"> {t("overview.problemSince", { when: dateTime(p.since) })}</span> : null}
                    {lang === "en" && p.detail ? <span className="problem__detail">{p.detail}</span> : null}
                  </li>
                ))}
              </ul>
            )}
          </section>
          <div className="columns">
            <section aria-labelledby="counts-title" className="panel">
              <h2 id="counts-title">{t("overview.devices")}</h2>
              <table className="table table--compact">
                <caption className="sr-only">{t("overview.devices")}</caption>
                <tbody>
                  {DEVICE_STATES.map((s: DeviceState) => (
                    <tr key={s}>
                      <th scope="row">{t(`state.${s}` as ConsoleKey)}</th>
                      <td className="num">{o.devices[s as keyof DeviceCounts]}</td>
                    </tr>
                  ))}
                  <tr className="total">
                    <th scope="row">{t("overview.total")}</th>
                    <td className="num">{o.devices.total}</td>
                  </tr>
                </tbody>
              </table>
              <p className="hint">{t("overview.silentAfter", { count: o.silent_after_days })}</p>
            </section>
            <section aria-labelledby="activity-title" className="panel">
              <h2 id="activity-title">{t("overview.activity")}</h2>
              <dl className="facts">
                <dt>{t("overview.opsLastDay")}</dt>
                <dd className="big-number">{o.ops_last_day}</dd>
                <dt>{t("overview.openConflicts")}</dt>
                <dd>
                  <span className="big-number">{o.open_conflicts}</span>{" "}
                  {o.open_conflicts > 0 ? <a href={href({ page: "conflicts" })}>{t("overview.seeConflicts")}</a> : null}
                </dd>
                <dt>{t("overview.oldest")}</dt>
                <dd>
                  {o.oldest_unsynced ? (
                    <>
                      <a href={href({ page: "device", id: o.oldest_unsynced.id })}>{o.oldest_unsynced.name}</a>
                      {" — "}
                      {t("device.lastContact")}: {ago(o.oldest_unsynced.last_contact, Date.parse(o.now))}
                    </>
                  ) : (
                    t("overview.oldestNone")
                  )}
                </dd>
              </dl>
            </section>
          </div>
        </>
      )}
    </>
  );
}
