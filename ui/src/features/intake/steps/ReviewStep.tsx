import type { ReactNode } from "react";
import { useI18n } from "../../../i18n/I18nProvider";
import type { MessageKey } from "../../../i18n/translate";
import { splitList, type StepId } from "../draft";
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
  const { t, dateTime } = useI18n();
  const e = draft.encounter;
  const c = draft.child;
  const en = (prefix: string, v: string) => (v ? t(`${prefix}.${v}` as MessageKey) : "");
  const instrument = instruments.find((i) => i.id === draft.screening.instrument_id);
  const answered = Object.keys(draft.screening.answers).length;
  return (
    <>
      <p className="lead">{t("intake.review.lead")}</p>
      <Section step="encounter" title={t("intake.step.encounter")} goTo={goTo}>
        <Row label={t("intake.encounter.occurredAt")} value={e.occurred_at ? dateTime(e.occurred_at) : ""} />
        <Row label={t("intake.encounter.station")} value={e.station} />
        <Row label={t("intake.encounter.place")} value={e.place} />
        <Row label={t("intake.encounter.type")} value={en("enum.encounterType", e.type)} />
        <Row label={t("intake.encounter.accompanied")} value={en("enum.accompanied", e.accompanied)} />
        <Row label={t("intake.encounter.narrative")} value={e.narrative} />
      </Section>
      <Section step="child" title={t("intake.step.child")} goTo={goTo}>
        <Row label={t("intake.child.given_name")} value={[c.given_name, c.family_name].filter(Boolean).join(" ")} />
        <Row label={t("intake.child.aliases")} value={splitList(c.aliases).join(", ")} />
        <Row
          label={t("intake.review.age")}
          value={c.date_of_birth || (c.estimated_age ? t("intake.review.estimated", { age: c.estimated_age }) : "")}
        />
        <Row label={t("intake.child.age_method")} value={en("enum.ageMethod", c.age_method)} />
        <Row label={t("intake.child.nationalities")} value={c.nationalities} />
        <Row label={t("intake.child.languages")} value={c.languages} />
      </Section>
      <Section step="adults" title={t("intake.step.adults")} goTo={goTo}>
        <Row
          label={t("intake.step.adults")}
          value={draft.adults.map((a) => `${a.name} (${a.claimed_relationship})`).join("; ")}
        />
      </Section>
      <Section step="screening" title={t("intake.step.screening")} goTo={goTo}>
        <Row label={t("screening.instrument")} value={instrument ? instrument.title[draft.screening.language] : ""} />
        <Row
          label={t("intake.review.answered")}
          value={instrument ? t("intake.review.answeredOf", { n: answered, total: instrument.indicators.length }) : ""}
        />
      </Section>
      <Section step="needs" title={t("intake.step.needs")} goTo={goTo}>
        <Row label={t("intake.needs.legend")} value={draft.needs.map((n) => en("enum.need", n)).join(", ")} />
        <Row label={t("intake.referrals.title")} value={draft.referrals.map((r) => en("enum.referralTo", r.to)).join(", ")} />
      </Section>
    </>
  );
}
