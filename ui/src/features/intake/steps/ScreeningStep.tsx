import { ANSWERS } from "../../../bindings/vocabulary";
import { useEffect, useMemo, useState } from "react";
import type { Answer, CriterionKind, PromptLanguage, ScreeningResult } from "../../../bindings";
import { RadioGroup } from "../../../components/choices";
import { SelectField, TextArea, TextField } from "../../../components/inputs";
import { domId } from "../../../components/problem";
import { useI18n } from "../../../i18n/I18nProvider";
import { call } from "../../../ipc";
import { instantToRfc3339 } from "../../../shared/caseForm/dates";
import { childAge, isContiguous, toNewCase } from "../draft";
import { options } from "../../../shared/caseForm/options";
import { ScreeningResultView } from "../ScreeningResultView";
import type { StepProps } from "./stepProps";

export function ScreeningStep({ draft, set, problems, instruments }: StepProps) {
  const { t } = useI18n();
  const s = draft.screening;
  const instrument = instruments.find((i) => i.id === s.instrument && i.version === s.version) ?? null;
  const lang: PromptLanguage = s.prompt_language;
  const contiguous = isContiguous(draft);
  const [result, setResult] = useState<ScreeningResult | null>(null);
  const answerOptions = options(t, "enum.answer", ANSWERS);
  const put = (patch: Partial<typeof s>) => set((d) => ({ ...d, screening: { ...d.screening, ...patch } }));

  // The screening starts when the screener first opens it to screen now.
  useEffect(() => {
    if (s.when === "now" && !s.started_at) put({ started_at: instantToRfc3339(Date.now()) });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [s.when, s.started_at]);

  // Core computes the result from the case as it would be saved; ask again a moment after the last change.
  const input = useMemo(() => (s.when === "now" && instrument ? toNewCase(draft, new Date()) : null), [draft, s.when, instrument]);
  useEffect(() => {
    if (!input) {
      setResult(null);
      return;
    }
    let current = true;
    const id = window.setTimeout(() => {
      call("screening_evaluate", { input }).then(
        (r) => current && setResult(r),
        () => current && setResult(null),
      );
    }, 150);
    return () => {
      current = false;
      window.clearTimeout(id);
    };
  }, [input]);

  const answer = (id: string, a: Answer) => put({ answers: { ...s.answers, [id]: a } });
  const criterion = (id: CriterionKind, patch: { answer?: Answer; rationale?: string }) =>
    put({ criteria: { ...s.criteria, [id]: { answer: "", rationale: "", ...s.criteria[id], ...patch } } });

  return (
    <>
      <RadioGroup
        id={domId("screening.when")}
        legend={t("screening.when")}
        hint={t("screening.whenHint")}
        value={s.when}
        onChange={(v) => put({ when: v })}
        options={[
          { value: "now", label: t("screening.whenNow") },
          { value: "later", label: t("screening.whenLater") },
        ]}
        error={problems["screening.when"]}
      />
      {s.when !== "now" ? null : (
        <>
          {instruments.length > 1 ? (
            <SelectField
              id={domId("screening.instrument")}
              label={t("screening.instrument")}
              value={instrument ? `${instrument.id}@${instrument.version}` : ""}
              onChange={(v) => {
                const i = instruments.find((x) => `${x.id}@${x.version}` === v);
                put({ instrument: i?.id ?? "", version: i?.version ?? 0, answers: {}, criteria: {} });
              }}
              options={instruments.map((i) => ({ value: `${i.id}@${i.version}`, label: `${i.title[lang]} (v${i.version})` }))}
              placeholder={t("screening.instrumentPlaceholder")}
              error={problems["screening.instrument"]}
              required
            />
          ) : instrument ? (
            <p className="muted">{t("screening.instrumentIs", { title: instrument.title[lang], version: instrument.version })}</p>
          ) : (
            <p className="error-message" id={domId("screening.instrument")}>
              {t("intake.err.instrumentMissing")}
            </p>
          )}
          <RadioGroup
            id={domId("screening.prompt_language")}
            legend={t("screening.language")}
            hint={t("screening.languageHint")}
            value={s.prompt_language}
            onChange={(v) => put({ prompt_language: v })}
            options={[
              { value: "en", label: "English" },
              { value: "es", label: "Español" },
            ]}
            inline
          />
          {draft.child.interpreter_used === "yes" ? (
            <TextField
              id={domId("screening.interpreter")}
              label={t("screening.interpreter")}
              hint={t("screening.interpreterHint")}
              value={s.interpreter}
              onChange={(v) => put({ interpreter: v })}
            />
          ) : null}
          {instrument ? (
            <>
              <div className="alert alert--info" lang={lang}>
                <p className="alert__text">{instrument.introduction[lang]}</p>
              </div>
              <h2>{t("screening.indicators")}</h2>
              <ol className="questions">
                {instrument.indicators.map((ind, n) => (
                  <li key={ind.id} lang={lang}>
                    <RadioGroup
                      id={domId(`screening.answers.${ind.id}`)}
                      legend={`${n + 1}. ${ind.prompt[lang]}`}
                      value={s.answers[ind.id] ?? ""}
                      onChange={(a) => answer(ind.id, a)}
                      options={answerOptions}
                      error={problems[`screening.answers.${ind.id}`]}
                      inline
                    />
                  </li>
                ))}
              </ol>
              {contiguous && instrument.criteria.length ? (
                <section aria-labelledby="contiguous-title">
                  <h2 id="contiguous-title">{t("screening.contiguous")}</h2>
                  <p className="hint">{t("screening.contiguousHint")}</p>
                  {instrument.criteria.map((c) => (
                    <div className="card" key={c.id} lang={lang}>
                      <RadioGroup
                        id={domId(`screening.criteria.${c.id}.answer`)}
                        legend={c.prompt[lang]}
                        value={s.criteria[c.id]?.answer ?? ""}
                        onChange={(a) => criterion(c.id, { answer: a })}
                        options={answerOptions}
                        error={problems[`screening.criteria.${c.id}.answer`]}
                        inline
                      />
                      <TextArea
                        id={domId(`screening.criteria.${c.id}.rationale`)}
                        label={t("screening.rationale")}
                        hint={t("screening.rationaleHint")}
                        rows={2}
                        value={s.criteria[c.id]?.rationale ?? ""}
                        onChange={(v) => criterion(c.id, { rationale: v })}
                        error={problems[`screening.criteria.${c.id}.rationale`]}
                        required
                      />
                    </div>
                  ))}
                </section>
              ) : null}
              {result ? <ScreeningResultView result={result} instrument={instrument} criteria={s.criteria} age={childAge(draft)} /> : null}
            </>
          ) : null}
        </>
      )}
    </>
  );
}
