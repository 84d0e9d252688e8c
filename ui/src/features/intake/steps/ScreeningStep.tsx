import { useEffect, useMemo, useState } from "react";
import type { Answer, Lang, ScreeningResult } from "../../../bindings";
import { RadioGroup } from "../../../components/choices";
import { SelectField, TextArea } from "../../../components/inputs";
import { domId } from "../../../components/problem";
import { useI18n } from "../../../i18n/I18nProvider";
import { call } from "../../../ipc";
import { isContiguous, screeningRecord } from "../draft";
import { ANSWERS, options } from "../options";
import { ScreeningResultView } from "../ScreeningResultView";
import type { StepProps } from "./stepProps";

export function ScreeningStep({ draft, set, problems, instruments }: StepProps) {
  const { t } = useI18n();
  const s = draft.screening;
  const instrument = instruments.find((i) => i.id === s.instrument_id) ?? null;
  const lang: Lang = s.language;
  const contiguous = isContiguous(draft);
  const record = useMemo(() => screeningRecord(draft), [draft]);
  const [result, setResult] = useState<ScreeningResult | null>(null);
  const answerOptions = options(t, "enum.answer", ANSWERS);

  // Core computes the result; ask again a moment after the last change.
  useEffect(() => {
    if (!instrument) return;
    let current = true;
    const id = window.setTimeout(() => {
      call("screening_evaluate", { input: record }).then(
        (r) => current && setResult(r),
        () => current && setResult(null),
      );
    }, 150);
    return () => {
      current = false;
      window.clearTimeout(id);
    };
  }, [record, instrument]);

  const put = (patch: Partial<typeof s>) => set((d) => ({ ...d, screening: { ...d.screening, ...patch } }));
  const answer = (id: string, a: Answer) => put({ answers: { ...s.answers, [id]: a } });
  const criterion = (id: string, patch: { answer?: Answer; rationale?: string }) =>
    put({
      contiguous: { ...s.contiguous, [id]: { answer: "", rationale: "", ...s.contiguous[id], ...patch } },
    });

  return (
    <>
      {instruments.length > 1 ? (
        <SelectField
          id={domId("screening.instrument_id")}
          label={t("screening.instrument")}
          value={s.instrument_id}
          onChange={(v) => {
            const i = instruments.find((x) => x.id === v);
            put({ instrument_id: v, instrument_version: i?.version ?? 0, answers: {} });
          }}
          options={instruments.map((i) => ({ value: i.id, label: `${i.title[lang]} (v${i.version})` }))}
          placeholder={t("screening.instrumentPlaceholder")}
          error={problems["screening.instrument_id"]}
          required
        />
      ) : instrument ? (
        <p className="muted">{t("screening.instrumentIs", { title: instrument.title[lang], version: instrument.version })}</p>
      ) : (
        <p className="error-message" id={domId("screening.instrument_id")}>
          {t("intake.err.instrumentMissing")}
        </p>
      )}
      <RadioGroup
        id={domId("screening.language")}
        legend={t("screening.language")}
        hint={t("screening.languageHint")}
        value={s.language}
        onChange={(v) => put({ language: v })}
        options={[
          { value: "en", label: "English" },
          { value: "es", label: "Español" },
        ]}
        inline
      />
      {instrument ? (
        <>
          <h3>{t("screening.indicators")}</h3>
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
          {contiguous ? (
            <section aria-labelledby="contiguous-title">
              <h3 id="contiguous-title">{t("screening.contiguous")}</h3>
              <p className="hint">{t("screening.contiguousHint")}</p>
              {instrument.contiguous_criteria.map((c) => (
                <div className="card" key={c.id} lang={lang}>
                  <RadioGroup
                    id={domId(`screening.contiguous.${c.id}.answer`)}
                    legend={c.prompt[lang]}
                    value={s.contiguous[c.id]?.answer ?? ""}
                    onChange={(a) => criterion(c.id, { answer: a })}
                    options={answerOptions}
                    error={problems[`screening.contiguous.${c.id}.answer`]}
                    inline
                  />
                  <TextArea
                    id={domId(`screening.contiguous.${c.id}.rationale`)}
                    label={t("screening.rationale")}
                    hint={t("screening.rationaleHint")}
                    rows={2}
                    value={s.contiguous[c.id]?.rationale ?? ""}
                    onChange={(v) => criterion(c.id, { rationale: v })}
                    error={problems[`screening.contiguous.${c.id}.rationale`]}
                    required
                  />
                </div>
              ))}
            </section>
          ) : null}
          {result ? <ScreeningResultView result={result} instrument={instrument} record={record} /> : null}
        </>
      ) : null}
    </>
  );
}
