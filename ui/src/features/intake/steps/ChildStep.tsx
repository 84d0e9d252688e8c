import { AGE_METHODS, SEXES } from "../../../bindings/vocabulary";
import { RadioGroup } from "../../../components/choices";
import { TextField } from "../../../components/inputs";
import { MemorableDate } from "../../../components/MemorableDate";
import { domId } from "../../../components/problem";
import { useI18n } from "../../../i18n/I18nProvider";
import type { MessageKey } from "../../../i18n/translate";
import { options } from "../../../shared/caseForm/options";
import type { StepProps } from "./stepProps";

export function ChildStep({ draft, set, problems }: StepProps) {
  const { t } = useI18n();
  const c = draft.child;
  const put = (patch: Partial<typeof c>) => set((d) => ({ ...d, child: { ...d.child, ...patch } }));
  const text = (field: Exclude<keyof typeof c, "date_of_birth">, width?: "short" | "medium", required = false, type?: "number") => (
    <TextField
      id={domId(`child.${field}`)}
      label={t(`intake.child.${field}` as MessageKey)}
      hint={t(`intake.child.${field}Hint` as MessageKey)}
      value={c[field]}
      onChange={(v) => put({ [field]: v })}
      error={problems[`child.${field}`]}
      required={required}
      width={width ?? "full"}
      type={type ?? "text"}
      inputMode={type === "number" ? "numeric" : undefined}
    />
  );
  return (
    <>
      {text("given_name", "medium", true)}
      {text("family_name", "medium")}
      {text("aliases")}
      <MemorableDate
        id={domId("child.date_of_birth")}
        legend={t("intake.child.date_of_birth")}
        hint={t("intake.child.date_of_birthHint")}
        value={c.date_of_birth}
        onChange={(v) => put({ date_of_birth: v })}
        error={problems["child.date_of_birth"]}
        required={false}
      />
      {text("estimated_age_years", "short", false, "number")}
      <RadioGroup
        id={domId("child.age_method")}
        legend={t("intake.child.age_method")}
        value={c.age_method}
        onChange={(v) => put({ age_method: v })}
        options={options(t, "enum.ageMethod", AGE_METHODS)}
        error={problems["child.age_method"]}
      />
      <RadioGroup
        id={domId("child.sex")}
        legend={t("intake.child.sex")}
        value={c.sex}
        onChange={(v) => put({ sex: v })}
        options={options(t, "enum.sex", SEXES)}
        inline
        required={false}
      />
      {text("nationalities", "medium")}
      {text("languages", "medium")}
      <RadioGroup
        id={domId("child.interpreter_used")}
        legend={t("intake.child.interpreter_used")}
        value={c.interpreter_used}
        onChange={(v) => put({ interpreter_used: v })}
        options={[
          { value: "yes", label: t("common.yes") },
          { value: "no", label: t("common.no") },
        ]}
        inline
        error={problems["child.interpreter_used"]}
      />
    </>
  );
}
