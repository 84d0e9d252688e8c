import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import type { CaseDetail } from "../../bindings";
import { CommandAlert } from "../../components/ErrorSummary";
import type { Problems } from "../../components/problem";
import { useI18n } from "../../i18n/I18nProvider";
import { CommandFailure } from "../../ipc";
import { useErrorText } from "../errors";
import { shellProblems, type Checked } from "./followup";

/**
 * A small form opened from the case screen: its heading, the shell's
 * failure, the questions, then Save and Cancel. The first question (or,
 * without questions, the heading) takes focus when it opens; Escape cancels.
 */
export function FollowupForm(props: {
  id: string;
  title: string;
  submit: string;
  failure: string | null;
  saving: boolean;
  onSubmit: () => void;
  onCancel: () => void;
  children: ReactNode;
}) {
  const { t } = useI18n();
  const ref = useRef<HTMLFormElement>(null);
  const title = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    // A form without questions (a confirmation) is announced by its heading; Tab then reaches its buttons.
    (ref.current?.querySelector<HTMLElement>("input, select, textarea") ?? title.current)?.focus();
  }, []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    props.onSubmit();
  };
  return (
    <form
      ref={ref}
      className="followup-form"
      noValidate
      aria-labelledby={`${props.id}-title`}
      onSubmit={submit}
      onKeyDown={(e) => {
        if (e.key === "Escape") props.onCancel();
      }}
    >
      <h3 id={`${props.id}-title`} tabIndex={-1} ref={title}>
        {props.title}
      </h3>
      <CommandAlert message={props.failure} />
      {props.children}
      <div className="button-row">
        <button className="button" type="submit" disabled={props.saving}>
          {props.submit}
        </button>
        <button className="button button--secondary" type="button" onClick={props.onCancel}>
          {t("followup.cancel")}
        </button>
      </div>
    </form>
  );
}

/**
 * The state every follow-up form shares: the problems beside the fields,
 * the shell's failure, and `save`, which sends a checked value and puts the
 * shell's refused fields beside the form's own (`idOf` maps a field path to
 * a DOM id; others go to `fallback`). Resolves with the case read again, or
 * null when nothing was saved.
 */
export function useFollowupSave(idOf: (field: string) => string | undefined, fallback: string) {
  const errorText = useErrorText();
  const [problems, setProblems] = useState<Problems>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const reset = () => {
    setProblems({});
    setFailure(null);
  };
  async function save<T>(checked: Checked<T>, send: (v: T) => Promise<CaseDetail>): Promise<CaseDetail | null> {
    setFailure(null);
    if (!checked.ok) {
      setProblems(checked.problems);
      focusFirst(checked.problems);
      return null;
    }
    setProblems({});
    setSaving(true);
    try {
      return await send(checked.value);
    } catch (err) {
      const e = (err as CommandFailure).error;
      const p = shellProblems(e, idOf, fallback);
      if (p) {
        setProblems(p);
        focusFirst(p);
      } else setFailure(errorText(e));
      return null;
    } finally {
      setSaving(false);
    }
  }
  return { problems, failure, saving, save, reset };
}

/** Focus the first field with a problem, once the errors are on screen. */
function focusFirst(p: Problems) {
  const first = Object.keys(p)[0];
  if (first) setTimeout(() => document.getElementById(first)?.focus(), 0);
}

/** A spoken and visible "Saved." after a form closed, and where focus goes then. */
export function useAfterSave() {
  const [message, setMessage] = useState<string | null>(null);
  const target = useRef<() => HTMLElement | null>(() => null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (tick) target.current()?.focus();
  }, [tick]);
  return {
    message,
    /** Show `text` and, after the next render, move focus to what `el` names then
     * (a button the open form replaced is a new element by then). */
    done(text: string | null, el: () => HTMLElement | null) {
      setMessage(text);
      target.current = el;
      setTick((n) => n + 1);
    },
    clear: () => setMessage(null),
  };
}

/** The status line a section shows after a save. */
export function SavedNote({ message }: { message: string | null }) {
  return (
    <p className="saved-note" role="status">
      {message ?? ""}
    </p>
  );
}
