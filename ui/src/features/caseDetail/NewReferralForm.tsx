import { REFERRAL_TO } from "../../bindings/vocabulary";
import { useState } from "react";
import type { CaseDetail } from "../../bindings";
import { SelectField, TextArea, TextField } from "../../components/inputs";
import { MemorableDate } from "../../components/MemorableDate";
import { useI18n } from "../../i18n/I18nProvider";
import { call } from "../../ipc";
import { options } from "../../shared/caseForm/options";
import { checkReferral, referralForm, type ReferralForm } from "../../shared/caseForm/followup";
import { FollowupForm, useFollowupSave } from "../../shared/caseForm/FollowupForm";

/** The shell's field paths to the form's DOM ids. */
const IDS: Record<string, string> = {
  "referrals.to": "referral-to",
  "referrals.org": "referral-org",
  "referrals.drafted_at": "referral-time",
  "referrals.reason": "referral-reason",
};

/** The organizations a save shared the case with: in `after`, not in `before`. */
export const newlyShared = (before: CaseDetail, after: CaseDetail) => after.shared_with.filter((o) => !before.shared_with.includes(o));

/**
 * A referral written after the intake: where to, the receiving
 * organization (optional), when it was written, and why. Saved as drafted;
 * `onSaved` gets the case read again and what to say (the organizations it
 * is now shared with).
 */
export function NewReferralForm(props: { detail: CaseDetail; onSaved: (c: CaseDetail, message: string) => void; onCancel: () => void }) {
  const { t } = useI18n();
  const [form, setForm] = useState<ReferralForm>(() => referralForm(new Date()));
  const { problems, failure, saving, save } = useFollowupSave((f) => IDS[f], "referral-to");
  const put = (patch: Partial<ReferralForm>) => setForm({ ...form, ...patch });
  const submit = async () => {
    const saved = await save(checkReferral(form, new Date()), (referral) => call("case_add_referral", { id: props.detail.id, referral }));
    if (!saved) return;
    const shared = newlyShared(props.detail, saved);
    props.onSaved(saved, shared.length ? t("followup.referral.sharedWith", { org: shared.join(", ") }) : t("followup.saved"));
  };
  return (
    <FollowupForm
      id="referral"
      title={t("followup.referral.add")}
      submit={t("followup.referral.saveNew")}
      failure={failure}
      saving={saving}
      onSubmit={submit}
      onCancel={props.onCancel}
    >
      <SelectField
        id="referral-to"
        label={t("intake.referrals.to")}
        value={form.to}
        onChange={(to) => put({ to })}
        options={options(t, "enum.referralTo", REFERRAL_TO)}
        placeholder={t("intake.referrals.toPlaceholder")}
        error={problems["referral-to"]}
        required
      />
      <TextField
        id="referral-org"
        label={t("followup.referral.org")}
        hint={t("followup.referral.orgHint")}
        width="medium"
        value={form.org}
        onChange={(org) => put({ org })}
        error={problems["referral-org"]}
      />
      <MemorableDate id="referral-date" legend={t("followup.referral.draftedDate")} value={form.date} onChange={(date) => put({ date })} error={problems["referral-date"]} />
      <TextField
        id="referral-time"
        label={t("followup.time")}
        hint={t("followup.timeHint")}
        width="short"
        value={form.time}
        onChange={(time) => put({ time })}
        error={problems["referral-time"]}
        required
      />
      <TextArea id="referral-reason" label={t("intake.referrals.reason")} rows={2} value={form.reason} onChange={(reason) => put({ reason })} error={problems["referral-reason"]} />
    </FollowupForm>
  );
}
