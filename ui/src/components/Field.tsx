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

/**
 * The frame every form question shares: its label (or legend, for a group of
 * controls in a fieldset) with "(optional)", then the hint, then the error in
 * plain words, then the controls. The hint and the error carry the ids that
 * `aria-describedby` points at.
 */
export function FieldFrame(props: {
  id: string;
  /** `label` for one control (a label for `id`); `fieldset` for a group (a legend). */
  kind: "label" | "fieldset";
  label: string;
  optional: boolean;
  hint?: string | undefined;
  error?: Problem | undefined;
  children: ReactNode;
}) {
  const { t } = useI18n();
  const optional = props.optional ? <span className="optional"> {t("form.optional")}</span> : null;
  const notes = (
    <>
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
    </>
  );
  const group = props.error ? "form-group form-group--error" : "form-group";
  if (props.kind === "label") {
    return (
      <div className={group}>
        <label className="label" htmlFor={props.id}>
          {props.label}
          {optional}
        </label>
        {notes}
        {props.children}
      </div>
    );
  }
  return (
    <fieldset className={`fieldset ${group}`} aria-describedby={describedBy(props.id, !!props.hint, !!props.error)}>
      <legend className="legend">
        {props.label}
        {optional}
      </legend>
      {notes}
      {props.children}
    </fieldset>
  );
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
  return (
    <FieldFrame
      kind="label"
      id={props.id}
      label={props.label}
      optional={!props.required}
      hint={props.hint}
      error={props.error}
    >
      {props.children}
    </FieldFrame>
  );
}
