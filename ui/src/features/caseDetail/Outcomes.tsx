import { OUTCOME_KINDS, RELATIONSHIPS } from "../../bindings/vocabulary";
import type { CaseDetail, OutcomeItem } from "../../bindings";
import { SelectField, TextArea, TextField } from "../../components/inputs";
import { MemorableDate } from "../../components/MemorableDate";
import { useI18n } from "../../i18n/I18nProvider";
import { call } from "../../ipc";
import { options } from "../../shared/caseForm/options";
import { checkOutcome, OUTCOME_FIELDS, outcomeForm, outcomeFormOf, type OutcomeForm } from "../../shared/caseForm/followup";
import { LoggedItems } from "./LoggedItems";
import { useItemFollowup } from "./useItemFollowup";

const IDS: Record<string, string> = {
  "outcomes.kind": "outcome-kind",
  "outcomes.occurred_on": "outcome-date",
  "outcomes.sponsor_relationship": "outcome-sponsor",
  "outcomes.location": "outcome-location",
  "outcomes.description": "outcome-description",
};

/** Where the child went and the visits that followed, and a form to record one. */
export function Outcomes({ detail, onChanged }: { detail: CaseDetail; onChanged: (c: CaseDetail) => void }) {
  const { t, date } = useI18n();
  const outcomes = detail.document.outcomes ?? [];
  const followup = useItemFollowup({
    detail,
    onChanged,
    list: "outcomes",
    prefix: "outcome",
    ids: IDS,
    items: outcomes,
    fields: OUTCOME_FIELDS,
    check: checkOutcome,
    blank: outcomeForm,
    formOf: outcomeFormOf,
    add: (outcome) => call("case_add_outcome", { id: detail.id, outcome }),
  });
  const kind = (o: OutcomeItem) => t(`enum.outcome.${o.kind}`);
  const put = (form: OutcomeForm, patch: Partial<OutcomeForm>) => followup.setForm({ ...form, ...patch });
  return (
    <LoggedItems
      list="outcomes"
      prefix="outcome"
      title={t("followup.outcomes")}
      items={outcomes}
      followup={followup}
      columns={[t("followup.outcomes.kind"), t("followup.date"), t("followup.outcomes.description")]}
      cells={(o) => (
        <>
          <td>
            {kind(o)}
            {o.sponsor_relationship ? ` (${t(`enum.relationship.${o.sponsor_relationship}`)})` : ""}
          </td>
          <td>{date(o.occurred_on)}</td>
          <td>{[o.location, o.description].filter(Boolean).join(" · ") || "—"}</td>
        </>
      )}
      rowKey={(o) => `${o.kind}-${o.occurred_on}`}
      changeLabel={(o) => t("followup.outcomes.edit", { kind: kind(o), date: date(o.occurred_on) })}
      removeWhat={(o) => t("followup.remove.outcome", { kind: kind(o), date: date(o.occurred_on) })}
      none={t("followup.outcomes.none")}
      add={t("followup.outcomes.add")}
      editTitle={t("followup.outcomes.editTitle")}
      save={t("followup.outcomes.save")}
      fields={(form, problems) => (
        <>
          <SelectField
            id="outcome-kind"
            label={t("followup.outcomes.kind")}
            value={form.kind}
            onChange={(kind) => put(form, { kind })}
            options={options(t, "enum.outcome", OUTCOME_KINDS)}
            placeholder={t("followup.err.choose")}
            error={problems["outcome-kind"]}
            required
          />
          <MemorableDate id="outcome-date" legend={t("followup.outcomes.date")} value={form.date} onChange={(d) => put(form, { date: d })} error={problems["outcome-date"]} />
          <SelectField
            id="outcome-sponsor"
            label={t("followup.outcomes.sponsor")}
            value={form.sponsor}
            onChange={(sponsor) => put(form, { sponsor })}
            options={options(t, "enum.relationship", RELATIONSHIPS)}
            placeholder={t("followup.err.choose")}
            error={problems["outcome-sponsor"]}
          />
          <TextField id="outcome-location" label={t("followup.outcomes.location")} value={form.location} onChange={(location) => put(form, { location })} error={problems["outcome-location"]} />
          <TextArea
            id="outcome-description"
            label={t("followup.outcomes.description")}
            value={form.description}
            onChange={(description) => put(form, { description })}
            error={problems["outcome-description"]}
            rows={2}
          />
        </>
      )}
    />
  );
}
