import { memo, startTransition, useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { CaseId, CaseRow } from "../../bindings";
import { CommandAlert } from "../../components/ErrorSummary";
import { useNow } from "../../components/useNow";
import { numberFormat } from "../../i18n/format";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/translate";
import { call, CommandFailure } from "../../ipc";
import { useErrorText } from "../../shared/errors";
import { useSyncChanges } from "../../shared/useSyncChanges";
import { CustodyClockView } from "../../shared/CustodyClockView";
import { moreCount, nextLimit, pageOf, PAGE_SIZE, sameRowMinute } from "./casePaging";
import { FILTERS, visibleCases, type CaseFilter } from "./filterCases";
import { useCaseSearch } from "./useCaseSearch";

const FILTER_LABEL: Record<CaseFilter, MessageKey> = {
  deadline_near: "cases.filter.deadlineNear",
  needs_screening: "cases.filter.needsScreening",
  referral_pending: "cases.filter.referralPending",
  conflict: "cases.filter.conflict",
};

function Flags({ c }: { c: CaseRow }) {
  const { t } = useI18n();
  const flags: MessageKey[] = [];
  if (c.needs_screening) flags.push("cases.flag.needsScreening");
  if (c.referral_pending) flags.push("cases.flag.referralPending");
  if (c.has_conflict) flags.push("cases.flag.conflict");
  if (!flags.length) return null;
  return (
    <ul className="tags">
      {flags.map((f) => (
        <li key={f} className={`tag tag--${f.split(".").pop()}`}>
          {t(f)}
        </li>
      ))}
    </ul>
  );
}

/** One case's row. Memoised on the case, the minute and the language (through
 * the context): the 30 s clock tick redraws a row only when its minute moved. */
const CaseTableRow = memo(
  function CaseTableRow({ c, now, onOpen }: { c: CaseRow; now: number; onOpen: (id: CaseId) => void }) {
    const { t, dateTime } = useI18n();
    return (
      <tr>
        <th scope="row">
          <button type="button" className="link-button" onClick={() => onOpen(c.id)}>
            {[c.given_name, c.family_name].filter(Boolean).join(" ") || t("cases.unnamed")}
          </button>
          <Flags c={c} />
        </th>
        <td>
          <div>{c.station}</div>
          <div className="muted">{c.encounter_at ? dateTime(c.encounter_at) : ""}</div>
        </td>
        <td>
          <CustodyClockView clock={c.clock} now={now} />
        </td>
        <td>{t(`status.${c.status}` as MessageKey)}</td>
      </tr>
    );
  },
  sameRowMinute,
);

/** The search box keeps its own text, so a keystroke redraws only the box at
 * once; the list follows in a transition that the next keystroke interrupts. */
function CaseSearchField({ onChange }: { onChange: (text: string) => void }) {
  const { t } = useI18n();
  const [text, setText] = useState("");
  return (
    <div className="form-group search">
      <label className="label" htmlFor="case-search">
        {t("cases.search")}
      </label>
      <div className="hint" id="case-search--hint">
        {t("cases.searchHint")}
      </div>
      <input
        id="case-search"
        className="input"
        type="search"
        value={text}
        aria-describedby="case-search--hint"
        onChange={(e) => {
          setText(e.target.value);
          onChange(e.target.value);
        }}
      />
    </div>
  );
}

export function CaseListScreen({ onOpen, onNewIntake }: { onOpen: (id: CaseId) => void; onNewIntake: () => void }) {
  const { t, locale } = useI18n();
  const errorText = useErrorText();
  const now = useNow();
  const [cases, setCases] = useState<CaseRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [filters, setFilters] = useState<Set<CaseFilter>>(new Set());
  const [query, setQuery] = useState("");
  // After a sync that changed something, the list and the search are read again;
  // the search text, filters and scroll stay (the rows keep their keys).
  const changes = useSyncChanges();
  const search = useCaseSearch(query, changes);
  const onQuery = useCallback((text: string) => startTransition(() => setQuery(text)), []);
  const [limit, setLimit] = useState(PAGE_SIZE);
  // After "Show more", the keyboard goes on at the first row just added.
  const focusRow = useRef<number | null>(null);
  useEffect(() => {
    const n = focusRow.current;
    focusRow.current = null;
    if (n === null) return;
    document.querySelectorAll<HTMLButtonElement>(".case-table tbody tr th button.link-button")[n]?.focus();
  }, [limit]);
  // A new search or filter starts again at the first page.
  useEffect(() => setLimit(PAGE_SIZE), [query, filters]);
  // `onOpen` may be a new function on every render of the parent: keep the rows' prop stable.
  const onOpenRef = useRef(onOpen);
  onOpenRef.current = onOpen;
  const openCase = useCallback((id: CaseId) => onOpenRef.current(id), []);

  // Core reads every clock when the list is fetched; fetch again each minute so
  // that "due soon" stays core's decision while the screen is left open.
  useEffect(() => {
    let alive = true;
    const load = () =>
      call("case_list").then(
        (list) => {
          if (!alive) return;
          setCases(list);
          setError(null);
        },
        (e: CommandFailure) => alive && setError(errorText(e.error)),
      );
    void load();
    const id = window.setInterval(load, 60_000);
    return () => {
      alive = false;
      window.clearInterval(id);
    };
  }, [errorText, changes]);

  const rows = useMemo(() => (cases ? visibleCases(cases, filters, search.hits, now) : []), [cases, filters, search.hits, now]);
  const page = pageOf(rows, limit);
  const more = moreCount(rows.length, limit);
  const num = (n: number) => numberFormat(locale, {}).format(n);
  const toggle = (f: CaseFilter) =>
    setFilters((old) => {
      const next = new Set(old);
      if (next.has(f)) next.delete(f);
      else next.add(f);
      return next;
    });

  return (
    <section aria-labelledby="cases-title">
      <div className="page-head">
        <h1 id="cases-title" tabIndex={-1}>
          {t("cases.title")}
        </h1>
        <button type="button" className="button" onClick={onNewIntake}>
          {t("cases.newIntake")}
        </button>
      </div>
      <CommandAlert message={error} />
      <div className="toolbar">
        <CaseSearchField onChange={onQuery} />
        <fieldset className="fieldset filters">
          <legend className="legend">{t("cases.filters")}</legend>
          <div className="choices choices--inline">
            {FILTERS.map((f) => (
              <div className="choice" key={f}>
                <input
                  className="choice__input"
                  type="checkbox"
                  id={`filter-${f}`}
                  checked={filters.has(f)}
                  onChange={() => toggle(f)}
                />
                <label className="choice__label" htmlFor={`filter-${f}`}>
                  {t(FILTER_LABEL[f])}
                </label>
              </div>
            ))}
          </div>
        </fieldset>
      </div>
      {search.failed ? <CommandAlert message={t("cases.searchFailed")} /> : null}
      <p className="result-count" aria-live="polite">
        {cases === null
          ? t("common.loading")
          : t("cases.count", { shown: num(page.length), total: num(cases.length) }) +
            (rows.length > page.length && rows.length < cases.length
              ? ` ${t("cases.matching", { count: rows.length, matching: num(rows.length) })}`
              : "")}
      </p>
      {rows.length ? (
        <table className="table case-table">
          <caption className="sr-only">{t("cases.title")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("cases.col.child")}</th>
              <th scope="col">{t("cases.col.encounter")}</th>
              <th scope="col">{t("cases.col.clock")}</th>
              <th scope="col">{t("cases.col.status")}</th>
            </tr>
          </thead>
          <tbody>
            {page.map((c) => (
              <CaseTableRow key={c.id} c={c} now={now} onOpen={openCase} />
            ))}
          </tbody>
        </table>
      ) : null}
      {more > 0 ? (
        <p className="show-more">
          <button type="button" className="button button--secondary" onClick={() => {
              focusRow.current = page.length;
              setLimit(nextLimit(rows.length, limit));
            }}>
            {t("cases.showMore", { count: more })}
          </button>
        </p>
      ) : null}
      {rows.length ? null : cases !== null ? (
        <p className="empty">{t(query.trim() || filters.size ? "cases.noMatch" : "cases.empty")}</p>
      ) : null}
    </section>
  );
}
