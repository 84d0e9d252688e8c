import { useEffect, useRef } from "react";
import { useI18n } from "../i18n/I18nProvider";
import { ProblemText } from "./Field";
import { domId, type Problems } from "./problem";

/** The USWDS error summary: at the top of a step after a failed submit, takes
 * focus once per submit (`attempt` counts them: a problem fixed while typing
 * must not pull focus away from the field), and links to each field with a problem. */
export function ErrorSummary({
  problems,
  labels,
  attempt,
}: {
  problems: Problems;
  labels: Record<string, string>;
  attempt: number;
}) {
  const { t } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  const entries = Object.entries(problems);
  const count = entries.length;
  const shown = count > 0;
  useEffect(() => {
    if (shown) ref.current?.focus();
    // Only a new submit moves focus here, not a change in the count.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [attempt]);
  if (!count) return null;
  return (
    <div className="alert alert--error" tabIndex={-1} ref={ref} aria-labelledby="error-summary-title">
      <h2 className="alert__title" id="error-summary-title">
        {t("form.errorSummary", { count })}
      </h2>
      <ul className="alert__list">
        {entries.map(([field, p]) => (
          <li key={field}>
            <a
              href={`#${domId(field)}`}
              onClick={(e) => {
                e.preventDefault();
                document.getElementById(domId(field))?.focus();
              }}
            >
              {labels[field] ? `${labels[field]}: ` : ""}
              <ProblemText problem={p} />
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A failed command's message, in an alert region. */
export function CommandAlert({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <div className="alert alert--error" role="alert">
      <p className="alert__text">{message}</p>
    </div>
  );
}
