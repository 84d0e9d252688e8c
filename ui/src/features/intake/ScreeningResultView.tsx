import type { CriterionAnswer, CriterionKind, Instrument, ScreeningResult } from "../../bindings";
import { useI18n } from "../../i18n/I18nProvider";


/** The result core computed and what drove it, worded in the screen's language
 * from the driver's question (core's own wording is English, for logs). */
export function ScreeningResultView({
  result,
  instrument,
  criteria,
  age,
}: {
  result: ScreeningResult;
  instrument: Instrument;
  criteria: Partial<Record<CriterionKind, { answer?: CriterionAnswer["answer"] | ""; rationale?: string } | undefined>>;
  /** The child's age in whole years at the screening, when known. */
  age: number | null;
}) {
  const { t, lang } = useI18n();
  const prompt = (id: string) => instrument.indicators.find((i) => i.id === id)?.prompt[lang] ?? id;
  // A criterion by its short name: the full prompt is the question above.
  const criterionPrompt = (id: string) =>
    instrument.criteria.some((c) => c.id === id) ? t(`enum.criterion.${id as CriterionKind}`) : undefined;
  const tone = result.indicators === "present" ? "warning" : result.indicators === "incomplete" ? "info" : "success";
  // What drove the return decision, one line each: a criterion, the age, the indicators.
  const returnReasons = result.drivers.flatMap((d) => {
    const cp = criterionPrompt(d.question);
    if (cp) {
      const a = criteria[d.question as CriterionKind];
      const because = !a?.answer
        ? t("screening.result.reasonUnanswered")
        : a.answer === "yes"
          ? t("screening.result.reasonNoRationale")
          : t("screening.result.reasonAnswer", { answer: t(`enum.answer.${a.answer}`) });
      return [`${cp} — ${because}`];
    }
    if (d.question === "child.age")
      return [age === null ? t("screening.result.reasonAgeUnknown") : t("screening.result.reasonUnder14", { age })];
    if (d.question === "indicators") return [t("screening.result.reasonIndicators")];
    if (d.question === "criteria") return [t("screening.result.reasonNoCriteria")];
    return [];
  });
  return (
    <section className={`alert alert--${tone} result`} aria-labelledby="screening-result-title" aria-live="polite">
      <h3 className="alert__title" id="screening-result-title">
        {t(`screening.result.${result.indicators}`)}
      </h3>
      {result.indicators_present.length ? (
        <>
          <p className="alert__text">{t("screening.result.drivenBy")}</p>
          <ul className="result__drivers">
            {result.indicators_present.map((id) => (
              <li key={id}>{prompt(id)}</li>
            ))}
          </ul>
        </>
      ) : null}
      {result.indicators_open.length ? (
        <p className="alert__text">{t("screening.result.open", { count: result.indicators_open.length })}</p>
      ) : null}
      {result.contiguous_return !== "not_applicable" ? (
        <div className="result__contiguous">
          <p className="alert__text">
            <strong>{t(`screening.result.return.${result.contiguous_return}`)}</strong>
          </p>
          {returnReasons.length ? (
            <ul>
              {returnReasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
