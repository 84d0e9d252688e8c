import { ACCOMPANIMENT, ENCOUNTER_TYPES } from "../../bindings/vocabulary";
import { useRef } from "react";
import type { AdultItem, CaseDetail, Encounter } from "../../bindings";
import { SelectField, TextArea, TextField } from "../../components/inputs";
import { MemorableDate } from "../../components/MemorableDate";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/translate";
import { options } from "../../shared/caseForm/options";
import { encounterEdits, encounterFieldId, encounterForm, type EncounterForm } from "../../shared/caseForm/followup";
import { EditableSection, Row, useSectionEdit } from "./EditableSection";
import { RemoveConfirm, useRemoval } from "./RemoveItem";
import { shownOffset } from "../../shared/caseForm/custodyForm";

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
  const en = (key: string, v: string | undefined) => (v ? t(`${key}.${v}` as MessageKey) : "—");
  const heading = useRef<HTMLHeadingElement>(null);
  const adults = d.adults ?? [];
  const removal = useRemoval(detail, onChanged, "adults", () => heading.current);
  const edit = useSectionEdit({
    detail,
    onChanged,
    idOf: encounterId,
    fallback: encounterFieldId("station"),
    formOf: () => encounterForm(e),
    edits: (form: EncounterForm, now) => encounterEdits(e, form, now),
    onOpen: removal.dismiss,
  });
  const removingAdult = adults.find((a) => a.id && a.id === removal.asking);
  const adultName = (a: AdultItem) => `${a.name ?? "?"}${a.claimed_relationship ? ` (${t(`enum.relationship.${a.claimed_relationship}`)})` : ""}`;
  return (
    <EditableSection
      id="encounter"
      title={t("intake.step.encounter")}
      edit={edit}
      heading={heading}
      note={edit.message ?? removal.message}
      below={removingAdult ? <RemoveConfirm id="adult-remove" what={t("followup.remove.adult", { name: removingAdult.name ?? "?" })} removal={removal} /> : null}
      rows={
        <>
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
                            edit.clearMessage();
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
        </>
      }
      fields={(form, problems) => {
        const put = (patch: Partial<EncounterForm>) => edit.setForm({ ...form, ...patch });
        return (
          <>
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
          </>
        );
      }}
    />
  );
}
