import type { ReactNode } from "react";
import { useI18n } from "../i18n/I18nProvider";
import type { Problem } from "./problem";

/** The DOM id of a field's error message, for aria-describedby. */
export const errorId = (id: string) => `${id}--error`;
export const hintId = (id: string) => `${id}--hint`;

export function describedBy(id: string, hint: boolean, error: boolean): string | undefined {
  const ids = [hint ? hintId(id) : null, error ? errorId(id) : null].filter(Boolean);
  return ids.length ? ids.join(" ") : undefined;
}

export function ProblemText({ problem }: { problem: Problem }) {
  const { t } = useI18n();
  return <>{"text" in problem ? problem.text : t(problem.key, problem.vars)}</>;
}

/** A form group: label above, then hint, then the error in plain words, then the control. */
export function Field(props: {
  id: string;
  label: string;
  hint?: string | undefined;
  error?: Problem | undefined;
  required?: boolean | undefined;
  children: ReactNode;
}) {
  const { t } = useI18n();
  return (
    <div className={props.error ? "form-group form-group--error" : "form-group"}>
      <label className="label" htmlFor={props.id}>
        {props.label}
        {props.required ? null : <span className="optional"> {t("form.optional")}</span>}
      </label>
      {props.hint ? (
        <div className="hint" id={hintId(props.id)}>
          {props.hint}
        </div>
      ) : null}
      {props.error ? (
        <div className="error-message" id={errorId(props.id)} role="alert">
          <ProblemText problem={props.error} />
        </div>
      ) : null}
      {props.children}
    </div>
  );
}
