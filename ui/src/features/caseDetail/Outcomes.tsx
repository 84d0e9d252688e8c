import type { CaseDetail } from "../../bindings";
import { SelectField, TextArea, TextField } from "../../components/inputs";
import { MemorableDate } from "../../components/MemorableDate";
import { useI18n } from "../../i18n/I18nProvider";
import { call } from "../../ipc";
import { options, RELATIONSHIPS } from "../intake/options";
import { checkOutcome, OUTCOME_FIELDS, OUTCOME_KINDS, outcomeForm, outcomeFormOf } from "./followup";
import { FollowupForm, SavedNote } from "./FollowupForm";
import { RemoveConfirm } from "./RemoveItem";
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
  const { form, setForm, editing, opener, heading, message, problems, failure, saving, submit, close, open, removal, removing, askRemove } = useItemFollowup({
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
  return (
    <section aria-labelledby="outcomes-title" className="panel">
      <h2 id="outcomes-title" tabIndex={-1} ref={heading}>{t("followup.outcomes")}</h2>
      {outcomes.length ? (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t("followup.outcomes.kind")}</th>
              <th scope="col">{t("followup.date")}</th>
              <th scope="col">{t("followup.outcomes.description")}</th>
              <th scope="col">
                <span className="sr-only">{t("followup.change")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {outcomes.map((o) => (
              <tr key={o.id ?? `${o.kind}-${o.occurred_on}`}>
                <td>
                  {t(`enum.outcome.${o.kind}`)}
                  {o.sponsor_relationship ? ` (${t(`enum.relationship.${o.sponsor_relationship}`)})` : ""}
                </td>
                <td>{date(o.occurred_on)}</td>
                <td>{[o.location, o.description].filter(Boolean).join(" · ") || "—"}</td>
                <td>
                  {o.id ? (
                    <button
                      type="button"
                      className="link-button"
                      id={`outcome-change-${o.id}`}
                      aria-label={t("followup.outcomes.edit", { kind: t(`enum.outcome.${o.kind}`), date: date(o.occurred_on) })}
                      aria-expanded={editing === o.id}
                      onClick={() => open(o)}
                    >
                      {t("followup.change")}
                    </button>
                  ) : null}
                  {o.id ? (
                    <>
                      {" "}
                      <button
                        type="button"
                        className="link-button"
                        id={`outcome-remove-${o.id}`}
                        aria-label={t("followup.remove.label", { what: t("followup.remove.outcome", { kind: t(`enum.outcome.${o.kind}`), date: date(o.occurred_on) }) })}
                        aria-expanded={removal.asking === o.id}
                        onClick={(e) => askRemove(o, e.currentTarget)}
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
        <p className="muted">{t("followup.outcomes.none")}</p>
      )}
      <SavedNote message={message} />
      {removing ? (
        <RemoveConfirm
          id="outcome-remove"
          what={t("followup.remove.outcome", { kind: t(`enum.outcome.${removing.kind}`), date: date(removing.occurred_on) })}
          removal={removal}
        />
      ) : null}
      {form ? (
        <FollowupForm
          key={editing ?? "new"}
          id="outcome"
          title={t(editing ? "followup.outcomes.editTitle" : "followup.outcomes.add")}
          submit={t("followup.outcomes.save")}
          failure={failure}
          saving={saving}
          onSubmit={submit}
          onCancel={() => close(null)}
        >
          <SelectField
            id="outcome-kind"
            label={t("followup.outcomes.kind")}
            value={form.kind}
            onChange={(kind) => setForm({ ...form, kind })}
            options={options(t, "enum.outcome", OUTCOME_KINDS)}
            placeholder={t("followup.err.choose")}
            error={problems["outcome-kind"]}
            required
          />
          <MemorableDate id="outcome-date" legend={t("followup.outcomes.date")} value={form.date} onChange={(d) => setForm({ ...form, date: d })} error={problems["outcome-date"]} />
          <SelectField
            id="outcome-sponsor"
            label={t("followup.outcomes.sponsor")}
            value={form.sponsor}
            onChange={(sponsor) => setForm({ ...form, sponsor })}
            options={options(t, "enum.relationship", RELATIONSHIPS)}
            placeholder={t("followup.err.choose")}
            error={problems["outcome-sponsor"]}
          />
          <TextField id="outcome-location" label={t("followup.outcomes.location")} value={form.location} onChange={(location) => setForm({ ...form, location })} error={problems["outcome-location"]} />
          <TextArea
            id="outcome-description"
            label={t("followup.outcomes.description")}
            value={form.description}
            onChange={(description) => setForm({ ...form, description })}
            error={problems["outcome-description"]}
            rows={2}
          />
        </FollowupForm>
      ) : (
        <button
          type="button"
          className="button button--secondary"
          ref={opener}
          onClick={() => open(null)}
        >
          {t("followup.outcomes.add")}
        </button>
      )}
    </section>
  );
}
