import { useEffect, useRef, useState } from "react";
import type { CaseId, Instrument } from "../../bindings";
import { CommandAlert, ErrorSummary } from "../../components/ErrorSummary";
import type { Problems } from "../../components/problem";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/translate";
import { call, CommandFailure } from "../../ipc";
import { useErrorText } from "../../shared/errors";
import { emptyDraft, parseDraft, STEPS, toNewCase, type IntakeDraft, type StepId } from "./draft";
import { AdultsStep } from "./steps/AdultsStep";
import { ChildStep } from "./steps/ChildStep";
import { EncounterStep } from "./steps/EncounterStep";
import { NeedsStep } from "./steps/NeedsStep";
import { ReviewStep } from "./steps/ReviewStep";
import { ScreeningStep } from "./steps/ScreeningStep";
import type { StepProps } from "./steps/stepProps";
import { useDraftAutosave } from "./useDraftAutosave";
import { stepOfField, validateAll, validateStep } from "./validate";

const STEP_VIEW: Record<StepId, (p: StepProps) => React.JSX.Element> = {
  encounter: EncounterStep,
  child: ChildStep,
  adults: AdultsStep,
  screening: ScreeningStep,
  needs: NeedsStep,
  review: ReviewStep,
};

export function IntakeScreen({ onSaved, onCancel }: { onSaved: (id: CaseId) => void; onCancel: () => void }) {
  const { t, lang, dateTime } = useI18n();
  const errorText = useErrorText();
  const [draft, setDraft] = useState<IntakeDraft | null>(null);
  const [restored, setRestored] = useState<string | null>(null);
  const [instruments, setInstruments] = useState<Instrument[]>([]);
  const [problems, setProblems] = useState<Problems>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [confirmDiscard, setConfirmDiscard] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const saveState = useDraftAutosave(draft, draft !== null);

  useEffect(() => {
    Promise.all([call("draft_load"), call("screening_instruments")]).then(
      ([raw, list]) => {
        setInstruments(list);
        const saved = parseDraft(raw);
        const d = saved ?? emptyDraft(lang);
        const first = list[0];
        if (!d.screening.instrument && first) {
          d.screening = { ...d.screening, instrument: first.id, version: first.version };
        }
        if (saved?.saved_at) setRestored(saved.saved_at);
        setDraft(d);
      },
      (e: CommandFailure) => setFailure(errorText(e.error)),
    );
    // Load once; the language only seeds a new draft.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const step = draft?.step ?? "encounter";
  const index = STEPS.indexOf(step);
  const instrument =
    instruments.find((i) => i.id === draft?.screening.instrument && i.version === draft.screening.version) ?? null;

  useEffect(() => {
    headingRef.current?.focus();
  }, [step]);

  // Once problems are shown, each one goes away as soon as its field is right;
  // none is added until the next Continue (no errors for fields not reached yet).
  useEffect(() => {
    if (!draft) return;
    setProblems((shown) => {
      if (!Object.keys(shown).length) return shown;
      const fresh = validateStep(draft.step, draft, instrument, new Date());
      const kept = Object.fromEntries(
        Object.entries(shown).flatMap(([k, p]) => ("text" in p ? [[k, p]] : fresh[k] ? [[k, fresh[k]]] : [])),
      );
      return Object.keys(kept).length === Object.keys(shown).length ? shown : kept;
    });
  }, [draft, instrument]);

  if (!draft) {
    return (
      <section>
        <h1>{t("intake.title")}</h1>
        <CommandAlert message={failure} />
        {failure ? null : <p>{t("common.loading")}</p>}
      </section>
    );
  }

  const set = (update: (d: IntakeDraft) => IntakeDraft) => setDraft((d) => (d ? update(d) : d));
  const goTo = (s: StepId) => {
    setProblems({});
    set((d) => ({ ...d, step: s }));
  };
  const next = () => {
    const p = validateStep(step, draft, instrument, new Date());
    setProblems(p);
    if (Object.keys(p).length) {
      setAttempt((n) => n + 1);
      return;
    }
    const following = STEPS[index + 1];
    if (following) goTo(following);
  };
  const save = async () => {
    setFailure(null);
    const bad = validateAll(draft, instrument, new Date());
    if (bad) {
      set((d) => ({ ...d, step: bad.step }));
      setProblems(bad.problems);
      setAttempt((n) => n + 1);
      return;
    }
    setSaving(true);
    try {
      const { id } = await call("case_save_new", { input: toNewCase(draft, new Date()) });
      await call("draft_discard").catch(() => undefined);
      onSaved(id);
    } catch (err) {
      const e = (err as CommandFailure).error;
      if (e.code === "invalid" && e.fields?.length) {
        const p: Problems = Object.fromEntries(e.fields.map((f) => [f.field, { text: f.message }]));
        set((d) => ({ ...d, step: stepOfField(e.fields![0]!.field) }));
        setProblems(p);
        setAttempt((n) => n + 1);
      } else setFailure(errorText(e));
    } finally {
      setSaving(false);
    }
  };
  const discard = async () => {
    await call("draft_discard").catch(() => undefined);
    onCancel();
  };

  const View = STEP_VIEW[step];
  const stepTitle = (s: StepId) => t(`intake.step.${s}` as MessageKey);
  const labels = Object.fromEntries(Object.keys(problems).map((k) => [k, ""]));

  return (
    <section aria-labelledby="intake-step-title" className="intake">
      <div className="page-head">
        <p className="eyebrow">{t("intake.title")}</p>
        <p className="autosave" aria-live="polite">
          {saveState.kind === "saved"
            ? t("intake.draftSaved", { time: dateTime(saveState.at) })
            : saveState.kind === "failed"
              ? t("intake.draftFailed")
              : saveState.kind === "saving"
                ? t("intake.draftSaving")
                : ""}
        </p>
      </div>
      <ol className="step-indicator" aria-label={t("intake.progress")}>
        {STEPS.map((s, i) => (
          <li
            key={s}
            className={i < index ? "step step--done" : i === index ? "step step--current" : "step"}
            aria-current={i === index ? "step" : undefined}
          >
            <span className="step__n">{i + 1}</span> {stepTitle(s)}
          </li>
        ))}
      </ol>
      <h1 id="intake-step-title" tabIndex={-1} ref={headingRef}>
        <span className="sr-only">{t("intake.stepOf", { n: index + 1, total: STEPS.length })} </span>
        {stepTitle(step)}
      </h1>
      {restored ? (
        <div className="alert alert--info" role="status">
          <p className="alert__text">{t("intake.restored", { time: dateTime(restored) })}</p>
        </div>
      ) : null}
      <ErrorSummary problems={problems} labels={labels} attempt={attempt} />
      <CommandAlert message={failure} />
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (step === "review") void save();
          else next();
        }}
      >
        <View draft={draft} set={set} problems={problems} instruments={instruments} goTo={goTo} />
        <div className="button-row">
          {index > 0 ? (
            <button type="button" className="button button--outline" onClick={() => goTo(STEPS[index - 1]!)}>
              {t("intake.back")}
            </button>
          ) : null}
          <button type="submit" className="button" disabled={saving}>
            {step === "review" ? (saving ? t("intake.saving") : t("intake.save")) : t("intake.continue")}
          </button>
        </div>
      </form>
      <div className="discard">
        {confirmDiscard ? (
          <div className="alert alert--warning" role="alert">
            <p className="alert__text">{t("intake.discardConfirm")}</p>
            <div className="button-row">
              <button type="button" className="button button--danger" onClick={() => void discard()}>
                {t("intake.discardYes")}
              </button>
              <button type="button" className="button button--outline" onClick={() => setConfirmDiscard(false)}>
                {t("intake.discardNo")}
              </button>
            </div>
          </div>
        ) : (
          <button type="button" className="link-button" onClick={() => setConfirmDiscard(true)}>
            {t("intake.discard")}
          </button>
        )}
      </div>
    </section>
  );
}
