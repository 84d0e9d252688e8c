import { useCallback, useDeferredValue, useMemo, useState } from "react";
import type { DeviceInfo, DeviceState } from "../api/schema";
import { usePoll } from "../api/usePoll";
import { DEVICE_STATES, filterDevices, stateOf, pageOf, rolesOf, sortDevices, type ContactOrder, type DeviceFilter } from "../devices/list";
import { Field, Loading, RefreshLine } from "../components/ui";
import { useConsoleI18n, type ConsoleKey } from "../i18n/ConsoleI18n";
import { roleLabel } from "../labels";
import { href } from "../route";
import { useSession } from "../session";
import { PageHeading } from "./PageHeading";

// The filters outlive a visit to a device's page and back (not a sign-out).
const FRESH = { filter: { role: "", state: "", text: "" }, order: "oldest", page: 1 } as const;
let kept: { filter: DeviceFilter; order: ContactOrder; page: number } = { ...FRESH, filter: { ...FRESH.filter } };
export function resetDeviceFilters() {
  kept = { ...FRESH, filter: { ...FRESH.filter } };
}


export function Devices() {
  const { client } = useSession();
  const { t, ago } = useConsoleI18n();
  const load = useCallback((signal: AbortSignal) => client.request("get", "/v1/admin/devices", { signal }), [client]);
  const poll = usePoll<DeviceInfo[]>(load, "devices");
  const [filter, setFilterState] = useState(kept.filter);
  const [order, setOrderState] = useState(kept.order);
  const [page, setPageState] = useState(kept.page);
  const text = useDeferredValue(filter.text);
  const setFilter = (f: DeviceFilter) => {
    setFilterState(f);
    setPageState(1);
    kept = { ...kept, filter: f, page: 1 };
  };
  const setOrder = (o: ContactOrder) => {
    setOrderState(o);
    kept = { ...kept, order: o };
  };
  const setPage = (p: number) => {
    setPageState(p);
    kept = { ...kept, page: p };
  };

  const devices = poll.data;
  const roles = useMemo(() => rolesOf(devices ?? []), [devices]);
  const sorted = useMemo(
    () => sortDevices(filterDevices(devices ?? [], { ...filter, text }), order),
    [devices, filter.role, filter.state, text, order],
  );
  const shown = pageOf(sorted, page);
  const now = poll.receivedAt ?? Date.now();

  return (
    <>
      <PageHeading>{t("devices.title")}</PageHeading>
      <RefreshLine failure={poll.failure} receivedAt={poll.receivedAt} />
      {!devices ? (
        <Loading failure={poll.failure} />
      ) : devices.length === 0 ? (
        <p>{t("devices.empty")}</p>
      ) : (
        <>
          <div role="search" aria-label={t("devices.filters")}>
            <form className="filters" onSubmit={(e) => e.preventDefault()}>
              <Field label={t("devices.name")}>
                {({ id }) => (
                  <input
                    id={id}
                    type="search"
                    className="input input--medium"
                    value={filter.text}
                    onChange={(e) => setFilter({ ...filter, text: e.target.value })}
                  />
                )}
              </Field>
              <Field label={t("devices.role")}>
                {({ id }) => (
                  <select id={id} className="select" value={filter.role} onChange={(e) => setFilter({ ...filter, role: e.target.value })}>
                    <option value="">{t("devices.anyRole")}</option>
                    {roles.map((r) => (
                      <option key={r} value={r}>
                        {roleLabel(t, r)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label={t("devices.state")}>
                {({ id }) => (
                  <select
                    id={id}
                    className="select"
                    value={filter.state}
                    onChange={(e) => setFilter({ ...filter, state: e.target.value as DeviceState | "" })}
                  >
                    <option value="">{t("devices.anyState")}</option>
                    {DEVICE_STATES.map((s) => (
                      <option key={s} value={s}>
                        {t(`state.${s}` as ConsoleKey)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            </form>
          </div>
          <p role="status" aria-live="polite" className="count">
            {shown.total === 0
              ? t("devices.noMatch")
              : t("devices.showing", { from: shown.from, to: shown.to, count: shown.total })}
          </p>
          {shown.total > 0 ? (
            <>
              <table className="table">
                <caption className="sr-only">{t("devices.table")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("devices.col.name")}</th>
                    <th scope="col">{t("devices.col.role")}</th>
                    <th scope="col">{t("devices.col.state")}</th>
                    <th scope="col" aria-sort={order === "oldest" ? "ascending" : "descending"}>
                      <button
                        type="button"
                        className="sort-button"
                        onClick={() => setOrder(order === "oldest" ? "newest" : "oldest")}
                      >
                        {t("devices.col.lastContact")}
                        <span className="sort-button__order"> ({order === "oldest" ? t("devices.sortedOldest") : t("devices.sortedNewest")})</span>
                      </button>
                    </th>
                    <th scope="col" className="num">
                      {t("devices.col.behind")}
                    </th>
                    <th scope="col" className="num">
                      {t("devices.col.refused")}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {shown.rows.map((d) => (
                    <tr key={d.id}>
                      <th scope="row">
                        <a href={href({ page: "device", id: d.id })}>{d.name}</a>
                      </th>
                      <td>{roleLabel(t, d.role)}</td>
                      <td>
                        <span className={`state state--${stateOf(d)}`}>{t(`state.${stateOf(d)}` as ConsoleKey)}</span>
                      </td>
                      <td>{ago(d.last_contact, now)}</td>
                      <td className="num">{d.behind ?? 0}</td>
                      <td className="num">{d.refused_ops ?? 0}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {shown.pages > 1 ? (
                <nav className="pager" aria-label={t("devices.pages")}>
                  <button type="button" className="button button--outline" disabled={shown.page <= 1} onClick={() => setPage(shown.page - 1)}>
                    {t("devices.previous")}
                  </button>
                  <span>{t("devices.page", { page: shown.page, pages: shown.pages })}</span>
                  <button
                    type="button"
                    className="button button--outline"
                    disabled={shown.page >= shown.pages}
                    onClick={() => setPage(shown.page + 1)}
                  >
                    {t("devices.next")}
                  </button>
                </nav>
              ) : null}
            </>
          ) : null}
        </>
      )}
    </>
  );
}
