import { CUSTODY_TIMES, type CustodyTime } from "../../bindings/vocabulary";
import type { CaseDetail, Custody } from "../../bindings";
import { TextArea, TextField } from "../../components/inputs";
import { MemorableDate } from "../../components/MemorableDate";
import { useI18n } from "../../i18n/I18nProvider";
import { custodyEdits, custodyFieldId, custodyForm, custodyIdOf, shownOffset, type CustodyForm } from "../../shared/caseForm/custodyForm";
import { EditableSection, Row, useSectionEdit } from "./EditableSection";

/**
 * Custody: when it started, where the child is held, and the steps the
 * custody clock waits for (placement office notified, transfer) or that end
 * it (return, release). An Edit form corrects them; the clock above shows
 * the new deadlines once the case is read again.
 */
export function CustodySection({ detail, onChanged }: { detail: CaseDetail; onChanged: (c: CaseDetail) => void }) {
  const { t, dateTime } = useI18n();
  const c: Partial<Custody> = detail.document.custody ?? {};
  const edit = useSectionEdit({
    detail,
    onChanged,
    idOf: custodyIdOf,
    fallback: `${custodyFieldId("started_at")}-time`,
    formOf: () => custodyForm(c),
    edits: (form: CustodyForm, now) => custodyEdits(c, form, now),
  });
  const recorded = CUSTODY_TIMES.some((k) => c[k]) || c.facility || c.exceptional_circumstances;
  return (
    <EditableSection
      id="custody"
      title={t("followup.custody")}
      edit={edit}
      empty={t("followup.custody.none")}
      rows={
        recorded ? (
          <>
            <Row label={t("followup.custody.facility")}>{c.facility || "—"}</Row>
            {CUSTODY_TIMES.filter((k) => c[k]).map((k) => (
              <Row key={k} label={t(`followup.custody.${k}`)}>
                {dateTime(c[k]!)}
              </Row>
            ))}
            {c.exceptional_circumstances ? <Row label={t("followup.custody.exceptional_circumstances")}>{c.exceptional_circumstances}</Row> : null}
          </>
        ) : null
      }
      fields={(form, problems) => {
        const putTime = (k: CustodyTime, patch: Partial<CustodyForm["times"][CustodyTime]>) =>
          edit.setForm({ ...form, times: { ...form.times, [k]: { ...form.times[k], ...patch } } });
        return (
          <>
            <TextField
              id={custodyFieldId("facility")}
              label={t("followup.custody.facility")}
              value={form.facility}
              onChange={(facility) => edit.setForm({ ...form, facility })}
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
              onChange={(exceptional_circumstances) => edit.setForm({ ...form, exceptional_circumstances })}
              error={problems[custodyFieldId("exceptional_circumstances")]}
            />
          </>
        );
      }}
    />
  );
}
