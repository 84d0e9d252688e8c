import { useI18n } from "../i18n/I18nProvider";
import { describedBy, errorId, hintId, ProblemText } from "./Field";
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
  const { t } = useI18n();
  return (
    <fieldset
      className={props.error ? "fieldset form-group form-group--error" : "fieldset form-group"}
      aria-describedby={describedBy(props.id, !!props.hint, !!props.error)}
    >
      <legend className="legend">
        {props.legend}
        {props.required === false ? <span className="optional"> {t("form.optional")}</span> : null}
      </legend>
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
    </fieldset>
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
  const { t } = useI18n();
  const toggle = (v: V) =>
    props.onChange(props.value.includes(v) ? props.value.filter((x) => x !== v) : [...props.value, v]);
  return (
    <fieldset className="fieldset form-group" aria-describedby={props.hint ? hintId(props.id) : undefined}>
      <legend className="legend">
        {props.legend}
        <span className="optional"> {t("form.optional")}</span>
      </legend>
      {props.hint ? (
        <div className="hint" id={hintId(props.id)}>
          {props.hint}
        </div>
      ) : null}
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
    </fieldset>
  );
}
