import { ACCOMPANIMENT, ENCOUNTER_TYPES } from "../../../bindings/vocabulary";
import { RadioGroup } from "../../../components/choices";
import { TextArea, TextField } from "../../../components/inputs";
import { MemorableDate } from "../../../components/MemorableDate";
import { domId } from "../../../components/problem";
import { useI18n } from "../../../i18n/I18nProvider";
import { options } from "../../../shared/caseForm/options";
import type { StepProps } from "./stepProps";

export function EncounterStep({ draft, set, problems }: StepProps) {
  const { t } = useI18n();
  const e = draft.encounter;
  const put = (patch: Partial<typeof e>) => set((d) => ({ ...d, encounter: { ...d.encounter, ...patch } }));
  return (
    <>
      <MemorableDate
        id={domId("encounter.occurred_at")}
        legend={t("intake.encounter.date")}
        hint={t("intake.encounter.dateHint")}
        value={e.date}
        onChange={(v) => put({ date: v })}
        error={problems["encounter.occurred_at"]}
      />
      <TextField
        id={domId("encounter.time")}
        label={t("intake.encounter.time")}
        hint={t("intake.encounter.timeHint")}
        width="short"
        value={e.time}
        onChange={(v) => put({ time: v })}
        error={problems["encounter.time"]}
        required
      />
      <TextField
        id={domId("encounter.station")}
        label={t("intake.encounter.station")}
        hint={t("intake.encounter.stationHint")}
        width="medium"
        value={e.station}
        onChange={(v) => put({ station: v })}
        error={problems["encounter.station"]}
        required
      />
      <TextField id={domId("encounter.place")} label={t("intake.encounter.place")} value={e.place} onChange={(v) => put({ place: v })} />
      <RadioGroup
        id={domId("encounter.type")}
        legend={t("intake.encounter.type")}
        value={e.type}
        onChange={(v) => put({ type: v })}
        options={options(t, "enum.encounterType", ENCOUNTER_TYPES)}
        error={problems["encounter.type"]}
      />
      <RadioGroup
        id={domId("encounter.accompaniment")}
        legend={t("intake.encounter.accompaniment")}
        value={e.accompaniment}
        onChange={(v) => put({ accompaniment: v })}
        options={options(t, "enum.accompaniment", ACCOMPANIMENT)}
        error={problems["encounter.accompaniment"]}
      />
      <TextArea
        id={domId("encounter.narrative")}
        label={t("intake.encounter.narrative")}
        hint={t("intake.encounter.narrativeHint")}
        rows={5}
        value={e.narrative}
        onChange={(v) => put({ narrative: v })}
      />
    </>
  );
}
