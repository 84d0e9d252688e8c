import { useState } from "react";
import type { CaseDetail, CaseId, Conflict, FieldKey, JsonValue } from "../../bindings";
import { CommandAlert } from "../../components/ErrorSummary";
import { en, type MessageKey } from "../../i18n/en";
import { useI18n } from "../../i18n/I18nProvider";
import { call, CommandFailure } from "../../ipc";
import { useErrorText } from "../../shared/errors";
import { itemFieldLabel, LIST_TITLE } from "./labels";

export const keyPath = (k: FieldKey) =>
  k.in === "case" ? k.field : k.in === "removal" ? `${k.list}/${k.item}` : `${k.list}/${k.item}/${k.field}`;

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The catalog key of the label the intake gives a field (`child.given_name` →
 * `intake.child.given_name`, `encounter.occurred_at` → `intake.encounter.occurredAt`),
 * or null for a field the intake does not ask. */
function labelKey(section: string, field: string): MessageKey | null {
  for (const key of [`intake.${section}.${field}`, `intake.${section}.${camel(field)}`]) {
    if (key in en) return key as MessageKey;
  }
  return null;
}

/** A conflicting field as the user knows it: its intake label (an item's with its
 * list's title), else its path. */
export function fieldLabel(k: FieldKey, t: (key: MessageKey) => string): string {
  if (k.in === "case" && k.field === "status") return t("followup.status");
  if (k.in === "removal") return t(LIST_TITLE[k.list]);
  if (k.in === "item") {
    const followup = itemFieldLabel(k.list, k.field, t);
    if (followup) return `${t(LIST_TITLE[k.list])}: ${followup}`;
  }
  if (k.in === "case") {
    const [section, field] = k.field.split(".");
    // The intake does not ask about custody; the case screen's custody form names its fields.
    const custody = `followup.custody.${field}`;
    if (section === "custody" && custody in en) return t(custody as MessageKey);
    const key = section && field ? labelKey(section, field) : null;
    return key ? t(key) : keyPath(k);
  }
  const key = labelKey(k.list, k.field);
  const list = `intake.step.${k.list}`;
  if (!key) return keyPath(k);
  return list in en ? `${t(list as MessageKey)}: ${t(key)}` : t(key);
}

/** A JSON value as a person reads it. */
export function showValue(v: JsonValue): string {
  if (v === null) return "—";
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return v.map(showValue).join(", ");
  return JSON.stringify(v);
}

function ConflictChoice({ id, conflict, onResolved }: { id: CaseId; conflict: Conflict; onResolved: (c: CaseDetail) => void }) {
  const { t, dateTime } = useI18n();
  const errorText = useErrorText();
  // The choice is kept by operation: a refresh after a sync keeps it even when values were added.
  const [chosen, setChosen] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const name = `conflict-${keyPath(conflict.key).replace(/[^A-Za-z0-9_-]+/g, "-")}`;
  const choose = async () => {
    const v = conflict.values.find((x) => x.op === chosen);
    if (!v) {
      setFailure(t("detail.conflict.pick"));
      return;
    }
    try {
      onResolved(await call("case_resolve_conflict", { id, key: conflict.key, value: v.value }));
    } catch (e) {
      setFailure(errorText((e as CommandFailure).error));
    }
  };
  return (
    <fieldset className="fieldset card conflict">
      <legend className="legend">
        {conflict.key.in === "removal"
          ? t("detail.conflict.removal", { list: fieldLabel(conflict.key, t) })
          : t("detail.conflict.field", { field: fieldLabel(conflict.key, t) })}
      </legend>
      <CommandAlert message={failure} />
      <div className="choices">
        {conflict.values.map((v, i) => (
          <div className="choice" key={v.op}>
            <input className="choice__input" type="radio" id={`${name}-${i}`} name={name} checked={chosen === v.op} onChange={() => setChosen(v.op)} />
            <label className="choice__label" htmlFor={`${name}-${i}`}>
              <strong>
                {conflict.key.in !== "removal"
                  ? showValue(v.value)
                  : v.value === null
                    ? t("detail.conflict.removed")
                    : t("detail.conflict.edited", { value: showValue(v.value) })}
              </strong>
              <span className="muted">
                {" "}
                {t("detail.conflict.by", { user: v.user, device: v.device.slice(-8), when: dateTime(v.hlc.wall_ms) })}
              </span>
            </label>
          </div>
        ))}
      </div>
      <button type="button" className="button" onClick={() => void choose()}>
        {t("detail.conflict.keep")}
      </button>
    </fieldset>
  );
}

export function Conflicts({ detail, onResolved }: { detail: CaseDetail; onResolved: (c: CaseDetail) => void }) {
  const { t } = useI18n();
  if (!detail.conflicts.length) return null;
  return (
    <section aria-labelledby="conflicts-title" className="panel panel--conflict">
      <h2 id="conflicts-title">{t("detail.conflicts", { count: detail.conflicts.length })}</h2>
      <p className="hint">{t("detail.conflictsHint")}</p>
      {detail.conflicts.map((c) => (
        <ConflictChoice key={keyPath(c.key)} id={detail.id} conflict={c} onResolved={onResolved} />
      ))}
    </section>
  );
}
