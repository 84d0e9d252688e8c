import { useEffect, useState } from "react";
import type { CaseDetail, CaseId, CriterionKind, ScreeningResult } from "../../bindings";
import { CommandAlert } from "../../components/ErrorSummary";
import { useNow } from "../../components/useNow";
import { useI18n } from "../../i18n/I18nProvider";
import { call, CommandFailure } from "../../ipc";
import { CustodyClockView } from "../../shared/CustodyClockView";
import { useErrorText } from "../../shared/errors";
import { useSyncChanges } from "../../shared/useSyncChanges";
import { ChildSection, StatusEdit } from "./ChildSection";
import { Row } from "./EditableSection";
import { Conflicts } from "./Conflicts";
import { CustodySection } from "./CustodySection";
import { EncounterSection } from "./EncounterSection";
import { Notes } from "./Notes";
import { Outcomes } from "./Outcomes";
import { Referrals } from "./Referrals";
import { Sharing } from "./Sharing";
import { Relief } from "./Relief";
import { Services } from "./Services";
import { Timeline } from "./Timeline";

/** The short case reference staff quote on the phone: the id's last 8 characters
 * (the random part of a UUIDv7, so two cases rarely share it). */
export const shortCaseId = (id: CaseId) => id.slice(-8);

/** The case's reference and its full id, which one click selects for copying. */
function CaseReference({ id }: { id: CaseId }) {
  const { t } = useI18n();
  return (
    <dl className="case-ref">
      <div className="case-ref__row">
        <dt>{t("detail.caseRef")}</dt>
        <dd className="case-ref__short">{shortCaseId(id)}</dd>
      </div>
      <div className="case-ref__row">
        <dt>{t("detail.caseId")}</dt>
        <dd>
          <code className="case-ref__full">{id}</code>
        </dd>
      </div>
    </dl>
  );
}

/** The stored result in short: the instrument itself is not needed to read it. */
function ScreeningSummary({ result }: { result: ScreeningResult }) {
  const { t } = useI18n();
  const tone = result.indicators === "present" ? "warning" : result.indicators === "incomplete" ? "info" : "success";
  return (
    <div className={`alert alert--${tone}`}>
      <p className="alert__title">{t(`screening.result.${result.indicators}`)}</p>
      {result.indicators_present.length ? (
        <p className="alert__text">
          {t("detail.screening.drivers", { list: result.indicators_present.join(", ") })}
        </p>
      ) : null}
      {result.contiguous_return !== "not_applicable" ? (
        <p className="alert__text">
          <strong>{t(`screening.result.return.${result.contiguous_return}`)}</strong>
        </p>
      ) : null}
    </div>
  );
}

export function CaseDetailScreen({ id, onBack }: { id: CaseId; onBack: () => void }) {
  const { t, dateTime } = useI18n();
  const errorText = useErrorText();
  const now = useNow();
  const [detail, setDetail] = useState<CaseDetail | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  // Read again after a sync that changed something: the sections keep their own
  // state (a note being written, a conflict choice), only the case is replaced.
  const changes = useSyncChanges();

  useEffect(() => {
    let current = true;
    call("case_get", { id }).then(
      (d) => current && setDetail(d),
      (e: CommandFailure) => current && setFailure(errorText(e.error)),
    );
    return () => {
      current = false;
    };
  }, [id, errorText, changes]);

  const back = (
    <button type="button" className="link-button back" onClick={onBack}>
      ← {t("detail.back")}
    </button>
  );
  if (!detail) {
    return (
      <section>
        {back}
        <CommandAlert message={failure} />
        {failure ? null : <p>{t("common.loading")}</p>}
      </section>
    );
  }
  const d = detail.document;
  const c = d.child ?? {};
  const name = [c.given_name, c.family_name].filter(Boolean).join(" ") || t("cases.unnamed");
  const s = d.screening;
  return (
    <article aria-labelledby="case-title" className="case-detail">
      {back}
      <div className="page-head">
        <h1 id="case-title" tabIndex={-1}>
          {name}
        </h1>
        <StatusEdit detail={detail} onChanged={setDetail} />
      </div>
      <CaseReference id={detail.id} />
      <CustodyClockView clock={detail.clock} now={now} />
      <Conflicts detail={detail} onResolved={setDetail} />
      <div className="columns">
        <ChildSection detail={detail} onChanged={setDetail} />
        <EncounterSection detail={detail} onChanged={setDetail} />
      </div>
      <CustodySection detail={detail} onChanged={setDetail} />
      <section aria-labelledby="screening-title" className="panel">
        <h2 id="screening-title">{t("intake.step.screening")}</h2>
        {s ? (
          <>
            <dl className="summary">
              <Row label={t("screening.instrument")}>{`${s.instrument} v${s.version}`}</Row>
              <Row label={t("screening.language")}>{s.prompt_language ?? "—"}</Row>
              <Row label={t("detail.screening.when")}>
                {s.completed_at ? dateTime(s.completed_at) : s.started_at ? dateTime(s.started_at) : "—"}
                {s.screener ? ` · ${s.screener}` : ""}
              </Row>
              {s.interpreter ? <Row label={t("screening.interpreter")}>{s.interpreter}</Row> : null}
              {Object.keys(s.criteria ?? {}).length ? (
                <Row label={t("screening.contiguous")}>
                  <ul className="plain">
                    {Object.entries(s.criteria ?? {}).map(([k, v]) => (
                      <li key={k}>
                        <strong>{t(`enum.criterion.${k as CriterionKind}`)}</strong>: {v ? t(`enum.answer.${v.answer}`) : "—"}
                        {v?.rationale ? ` — ${v.rationale}` : ""}
                      </li>
                    ))}
                  </ul>
                </Row>
              ) : null}
            </dl>
            {s.result ? <ScreeningSummary result={s.result} /> : null}
          </>
        ) : (
          <p className="tag tag--needsScreening">{t("cases.flag.needsScreening")}</p>
        )}
      </section>
      <Referrals detail={detail} onChanged={setDetail} />
      <Sharing detail={detail} onChanged={setDetail} />
      <Services detail={detail} onChanged={setDetail} />
      <Relief detail={detail} onChanged={setDetail} />
      <Outcomes detail={detail} onChanged={setDetail} />
      <Notes detail={detail} onChanged={setDetail} />
      <Timeline entries={detail.timeline} />
    </article>
  );
}
