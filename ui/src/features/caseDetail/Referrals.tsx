import { NEXT_STATUS } from "../../bindings/vocabulary";
import { useRef, useState } from "react";
import type { CaseDetail, ReferralItem } from "../../bindings";
import { RadioGroup } from "../../components/choices";
import { TextField } from "../../components/inputs";
import { MemorableDate } from "../../components/MemorableDate";
import { useI18n } from "../../i18n/I18nProvider";
import { call } from "../../ipc";
import { options } from "../../shared/caseForm/options";
import { checkStep, isRemovableReferral, stepForm, type StepForm } from "../../shared/caseForm/followup";
import { FollowupForm, SavedNote, useAfterSave, useFollowupSave } from "../../shared/caseForm/FollowupForm";
import { NewReferralForm } from "./NewReferralForm";
import { RemoveConfirm, useRemoval } from "./RemoveItem";

const PREFIX = "ref-step";

/** What removing `r` does to the sharing with its organization: ends it when it is the case owner's last
 * referral to it that is not declined (the organization's devices then remove the case), else the
 * organization keeps access. Nothing to say for a referral to no organization, or to one the case is not shared with. */
export function sharingNote(detail: CaseDetail, r: ReferralItem, t: ReturnType<typeof useI18n>["t"]): string | undefined {
  const org = r.org;
  if (!org || org === detail.owner || !detail.shared_with.includes(org)) return undefined;
  const others = (detail.document.referrals ?? []).some((o) => o.id !== r.id && o.org === org && o.status !== "declined");
  return detail.owned_here && !others ? t("followup.remove.endsSharing", { org }) : t("followup.remove.stillShared", { org });
}

/** The newest step's time of a referral. */
function lastStep(r: ReferralItem): string {
  return [r.completed_at, r.declined_at, r.accepted_at, r.acknowledged_at, r.sent_at, r.drafted_at].find(Boolean) ?? r.drafted_at;
}

/** The referrals with their status; each that may move on gets a form for its next status and its time,
 * one still drafted may be removed, and a new one may be added. */
export function Referrals({ detail, onChanged }: { detail: CaseDetail; onChanged: (c: CaseDetail) => void }) {
  const { t, dateTime } = useI18n();
  const referrals = detail.document.referrals ?? [];
  const [open, setOpen] = useState<string | null>(null);
  const [form, setForm] = useState<StepForm>(() => stepForm(new Date()));
  const heading = useRef<HTMLHeadingElement>(null);
  const opener = useRef<HTMLButtonElement | null>(null);
  const after = useAfterSave();
  const idOf = (field: string) =>
    field === "referrals.status" ? `${PREFIX}-status` : field.startsWith("referrals.") && field.endsWith("_at") ? `${PREFIX}-time` : undefined;
  const { problems, failure, saving, save, reset } = useFollowupSave(idOf, `${PREFIX}-status`);
  const current = referrals.find((r) => r.id === open);
  const to = (r: ReferralItem) => t(`enum.referralTo.${r.to}`);
  const [adding, setAdding] = useState(false);
  const addButton = useRef<HTMLButtonElement>(null);
  const removal = useRemoval(detail, onChanged, "referrals", () => heading.current);
  const removing = referrals.find((r) => r.id === removal.asking);
  const closeOthers = () => {
    setOpen(null);
    setAdding(false);
    removal.dismiss();
  };

  const start = (r: ReferralItem, button: HTMLButtonElement) => {
    closeOthers();
    reset();
    after.clear();
    opener.current = button;
    setForm({ ...stepForm(new Date()), status: NEXT_STATUS[r.status].length === 1 ? NEXT_STATUS[r.status][0]! : "" });
    setOpen(r.id ?? null);
  };
  const cancel = () => {
    setOpen(null);
    after.done(null, () => (opener.current?.isConnected ? opener.current : heading.current));
  };
  const submit = async () => {
    if (!current?.id) return;
    const referral = current.id;
    const saved = await save(checkStep(form, new Date(), PREFIX), (v) => call("case_referral_status", { id: detail.id, referral, status: v.status, at: v.at }));
    if (saved) {
      onChanged(saved);
      setOpen(null);
      after.done(t("followup.saved"), () => heading.current);
    }
  };

  return (
    <section aria-labelledby="referrals-title" className="panel">
      <h2 id="referrals-title" tabIndex={-1} ref={heading}>
        {t("intake.referrals.title")}
      </h2>
      <SavedNote message={after.message ?? removal.message} />
      {referrals.length ? (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t("intake.referrals.to")}</th>
              <th scope="col">{t("detail.referral.status")}</th>
              <th scope="col">{t("detail.referral.drafted")}</th>
              <th scope="col">{t("followup.referral.when")}</th>
              <th scope="col">
                <span className="sr-only">{t("followup.referral.moveShort")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {referrals.map((r) => (
              <tr key={r.id ?? r.drafted_at}>
                <td>{to(r)}</td>
                <td>
                  <span className={`tag tag--ref-${r.status}`}>{t(`enum.referralStatus.${r.status}`)}</span>
                </td>
                <td>{dateTime(r.drafted_at)}</td>
                <td>{dateTime(lastStep(r))}</td>
                <td>
                  {NEXT_STATUS[r.status].length && r.id ? (
                    <button
                      type="button"
                      className="link-button"
                      aria-label={t("followup.referral.move", { to: to(r) })}
                      aria-expanded={open === r.id}
                      onClick={(e) => start(r, e.currentTarget)}
                    >
                      {t("followup.referral.moveShort")}
                    </button>
                  ) : (
                    <span className="muted">{t("followup.referral.final")}</span>
                  )}
                  {isRemovableReferral(r) && r.id ? (
                    <>
                      {" "}
                      <button
                        type="button"
                        className="link-button"
                        id={`referral-remove-${r.id}`}
                        aria-label={t("followup.remove.label", { what: t("followup.remove.referral", { to: to(r) }) })}
                        aria-expanded={removal.asking === r.id}
                        onClick={(e) => {
                          const button = e.currentTarget;
                          closeOthers();
                          after.clear();
                          removal.ask(r.id!, button);
                        }}
                      >
                        {t("followup.remove")}
                      </button>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">{t("detail.referral.none")}</p>
      )}
      {current ? (
        <FollowupForm
          id={PREFIX}
          title={t("followup.referral.move", { to: to(current) })}
          submit={t("followup.referral.save")}
          failure={failure}
          saving={saving}
          onSubmit={submit}
          onCancel={cancel}
        >
          <RadioGroup
            id={`${PREFIX}-status`}
            legend={t("followup.referral.next")}
            value={form.status}
            onChange={(status) => setForm({ ...form, status })}
            options={options(t, "enum.referralStatus", NEXT_STATUS[current.status])}
            error={problems[`${PREFIX}-status`]}
          />
          <MemorableDate id={`${PREFIX}-date`} legend={t("followup.date")} value={form.date} onChange={(date) => setForm({ ...form, date })} error={problems[`${PREFIX}-date`]} />
          <TextField
            id={`${PREFIX}-time`}
            label={t("followup.time")}
            hint={t("followup.timeHint")}
            width="short"
            value={form.time}
            onChange={(time) => setForm({ ...form, time })}
            error={problems[`${PREFIX}-time`]}
            required
          />
        </FollowupForm>
      ) : null}
      {removing ? (
        <RemoveConfirm
          id="referral-remove"
          what={t("followup.remove.referral", { to: to(removing) })}
          note={sharingNote(detail, removing, t)}
          removal={removal}
        />
      ) : null}
      {adding ? (
        <NewReferralForm
          detail={detail}
          onSaved={(saved, message) => {
            onChanged(saved);
            setAdding(false);
            after.done(message, () => addButton.current);
          }}
          onCancel={() => {
            setAdding(false);
            after.done(null, () => addButton.current);
          }}
        />
      ) : (
        <button
          type="button"
          className="button button--secondary"
          ref={addButton}
          onClick={() => {
            closeOthers();
            after.clear();
            setAdding(true);
          }}
        >
          {t("followup.referral.add")}
        </button>
      )}
    </section>
  );
}
