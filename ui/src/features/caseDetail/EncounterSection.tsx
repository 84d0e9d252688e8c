import { useRef, useState } from "react";
import type { AdultItem, CaseDetail, Encounter } from "../../bindings";
import { SelectField, TextArea, TextField } from "../../components/inputs";
import { MemorableDate } from "../../components/MemorableDate";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/translate";
import { call } from "../../ipc";
import { ACCOMPANIMENT, ENCOUNTER_TYPES, options } from "../intake/options";
import { Row } from "./ChildSection";
import { encounterEdits, encounterFieldId, encounterForm, type EncounterForm } from "./followup";
import { FollowupForm, SavedNote, useAfterSave, useFollowupSave } from "./FollowupForm";
import { RemoveConfirm, useRemoval } from "./RemoveItem";
import { shownOffset } from "./custodyForm";

const encounterId = (field: string) => {
  if (field === "encounter.occurred_at") return `${encounterFieldId("occurred_at")}-time`;
  return field.startsWith("encounter.") ? encounterFieldId(field.slice("encounter.".length)) : undefined;
};
const WHEN = encounterFieldId("occurred_at");

/** The encounter's section: what is recorded, and an Edit button for its facts (only changed fields are saved). */
export function EncounterSection({ detail, onChanged }: { detail: CaseDetail; onChanged: (c: CaseDetail) => void }) {
  const { t, dateTime } = useI18n();
  const d = detail.document;
  const e: Partial<Encounter> = d.encounter ?? {};
  const [form, setForm] = useState<EncounterForm | null>(null);
  const edit = useRef<HTMLButtonElement>(null);
  const after = useAfterSave();
  const { problems, failure, saving, save, reset } = useFollowupSave(encounterId, encounterFieldId("station"));
  const en = (key: string, v: string | undefined) => (v ? t(`${key}.${v}` as MessageKey) : "—");
  const title = t("intake.step.encounter");
  const heading = useRef<HTMLHeadingElement>(null);
  const adults = d.adults ?? [];
  const removal = useRemoval(detail, onChanged, "adults", () => heading.current);
  const removingAdult = adults.find((a) => a.id && a.id === removal.asking);
  const adultName = (a: AdultItem) => `${a.name ?? "?"}${a.claimed_relationship ? ` (${t(`enum.relationship.${a.claimed_relationship}`)})` : ""}`;
  const close = (message: string | null) => {
    setForm(null);
    after.done(message, () => edit.current);
  };
  const submit = async () => {
    if (!form) return;
    const checked = encounterEdits(e, form, new Date());
    if (checked.ok && !checked.value.length) return close(t("followup.nothingChanged"));
    const saved = await save(checked, (edits) => call("case_set_fields", { id: detail.id, edits }));
    if (saved) {
      onChanged(saved);
      close(t("followup.saved"));
    }
  };
  const put = (patch: Partial<EncounterForm>) => form && setForm({ ...form, ...patch });
  return (
    <section aria-labelledby="encounter-title" className="panel">
      <h2 id="encounter-title" tabIndex={-1} ref={heading}>
        {title}
      </h2>
      {form ? (
        <FollowupForm
          id="edit-encounter"
          title={t("followup.editWhat", { what: title })}
          submit={t("followup.child.save")}
          failure={failure}
          saving={saving}
          onSubmit={submit}
          onCancel={() => close(null)}
        >
          <MemorableDate
            id={`${WHEN}-date`}
            legend={t("followup.encounter.date")}
            value={form.when.date}
            onChange={(date) => put({ when: { ...form.when, date } })}
            error={problems[`${WHEN}-date`]}
          />
          <TextField
            id={`${WHEN}-time`}
            label={t("followup.time")}
            hint={t("followup.encounter.timeHint", { offset: shownOffset(form.when, new Date()) })}
            width="short"
            value={form.when.time}
            onChange={(time) => put({ when: { ...form.when, time } })}
            error={problems[`${WHEN}-time`]}
            required
          />
          <TextField
            id={encounterFieldId("station")}
            label={t("intake.encounter.station")}
            width="medium"
            value={form.station}
            onChange={(station) => put({ station })}
            error={problems[encounterFieldId("station")]}
            required
          />
          <TextField id={encounterFieldId("place")} label={t("intake.encounter.place")} value={form.place} onChange={(place) => put({ place })} error={problems[encounterFieldId("place")]} />
          <SelectField
            id={encounterFieldId("type")}
            label={t("intake.encounter.type")}
            value={form.type}
            onChange={(type) => put({ type })}
            options={options(t, "enum.encounterType", ENCOUNTER_TYPES)}
            placeholder={t("followup.err.choose")}
            error={problems[encounterFieldId("type")]}
            required
          />
          <SelectField
            id={encounterFieldId("accompaniment")}
            label={t("intake.encounter.accompaniment")}
            value={form.accompaniment}
            onChange={(accompaniment) => put({ accompaniment })}
            options={options(t, "enum.accompaniment", ACCOMPANIMENT)}
            placeholder={t("followup.err.choose")}
            error={problems[encounterFieldId("accompaniment")]}
            required
          />
          <TextArea
            id={encounterFieldId("narrative")}
            label={t("intake.encounter.narrative")}
            value={form.narrative}
            onChange={(narrative) => put({ narrative })}
            error={problems[encounterFieldId("narrative")]}
          />
        </FollowupForm>
      ) : (
        <>
          <dl className="summary">
            <Row label={t("intake.encounter.occurredAt")}>{e.occurred_at ? dateTime(e.occurred_at) : "—"}</Row>
            <Row label={t("intake.encounter.station")}>{[e.station, e.place].filter(Boolean).join(" · ") || "—"}</Row>
            <Row label={t("intake.encounter.type")}>{en("enum.encounterType", e.type)}</Row>
            <Row label={t("intake.encounter.accompaniment")}>{en("enum.accompaniment", e.accompaniment)}</Row>
            <Row label={t("intake.encounter.narrative")}>{e.narrative || "—"}</Row>
            <Row label={t("intake.step.adults")}>
              {adults.length ? (
                <ul className="plain">
                  {adults.map((a) => (
                    <li key={a.id ?? a.name}>
                      {adultName(a)}
                      {a.id ? (
                        <>
                          {" "}
                          <button
                            type="button"
                            className="link-button"
                            id={`adult-remove-${a.id}`}
                            aria-label={t("followup.remove.label", { what: t("followup.remove.adult", { name: a.name ?? "?" }) })}
                            aria-expanded={removal.asking === a.id}
                            onClick={(ev) => {
                              after.clear();
                              removal.ask(a.id!, ev.currentTarget);
                            }}
                          >
                            {t("followup.remove")}
                          </button>
                        </>
                      ) : null}
                    </li>
                  ))}
                </ul>
              ) : (
                "—"
              )}
            </Row>
          </dl>
          {removingAdult ? <RemoveConfirm id="adult-remove" what={t("followup.remove.adult", { name: removingAdult.name ?? "?" })} removal={removal} /> : null}
          <SavedNote message={after.message ?? removal.message} />
          <button
            type="button"
            className="button button--secondary"
            ref={edit}
            aria-label={t("followup.editWhat", { what: title })}
            onClick={() => {
              reset();
              after.clear();
              removal.dismiss();
              setForm(encounterForm(e));
            }}
          >
            {t("followup.edit")}
          </button>
        </>
      )}
    </section>
  );
}
