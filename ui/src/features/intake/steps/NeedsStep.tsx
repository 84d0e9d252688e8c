import { IMMEDIATE_SERVICES, REFERRAL_TO } from "../../../bindings/vocabulary";
import { CheckboxGroup } from "../../../components/choices";
import { SelectField, TextArea } from "../../../components/inputs";
import { domId } from "../../../components/problem";
import { useI18n } from "../../../i18n/I18nProvider";
import type { ReferralDraft } from "../draft";
import { options } from "../../../shared/caseForm/options";
import { newKey } from "./newKey";
import type { StepProps } from "./stepProps";

export function NeedsStep({ draft, set, problems }: StepProps) {
  const { t } = useI18n();
  const put = (i: number, patch: Partial<ReferralDraft>) =>
    set((d) => ({ ...d, referrals: d.referrals.map((r, j) => (j === i ? { ...r, ...patch } : r)) }));
  const add = () => {
    set((d) => ({ ...d, referrals: [...d.referrals, { key: newKey(), to: "", reason: "" }] }));
    window.setTimeout(() => document.getElementById(domId(`referrals[${draft.referrals.length}].to`))?.focus(), 0);
  };
  return (
    <>
      <CheckboxGroup
        id={domId("services")}
        legend={t("intake.needs.legend")}
        hint={t("intake.needs.hint")}
        value={draft.services}
        onChange={(v) => set((d) => ({ ...d, services: v }))}
        options={options(t, "enum.service", IMMEDIATE_SERVICES)}
      />
      <h2>{t("intake.referrals.title")}</h2>
      <p className="hint">{t("intake.referrals.hint")}</p>
      {draft.referrals.map((r, i) => (
        <fieldset className="fieldset card" key={r.key}>
          <legend className="legend">{t("intake.referrals.n", { n: i + 1 })}</legend>
          <SelectField
            id={domId(`referrals[${i}].to`)}
            label={t("intake.referrals.to")}
            value={r.to}
            onChange={(v) => put(i, { to: v })}
            options={options(t, "enum.referralTo", REFERRAL_TO)}
            placeholder={t("intake.referrals.toPlaceholder")}
            error={problems[`referrals[${i}].to`]}
            required
          />
          <TextArea
            id={domId(`referrals[${i}].reason`)}
            label={t("intake.referrals.reason")}
            rows={2}
            value={r.reason}
            onChange={(v) => put(i, { reason: v })}
          />
          <button
            type="button"
            className="button button--secondary"
            onClick={() => set((d) => ({ ...d, referrals: d.referrals.filter((_, j) => j !== i) }))}
          >
            {t("intake.referrals.remove", { n: i + 1 })}
          </button>
        </fieldset>
      ))}
      <button type="button" className="button button--outline" onClick={add}>
        {t("intake.referrals.add")}
      </button>
    </>
  );
}
