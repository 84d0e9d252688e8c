/** The console's small parts: alerts, form groups (label above, hint, error beside), the refresh line, a modal dialog. */
import { useEffect, useId, useRef, type ReactNode } from "react";
import type { Failure } from "../api/client";
import { failureText } from "../api/failureText";
import { useConsoleI18n } from "../i18n/ConsoleI18n";

export function ErrorAlert({ message, title }: { message: string | null; title?: string }) {
  if (!message) return null;
  return (
    <div className="alert alert--error" role="alert">
      {title ? <h2 className="alert__title">{title}</h2> : null}
      <p className="alert__text">{message}</p>
    </div>
  );
}

export function SuccessAlert({ message }: { message: string | null }) {
  return (
    <div role="status" aria-live="polite" className={message ? "alert alert--success" : "sr-only"}>
      {message ? <p className="alert__text">{message}</p> : null}
    </div>
  );
}

/** What the last refresh did: nothing shown while all is well; in words when it failed, with when the data shown arrived. */
export function RefreshLine({ failure, receivedAt }: { failure: Failure | null; receivedAt: number | null }) {
  const { t, duration, dateTime } = useConsoleI18n();
  return (
    <div role="status" aria-live="polite" className={failure ? "alert alert--warning refresh" : "refresh refresh--ok"}>
      {failure ? (
        <>
          <p className="alert__text">{failureText(failure, t, duration)}</p>
          {receivedAt ? <p className="alert__text">{t("app.stale", { time: dateTime(receivedAt) })}</p> : null}
        </>
      ) : receivedAt ? (
        <p className="muted refresh__time">{t("app.updated", { time: dateTime(receivedAt) })}</p>
      ) : null}
    </div>
  );
}

export function Loading({ failure }: { failure: Failure | null }) {
  const { t, duration } = useConsoleI18n();
  if (failure) return <ErrorAlert message={failureText(failure, t, duration)} />;
  return <p className="muted" role="status">{t("app.loading")}</p>;
}

interface FieldProps {
  label: string;
  hint?: string;
  error?: string | null;
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
}

/** A form group: label above, hint, the error beside the field, all tied to it. */
export function Field({ label, hint, error, children }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={error ? "form-group form-group--error" : "form-group"}>
      <label className="label" htmlFor={id}>
        {label}
      </label>
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="error-message" id={errorId}>
          {error}
        </p>
      ) : null}
      {children({ id, describedBy, invalid: !!error })}
    </div>
  );
}

/**
 * A modal dialog (the native one: the page behind is inert, Escape closes it,
 * Tab stays inside); on close, focus goes back to what opened it.
 */
export function Dialog({ title, open, onClose, children }: { title: string; open: boolean; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      if (typeof d.showModal === "function") d.showModal();
      else d.setAttribute("open", "");
    } else if (!open && d.open) {
      if (typeof d.close === "function") d.close();
      else d.removeAttribute("open");
    }
    if (!open && opener.current) {
      const back = opener.current;
      opener.current = null;
      if (back.isConnected) back.focus();
    }
  }, [open]);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onKeyDown={(e) => {
        // Tab and Shift+Tab go round the dialog's own controls (the browser would let them out to its own bar).
        if (e.key !== "Tab" || !ref.current) return;
        const all = [...ref.current.querySelectorAll<HTMLElement>("button, input, select, textarea, a[href], [tabindex]:not([tabindex='-1'])")].filter(
          (el) => !(el as HTMLButtonElement).disabled,
        );
        const first = all[0];
        const last = all[all.length - 1];
        if (!first || !last) return;
        if (e.shiftKey && document.activeElement === first) {
          e.preventDefault();
          last.focus();
        } else if (!e.shiftKey && document.activeElement === last) {
          e.preventDefault();
          first.focus();
        }
      }}
    >
      {open ? (
        <>
          <h2 id={titleId} className="dialog__title">
            {title}
          </h2>
          {children}
        </>
      ) : null}
    </dialog>
  );
}
