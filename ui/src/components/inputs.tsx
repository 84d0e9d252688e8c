import type { InputHTMLAttributes } from "react";
import { describedBy, Field } from "./Field";
import type { Problem } from "./problem";

interface Common {
  id: string;
  label: string;
  hint?: string | undefined;
  error?: Problem | undefined;
  required?: boolean;
}

export function TextField(
  props: Common & {
    value: string;
    onChange: (v: string) => void;
    type?: "text" | "password" | "datetime-local" | "date" | "number" | "url";
    autoComplete?: string;
    inputMode?: InputHTMLAttributes<HTMLInputElement>["inputMode"];
    width?: "short" | "medium" | "full";
  },
) {
  return (
    <Field id={props.id} label={props.label} hint={props.hint} error={props.error} required={props.required}>
      <input
        id={props.id}
        name={props.id}
        className={`input input--${props.width ?? "full"}`}
        type={props.type ?? "text"}
        value={props.value}
        autoComplete={props.autoComplete ?? "off"}
        inputMode={props.inputMode}
        aria-invalid={props.error ? true : undefined}
        aria-required={props.required || undefined}
        aria-describedby={describedBy(props.id, !!props.hint, !!props.error)}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </Field>
  );
}

/** A passphrase: hidden, required, and offered to the password manager as the
 * one to type (`current`) or a new one (`new`). */
export function PassphraseField(
  props: Omit<Common, "required"> & { value: string; onChange: (v: string) => void; purpose: "current" | "new" },
) {
  return (
    <TextField
      id={props.id}
      label={props.label}
      hint={props.hint}
      type="password"
      autoComplete={props.purpose === "new" ? "new-password" : "current-password"}
      value={props.value}
      onChange={props.onChange}
      error={props.error}
      required
    />
  );
}

export function TextArea(props: Common & { value: string; onChange: (v: string) => void; rows?: number }) {
  return (
    <Field id={props.id} label={props.label} hint={props.hint} error={props.error} required={props.required}>
      <textarea
        id={props.id}
        name={props.id}
        className="textarea"
        rows={props.rows ?? 4}
        value={props.value}
        aria-invalid={props.error ? true : undefined}
        aria-required={props.required || undefined}
        aria-describedby={describedBy(props.id, !!props.hint, !!props.error)}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </Field>
  );
}

export interface Option<V extends string> {
  value: V;
  label: string;
}

export function SelectField<V extends string>(
  props: Common & { value: V | ""; onChange: (v: V | "") => void; options: Option<V>[]; placeholder: string },
) {
  return (
    <Field id={props.id} label={props.label} hint={props.hint} error={props.error} required={props.required}>
      <select
        id={props.id}
        name={props.id}
        className="select"
        value={props.value}
        aria-invalid={props.error ? true : undefined}
        aria-required={props.required || undefined}
        aria-describedby={describedBy(props.id, !!props.hint, !!props.error)}
        onChange={(e) => props.onChange(e.target.value as V | "")}
      >
        <option value="">{props.placeholder}</option>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Field>
  );
}
