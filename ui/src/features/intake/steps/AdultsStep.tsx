import { RELATIONSHIPS } from "../../../bindings/vocabulary";
import { ProblemText } from "../../../components/Field";
import { SelectField, TextArea, TextField } from "../../../components/inputs";
import { domId } from "../../../components/problem";
import { useI18n } from "../../../i18n/I18nProvider";
import type { AdultDraft } from "../draft";
import { options } from "../../../shared/caseForm/options";
import { newKey } from "./newKey";
import type { StepProps } from "./stepProps";

export function AdultsStep({ draft, set, problems }: StepProps) {
  const { t } = useI18n();
  const put = (i: number, patch: Partial<AdultDraft>) =>
    set((d) => ({ ...d, adults: d.adults.map((a, j) => (j === i ? { ...a, ...patch } : a)) }));
  const add = () => {
    set((d) => ({ ...d, adults: [...d.adults, { key: newKey(), name: "", claimed_relationship: "", description: "" }] }));
    // Focus the new adult's first field once it is rendered.
    window.setTimeout(() => document.getElementById(domId(`adults[${draft.adults.length}].name`))?.focus(), 0);
  };
  const remove = (i: number) => set((d) => ({ ...d, adults: d.adults.filter((_, j) => j !== i) }));
  return (
    <>
      <p className="hint">
        {draft.encounter.accompaniment === "alone" ? t("intake.adults.aloneHint") : t("intake.adults.hint")}
      </p>
      {draft.adults.map((a, i) => (
        <fieldset className="fieldset card" key={a.key}>
          <legend className="legend">{t("intake.adults.adultN", { n: i + 1 })}</legend>
          <TextField
            id={domId(`adults[${i}].name`)}
            label={t("intake.adults.name")}
            hint={t("intake.adults.nameHint")}
            value={a.name}
            onChange={(v) => put(i, { name: v })}
            error={problems[`adults[${i}].name`]}
            width="medium"
            required
          />
          <SelectField
            id={domId(`adults[${i}].claimed_relationship`)}
            label={t("intake.adults.relationship")}
            hint={t("intake.adults.relationshipHint")}
            value={a.claimed_relationship}
            onChange={(v) => put(i, { claimed_relationship: v })}
            options={options(t, "enum.relationship", RELATIONSHIPS)}
            placeholder={t("intake.adults.relationshipPlaceholder")}
            error={problems[`adults[${i}].claimed_relationship`]}
            required
          />
          <TextArea
            id={domId(`adults[${i}].description`)}
            label={t("intake.adults.description")}
            hint={t("intake.adults.descriptionHint")}
            rows={2}
            value={a.description}
            onChange={(v) => put(i, { description: v })}
          />
          <button type="button" className="button button--secondary" onClick={() => remove(i)}>
            {t("intake.adults.remove", { n: i + 1 })}
          </button>
        </fieldset>
      ))}
      <div className={problems.adults ? "form-group form-group--error" : "form-group"}>
        {problems.adults ? (
          <div className="error-message" id={`${domId("adults")}--error`} role="alert">
            <ProblemText problem={problems.adults} />
          </div>
        ) : null}
        <button
          type="button"
          id={domId("adults")}
          className="button button--outline"
          onClick={add}
          aria-describedby={problems.adults ? `${domId("adults")}--error` : undefined}
        >
          {t("intake.adults.add")}
        </button>
      </div>
    </>
  );
}
