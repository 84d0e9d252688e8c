import { useRef, useState, type ReactNode, type RefObject } from "react";
import type { CaseDetail, FieldEdit } from "../../bindings";
import type { Problems } from "../../components/problem";
import { useI18n } from "../../i18n/I18nProvider";
import { call } from "../../ipc";
import type { Checked } from "../../shared/caseForm/followup";
import { FollowupForm, SavedNote, useAfterSave, useFollowupSave } from "../../shared/caseForm/FollowupForm";

/** One line of a section's summary: what is recorded under `label`. */
export function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="summary__row">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** What it takes to correct a part of the case recorded as case-level fields (the child, the encounter, custody, the status). */
export interface SectionEditOptions<F> {
  detail: CaseDetail;
  onChanged: (c: CaseDetail) => void;
  /** The shell's field paths (`child.sex`) to the form's DOM ids; others go to `fallback`. */
  idOf: (field: string) => string | undefined;
  fallback: string;
  /** The form filled with what is recorded now. */
  formOf: () => F;
  /** The fields the form changes, checked (`was` what the form opened on). */
  edits: (form: F, now: Date) => Checked<FieldEdit[]>;
  /** Also done when the form opens (another confirmation closes). */
  onOpen?: () => void;
}

/**
 * The state of a section's correction: Edit opens the form on what is
 * recorded; Save sends only the changed fields ("Nothing changed." without
 * a call) and closes it with "Saved."; Cancel (or Escape) closes it. Either
 * way focus goes back to the button that opened it (`opener`).
 */
export function useSectionEdit<F>(o: SectionEditOptions<F>) {
  const { t } = useI18n();
  const [form, setForm] = useState<F | null>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const after = useAfterSave();
  const { problems, failure, saving, save, reset } = useFollowupSave(o.idOf, o.fallback);
  const close = (message: string | null) => {
    setForm(null);
    after.done(message, () => opener.current);
  };
  return {
    form,
    setForm,
    problems,
    failure,
    saving,
    opener,
    /** "Saved." or "Nothing changed." after the form closed. */
    message: after.message,
    clearMessage: after.clear,
    open() {
      reset();
      after.clear();
      o.onOpen?.();
      setForm(o.formOf());
    },
    cancel: () => close(null),
    async submit() {
      if (form === null) return;
      const checked = o.edits(form, new Date());
      if (checked.ok && !checked.value.length) return close(t("followup.nothingChanged"));
      const saved = await save(checked, (edits) => call("case_set_fields", { id: o.detail.id, edits }));
      if (saved) {
        o.onChanged(saved);
        close(t("followup.saved"));
      }
    },
  };
}

/** A section's correction state, as `useSectionEdit` returns it. */
export type SectionEdit<F> = ReturnType<typeof useSectionEdit<F>>;

/**
 * A section of the case screen recorded as case-level fields: its heading,
 * then either the summary (`rows`, or `empty` when nothing is recorded),
 * the saved note and an Edit button, or the form that Edit opened
 * (`fields`). The Edit button and the form's heading both say "Edit <title>".
 */
export function EditableSection<F>(props: {
  /** Names the section's DOM ids: `${id}-title` (its heading) and `edit-${id}` (its form). */
  id: string;
  title: string;
  edit: SectionEdit<F>;
  /** The summary's rows (`Row`s), or null when nothing is recorded yet. */
  rows: ReactNode;
  /** What the summary says when `rows` is null. */
  empty?: string;
  /** Shown between the summary and the saved note (a removal's confirmation). */
  below?: ReactNode;
  /** The status line, when the section says more than its own saves (a removal's "Removed."). */
  note?: string | null;
  /** The heading, when something moves focus to it (it then takes focus). */
  heading?: RefObject<HTMLHeadingElement | null>;
  /** The form's questions, for the open form. */
  fields: (form: F, problems: Problems) => ReactNode;
}) {
  const { t } = useI18n();
  const e = props.edit;
  const what = t("followup.editWhat", { what: props.title });
  return (
    <section aria-labelledby={`${props.id}-title`} className="panel">
      <h2 id={`${props.id}-title`} tabIndex={props.heading ? -1 : undefined} ref={props.heading}>
        {props.title}
      </h2>
      {e.form !== null ? (
        <FollowupForm
          id={`edit-${props.id}`}
          title={what}
          submit={t("followup.child.save")}
          failure={e.failure}
          saving={e.saving}
          onSubmit={() => void e.submit()}
          onCancel={e.cancel}
        >
          {props.fields(e.form, e.problems)}
        </FollowupForm>
      ) : (
        <>
          {props.rows != null ? <dl className="summary">{props.rows}</dl> : <p className="muted">{props.empty}</p>}
          {props.below}
          <SavedNote message={props.note === undefined ? e.message : props.note} />
          <button type="button" className="button button--secondary" ref={e.opener} aria-label={what} onClick={e.open}>
            {t("followup.edit")}
          </button>
        </>
      )}
    </section>
  );
}
