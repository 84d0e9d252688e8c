import type { ReactNode } from "react";
import { useI18n } from "../../../i18n/I18nProvider";
import type { MessageKey } from "../../../i18n/translate";
import { isoDate } from "../../../components/MemorableDate";
import { splitList } from "../../../shared/caseForm/dates";
import { encounterLocal, type StepId } from "../draft";
import type { StepProps } from "./stepProps";

function Section({ step, title, goTo, children }: { step: StepId; title: string; goTo: (s: StepId) => void; children: ReactNode }) {
  const { t } = useI18n();
  return (
    <section className="review-section" aria-label={title}>
      <div className="review-section__head">
        <h3>{title}</h3>
        <button type="button" className="link-button" onClick={() => goTo(step)}>
          {t("intake.review.change", { what: title })}
        </button>
      </div>
      <dl className="summary">{children}</dl>
    </section>
  );
}

function Row({ label, value }: { label: string; value: string }) {
  const { t } = useI18n();
  return (
    <div className="summary__row">
      <dt>{label}</dt>
      <dd>{value || <span className="muted">{t("intake.review.empty")}</span>}</dd>
    </div>
  );
}

export function ReviewStep({ draft, goTo, instruments }: StepProps) {
  const { t, dateTime, date } = useI18n();
  const e = draft.encounter;
  const c = draft.child;
  const en = (prefix: string, v: string) => (v ? t(`${prefix}.${v}` as MessageKey) : "");
  const s = draft.screening;
  const instrument = instruments.find((i) => i.id === s.instrument && i.version === s.version);
  const answered = Object.keys(s.answers).length;
  return (
    <>
      <p className="lead">{t("intake.review.lead")}</p>
      <Section step="encounter" title={t("intake.step.encounter")} goTo={goTo}>
        <Row label={t("intake.encounter.occurredAt")} value={encounterLocal(draft) ? dateTime(encounterLocal(draft)!) : ""} />
        <Row label={t("intake.encounter.station")} value={e.station} />
        <Row label={t("intake.encounter.place")} value={e.place} />
        <Row label={t("intake.encounter.type")} value={en("enum.encounterType", e.type)} />
        <Row label={t("intake.encounter.accompaniment")} value={en("enum.accompaniment", e.accompaniment)} />
        <Row label={t("intake.encounter.narrative")} value={e.narrative} />
      </Section>
      <Section step="child" title={t("intake.step.child")} goTo={goTo}>
        <Row label={t("intake.child.given_name")} value={[c.given_name, c.family_name].filter(Boolean).join(" ")} />
        <Row label={t("intake.child.aliases")} value={splitList(c.aliases).join(", ")} />
        <Row
          label={t("intake.review.age")}
          value={(isoDate(c.date_of_birth) ? date(isoDate(c.date_of_birth)!) : "") || (c.estimated_age_years ? t("intake.review.estimated", { age: c.estimated_age_years }) : "")}
        />
        <Row label={t("intake.child.age_method")} value={en("enum.ageMethod", c.age_method)} />
        <Row label={t("intake.child.nationalities")} value={c.nationalities} />
        <Row label={t("intake.child.languages")} value={c.languages} />
      </Section>
      <Section step="adults" title={t("intake.step.adults")} goTo={goTo}>
        <Row
          label={t("intake.step.adults")}
          value={draft.adults
            .map((a) => `${a.name} (${a.claimed_relationship ? t(`enum.relationship.${a.claimed_relationship}`) : "?"})`)
            .join("; ")}
        />
      </Section>
      <Section step="screening" title={t("intake.step.screening")} goTo={goTo}>
        <Row label={t("screening.when")} value={s.when ? t(s.when === "now" ? "screening.whenNow" : "screening.whenLater") : ""} />
        {s.when === "now" ? (
          <>
            <Row label={t("screening.instrument")} value={instrument ? instrument.title[s.prompt_language] : ""} />
            <Row
              label={t("intake.review.answered")}
              value={instrument ? t("intake.review.answeredOf", { n: answered, total: instrument.indicators.length }) : ""}
            />
          </>
        ) : null}
      </Section>
      <Section step="needs" title={t("intake.step.needs")} goTo={goTo}>
        <Row label={t("intake.needs.legend")} value={draft.services.map((n) => en("enum.service", n)).join(", ")} />
        <Row label={t("intake.referrals.title")} value={draft.referrals.map((r) => en("enum.referralTo", r.to)).join(", ")} />
      </Section>
    </>
  );
}
