import type { Answer, Instrument, ScreeningRecord, ScreeningResult } from "../../bindings";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/translate";

const OUTCOME: Record<ScreeningResult["outcome"], MessageKey> = {
  indicators_present: "screening.result.present",
  no_indicators: "screening.result.none",
  incomplete: "screening.result.incomplete",
};

/** The computed result and what drove it, in the screen's language. */
export function ScreeningResultView({
  result,
  instrument,
  record,
}: {
  result: ScreeningResult;
  instrument: Instrument;
  record: ScreeningRecord;
}) {
  const { t, lang } = useI18n();
  const prompt = (id: string) => instrument.indicators.find((i) => i.id === id)?.prompt[lang] ?? id;
  const criterion = (id: string) => instrument.contiguous_criteria.find((c) => c.id === id)?.prompt[lang] ?? id;
  const tone = result.outcome === "indicators_present" ? "warning" : result.outcome === "incomplete" ? "info" : "success";
  return (
    <section className={`alert alert--${tone} result`} aria-labelledby="screening-result-title" aria-live="polite">
      <h3 className="alert__title" id="screening-result-title">
        {t(OUTCOME[result.outcome])}
      </h3>
      {result.drivers.length ? (
        <>
          <p className="alert__text">{t("screening.result.drivenBy")}</p>
          <ul className="result__drivers">
            {result.drivers.map((id) => (
              <li key={id}>{prompt(id)}</li>
            ))}
          </ul>
        </>
      ) : null}
      {result.open.length ? <p className="alert__text">{t("screening.result.open", { count: result.open.length })}</p> : null}
      {result.contiguous ? (
        <div className="result__contiguous">
          <p className="alert__text">
            <strong>{t(result.contiguous.may_return ? "screening.result.mayReturn" : "screening.result.mustNotReturn")}</strong>
          </p>
          {result.contiguous.findings.length ? (
            <ul>
              {result.contiguous.findings.map((f) => {
                const answer: Answer | undefined = record.contiguous?.[f.criterion]?.answer;
                const because =
                  f.reason === "under_14"
                    ? t("screening.result.reasonUnder14")
                    : f.reason === "unanswered"
                      ? t("screening.result.reasonUnanswered")
                      : t("screening.result.reasonAnswer", { answer: answer ? t(`enum.answer.${answer}`) : "?" });
                return (
                  <li key={f.criterion}>
                    {criterion(f.criterion)} — {because}
                  </li>
                );
              })}
            </ul>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
