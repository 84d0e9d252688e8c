import { useI18n } from "../i18n/I18nProvider";
import { FieldFrame } from "./Field";
import type { Problem } from "./problem";

/** A date as typed: day, month and year in their own boxes (USWDS "memorable date"). */
export interface DateParts {
  day: string;
  month: string;
  year: string;
}

export const emptyDate = (): DateParts => ({ day: "", month: "", year: "" });

/** `YYYY-MM-DD` when the parts make a real calendar day, else null. */
export function isoDate(p: DateParts): string | null {
  const [d, m, y] = [p.day.trim(), p.month.trim(), p.year.trim()];
  if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y)) return null;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  if (date.getUTCFullYear() !== Number(y) || date.getUTCMonth() !== Number(m) - 1 || date.getUTCDate() !== Number(d)) return null;
  return `${y}-${m.padStart(2, "0")}-${d.padStart(2, "0")}`;
}

export const isDateEmpty = (p: DateParts) => !p.day.trim() && !p.month.trim() && !p.year.trim();

/**
 * Three plain number boxes instead of a browser date picker: every keyboard
 * and screen reader handles them the same way, and they follow the language's
 * order (month/day/year in English, day/month/year in Spanish). The first box
 * carries `id`, so an error link can focus it.
 */
export function MemorableDate(props: {
  id: string;
  legend: string;
  hint?: string | undefined;
  error?: Problem | undefined;
  value: DateParts;
  onChange: (v: DateParts) => void;
  required?: boolean;
}) {
  const { t, lang } = useI18n();
  const order: (keyof DateParts)[] = lang === "es" ? ["day", "month", "year"] : ["month", "day", "year"];
  return (
    <FieldFrame
      kind="fieldset"
      id={props.id}
      label={props.legend}
      optional={props.required === false}
      hint={props.hint}
      error={props.error}
    >
      <div className="memorable-date">
        {order.map((part, i) => {
          const id = i === 0 ? props.id : `${props.id}--${part}`;
          return (
            <div className={`memorable-date__${part}`} key={part}>
              <label className="label label--small" htmlFor={id}>
                {t(`date.${part}`)}
              </label>
              <input
                id={id}
                className="input"
                type="text"
                inputMode="numeric"
                autoComplete="off"
                maxLength={part === "year" ? 4 : 2}
                value={props.value[part]}
                aria-invalid={props.error ? true : undefined}
                onChange={(e) => props.onChange({ ...props.value, [part]: e.target.value.replace(/\D/g, "") })}
              />
            </div>
          );
        })}
      </div>
    </FieldFrame>
  );
}
