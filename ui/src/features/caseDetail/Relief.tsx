import { MILESTONES, RELIEF_KINDS } from "../../bindings/vocabulary";
import { useRef, useState } from "react";
import type { CaseDetail, ReliefItem } from "../../bindings";
import { SelectField, TextArea, TextField } from "../../components/inputs";
import { MemorableDate } from "../../components/MemorableDate";
import { useI18n } from "../../i18n/I18nProvider";
import { call } from "../../ipc";
import { options } from "../../shared/caseForm/options";
import { checkMilestone, checkRelief, milestoneForm, milestonesFor, reachedMilestones, reliefForm, type MilestoneForm, type ReliefForm } from "../../shared/caseForm/followup";
import { FollowupForm, SavedNote, useAfterSave, useFollowupSave } from "../../shared/caseForm/FollowupForm";

const NEW_IDS: Record<string, string> = { "relief.kind": "relief-kind", "relief.description": "relief-description" };
const STEP = "relief-step";

/** Which form is open: a new application, or a milestone of one. */
type Open = { kind: "new"; form: ReliefForm } | { kind: "milestone"; relief: string; form: MilestoneForm };

/** Immigration relief (T visa, U visa, SIJS, asylum) with the milestones reached, and forms to start one or date a milestone. */
export function Relief({ detail, onChanged }: { detail: CaseDetail; onChanged: (c: CaseDetail) => void }) {
  const { t, date } = useI18n();
  const relief = detail.document.relief ?? [];
  const [open, setOpen] = useState<Open | null>(null);
  const opener = useRef<HTMLButtonElement | null>(null);
  const newButton = useRef<HTMLButtonElement>(null);
  const after = useAfterSave();
  const idOf = (field: string) => {
    if (NEW_IDS[field]) return open?.kind === "new" ? NEW_IDS[field] : `${STEP}-milestone`;
    const m = field.replace(/^relief\./, "");
    if ((MILESTONES as readonly string[]).includes(m)) return open?.kind === "new" ? "relief-milestone" : `${STEP}-date`;
    if (m === "receipt_number" && open?.kind === "milestone") return `${STEP}-receipt`;
    return undefined;
  };
  const { problems, failure, saving, save, reset } = useFollowupSave(idOf, open?.kind === "new" ? "relief-kind" : `${STEP}-milestone`);
  const kindName = (r: ReliefItem) => t(`enum.relief.${r.kind}`);
  const start = (o: Open, button: HTMLButtonElement) => {
    reset();
    after.clear();
    opener.current = button;
    setOpen(o);
  };
  const close = (message: string | null) => {
    const wasNew = open?.kind === "new";
    setOpen(null);
    after.done(message, () => (wasNew ? newButton.current : opener.current));
  };
  const done = (saved: CaseDetail | null) => {
    if (saved) {
      onChanged(saved);
      close(t("followup.saved"));
    }
  };
  const submit = async () => {
    if (!open) return;
    const now = new Date();
    if (open.kind === "new") done(await save(checkRelief(open.form, now), (r) => call("case_add_relief", { id: detail.id, relief: r })));
    else {
      const id = open.relief;
      done(
        await save(checkMilestone(open.form, now, STEP), (m) =>
          // With a receipt number, both fields go in one change set: both saved, or neither.
          m.receipt
            ? call("case_set_item_fields", {
                id: detail.id,
                list: "relief",
                item: id,
                edits: [
                  { field: m.milestone, value: m.on },
                  { field: "receipt_number", value: m.receipt },
                ],
              })
            : call("case_relief_milestone", { id: detail.id, relief: id, milestone: m.milestone, on: m.on }),
        ),
      );
    }
  };
  const current = open?.kind === "milestone" ? relief.find((r) => r.id === open.relief) : undefined;

  return (
    <section aria-labelledby="relief-title" className="panel">
      <h2 id="relief-title">{t("followup.relief")}</h2>
      {relief.length ? null : <p className="muted">{t("followup.relief.none")}</p>}
      {relief.map((r) => {
        const reached = reachedMilestones(r);
        return (
          <div key={r.id ?? r.kind} className="relief">
            <h3>{kindName(r)}</h3>
            {r.description ? <p>{r.description}</p> : null}
            {r.receipt_number ? (
              <p>
                {t("followup.relief.receiptNumber")}: <code>{r.receipt_number}</code>
              </p>
            ) : null}
            {reached.length ? (
              <dl className="summary">
                {reached.map((m) => (
                  <div className="summary__row" key={m.milestone}>
                    <dt>{t(`enum.milestone.${m.milestone}`)}</dt>
                    <dd>{date(m.on)}</dd>
                  </div>
                ))}
              </dl>
            ) : (
              <p className="muted">{t("followup.relief.noMilestone")}</p>
            )}
            {r.id ? (
              <button
                type="button"
                className="button button--secondary"
                aria-label={t("followup.relief.record", { kind: kindName(r) })}
                aria-expanded={open?.kind === "milestone" && open.relief === r.id}
                onClick={(e) => start({ kind: "milestone", relief: r.id!, form: milestoneForm(new Date()) }, e.currentTarget)}
              >
                {t("followup.relief.recordShort")}
              </button>
            ) : null}
            {current && current.id === r.id && open?.kind === "milestone" ? (
              <FollowupForm
                id={STEP}
                title={t("followup.relief.record", { kind: kindName(r) })}
                submit={t("followup.relief.saveMilestone")}
                failure={failure}
                saving={saving}
                onSubmit={submit}
                onCancel={() => close(null)}
              >
                <SelectField
                  id={`${STEP}-milestone`}
                  label={t("followup.relief.milestone")}
                  value={open.form.milestone}
                  onChange={(milestone) => setOpen({ ...open, form: { ...open.form, milestone } })}
                  options={options(t, "enum.milestone", milestonesFor(r.kind))}
                  placeholder={t("followup.err.choose")}
                  error={problems[`${STEP}-milestone`]}
                  required
                />
                <MemorableDate
                  id={`${STEP}-date`}
                  legend={t("followup.relief.milestoneDate")}
                  value={open.form.date}
                  onChange={(d) => setOpen({ ...open, form: { ...open.form, date: d } })}
                  error={problems[`${STEP}-date`]}
                />
                {open.form.milestone === "receipt_on" ? (
                  <TextField
                    id={`${STEP}-receipt`}
                    label={t("followup.relief.receiptNumber")}
                    hint={t("followup.relief.receiptHint")}
                    width="medium"
                    value={open.form.receipt}
                    onChange={(receipt) => setOpen({ ...open, form: { ...open.form, receipt } })}
                    error={problems[`${STEP}-receipt`]}
                  />
                ) : null}
              </FollowupForm>
            ) : null}
          </div>
        );
      })}
      <SavedNote message={after.message} />
      {open?.kind === "new" ? (
        <FollowupForm
          id="relief"
          title={t("followup.relief.add")}
          submit={t("followup.relief.save")}
          failure={failure}
          saving={saving}
          onSubmit={submit}
          onCancel={() => close(null)}
        >
          <SelectField
            id="relief-kind"
            label={t("followup.relief.kind")}
            value={open.form.kind}
            onChange={(kind) => setOpen({ ...open, form: { ...open.form, kind, milestone: "" } })}
            options={options(t, "enum.relief", RELIEF_KINDS)}
            placeholder={t("followup.err.choose")}
            error={problems["relief-kind"]}
            required
          />
          {open.form.kind === "other" ? (
            <TextArea
              id="relief-description"
              label={t("followup.relief.description")}
              value={open.form.description}
              onChange={(description) => setOpen({ ...open, form: { ...open.form, description } })}
              error={problems["relief-description"]}
              rows={2}
            />
          ) : null}
          <SelectField
            id="relief-milestone"
            label={t("followup.relief.firstMilestone")}
            value={open.form.milestone}
            onChange={(milestone) => setOpen({ ...open, form: { ...open.form, milestone } })}
            options={options(t, "enum.milestone", open.form.kind ? milestonesFor(open.form.kind) : MILESTONES)}
            placeholder={t("followup.relief.noMilestone")}
            error={problems["relief-milestone"]}
          />
          {open.form.milestone ? (
            <MemorableDate
              id="relief-date"
              legend={t("followup.relief.milestoneDate")}
              value={open.form.date}
              onChange={(d) => setOpen({ ...open, form: { ...open.form, date: d } })}
              error={problems["relief-date"]}
            />
          ) : null}
        </FollowupForm>
      ) : (
        <button type="button" className="button button--secondary" ref={newButton} onClick={(e) => start({ kind: "new", form: reliefForm(new Date()) }, e.currentTarget)}>
          {t("followup.relief.add")}
        </button>
      )}
    </section>
  );
}
