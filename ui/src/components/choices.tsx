import { FieldFrame } from "./Field";
import type { Option } from "./inputs";
import type { Problem } from "./problem";

/** Radio buttons in a fieldset: the legend is the question. The first radio
 * carries the group's id so an error summary link can focus it. */
export function RadioGroup<V extends string>(props: {
  id: string;
  legend: string;
  hint?: string | undefined;
  error?: Problem | undefined;
  value: V | "";
  onChange: (v: V) => void;
  options: Option<V>[];
  inline?: boolean;
  required?: boolean;
}) {
  return (
    <FieldFrame
      kind="fieldset"
      id={props.id}
      label={props.legend}
      optional={props.required === false}
      hint={props.hint}
      error={props.error}
    >
      <div className={props.inline ? "choices choices--inline" : "choices"}>
        {props.options.map((o, i) => {
          const id = i === 0 ? props.id : `${props.id}--${o.value}`;
          return (
            <div className="choice" key={o.value}>
              <input
                className="choice__input"
                type="radio"
                id={id}
                name={props.id}
                value={o.value}
                checked={props.value === o.value}
                onChange={() => props.onChange(o.value)}
              />
              <label className="choice__label" htmlFor={id}>
                {o.label}
              </label>
            </div>
          );
        })}
      </div>
    </FieldFrame>
  );
}

export function CheckboxGroup<V extends string>(props: {
  id: string;
  legend: string;
  hint?: string | undefined;
  value: V[];
  onChange: (v: V[]) => void;
  options: Option<V>[];
}) {
  const toggle = (v: V) =>
    props.onChange(props.value.includes(v) ? props.value.filter((x) => x !== v) : [...props.value, v]);
  return (
    <FieldFrame
      kind="fieldset"
      id={props.id}
      label={props.legend}
      optional
      hint={props.hint}
    >
      <div className="choices">
        {props.options.map((o, i) => {
          const id = i === 0 ? props.id : `${props.id}--${o.value}`;
          return (
            <div className="choice" key={o.value}>
              <input
                className="choice__input"
                type="checkbox"
                id={id}
                checked={props.value.includes(o.value)}
                onChange={() => toggle(o.value)}
              />
              <label className="choice__label" htmlFor={id}>
                {o.label}
              </label>
            </div>
          );
        })}
      </div>
    </FieldFrame>
  );
}
