import { useRef, useState } from "react";
import type { CaseDetail, Custody } from "../../bindings";
import { TextArea, TextField } from "../../components/inputs";
import { MemorableDate } from "../../components/MemorableDate";
import { useI18n } from "../../i18n/I18nProvider";
import { call } from "../../ipc";
import { Row } from "./ChildSection";
import { CUSTODY_TIMES, custodyEdits, custodyFieldId, custodyForm, custodyIdOf, shownOffset, type CustodyForm, type CustodyTime } from "./custodyForm";
import { FollowupForm, SavedNote, useAfterSave, useFollowupSave } from "./FollowupForm";

/**
 * Custody: when it started, where the child is held, and the steps the
 * custody clock waits for (placement office notified, transfer) or that end
 * it (return, release). An Edit form corrects them; the clock above shows
 * the new deadlines once the case is read again.
 */
export function CustodySection({ detail, onChanged }: { detail: CaseDetail; onChanged: (c: CaseDetail) => void }) {
  const { t, dateTime } = useI18n();
  const c: Partial<Custody> = detail.document.custody ?? {};
  const [form, setForm] = useState<CustodyForm | null>(null);
  const edit = useRef<HTMLButtonElement>(null);
  const after = useAfterSave();
  const { problems, failure, saving, save, reset } = useFollowupSave(custodyIdOf, `${custodyFieldId("started_at")}-time`);
  const title = t("followup.custody");
  const close = (message: string | null) => {
    setForm(null);
    after.done(message, () => edit.current);
  };
  const submit = async () => {
    if (!form) return;
    const checked = custodyEdits(c, form, new Date());
    if (checked.ok && !checked.value.length) return close(t("followup.nothingChanged"));
    const saved = await save(checked, (edits) => call("case_set_fields", { id: detail.id, edits }));
    if (saved) {
      onChanged(saved);
      close(t("followup.saved"));
    }
  };
  const putTime = (k: CustodyTime, patch: Partial<CustodyForm["times"][CustodyTime]>) =>
    form && setForm({ ...form, times: { ...form.times, [k]: { ...form.times[k], ...patch } } });
  const recorded = CUSTODY_TIMES.some((k) => c[k]) || c.facility || c.exceptional_circumstances;
  return (
    <section aria-labelledby="custody-title" className="panel">
      <h2 id="custody-title">{title}</h2>
      {form ? (
        <FollowupForm
          id="edit-custody"
          title={t("followup.editWhat", { what: title })}
          submit={t("followup.child.save")}
          failure={failure}
          saving={saving}
          onSubmit={submit}
          onCancel={() => close(null)}
        >
          <TextField
            id={custodyFieldId("facility")}
            label={t("followup.custody.facility")}
            value={form.facility}
            onChange={(facility) => setForm({ ...form, facility })}
            error={problems[custodyFieldId("facility")]}
          />
          {CUSTODY_TIMES.map((k) => (
            <fieldset className="fieldset" key={k}>
              <legend className="legend">{t(`followup.custody.${k}`)}</legend>
              <MemorableDate
                id={`${custodyFieldId(k)}-date`}
                legend={t("followup.date")}
                hint={t("followup.custody.whenHint")}
                value={form.times[k].date}
                onChange={(date) => putTime(k, { date })}
                error={problems[`${custodyFieldId(k)}-date`]}
              />
              <TextField
                id={`${custodyFieldId(k)}-time`}
                label={t("followup.time")}
                hint={t("followup.encounter.timeHint", { offset: shownOffset(form.times[k], new Date()) })}
                width="short"
                value={form.times[k].time}
                onChange={(time) => putTime(k, { time })}
                error={problems[`${custodyFieldId(k)}-time`]}
              />
            </fieldset>
          ))}
          <TextArea
            id={custodyFieldId("exceptional_circumstances")}
            label={t("followup.custody.exceptional_circumstances")}
            rows={2}
            value={form.exceptional_circumstances}
            onChange={(exceptional_circumstances) => setForm({ ...form, exceptional_circumstances })}
            error={problems[custodyFieldId("exceptional_circumstances")]}
          />
        </FollowupForm>
      ) : (
        <>
          {recorded ? (
            <dl className="summary">
              <Row label={t("followup.custody.facility")}>{c.facility || "—"}</Row>
              {CUSTODY_TIMES.filter((k) => c[k]).map((k) => (
                <Row key={k} label={t(`followup.custody.${k}`)}>
                  {dateTime(c[k]!)}
                </Row>
              ))}
              {c.exceptional_circumstances ? <Row label={t("followup.custody.exceptional_circumstances")}>{c.exceptional_circumstances}</Row> : null}
            </dl>
          ) : (
            <p className="muted">{t("followup.custody.none")}</p>
          )}
          <SavedNote message={after.message} />
          <button
            type="button"
            className="button button--secondary"
            ref={edit}
            aria-label={t("followup.editWhat", { what: title })}
            onClick={() => {
              reset();
              after.clear();
              setForm(custodyForm(c));
            }}
          >
            {t("followup.edit")}
          </button>
        </>
      )}
    </section>
  );
}
