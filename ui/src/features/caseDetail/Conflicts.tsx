import { useState } from "react";
import type { CaseDetail, CaseId, Conflict } from "../../bindings";
import { CommandAlert } from "../../components/ErrorSummary";
import { useI18n } from "../../i18n/I18nProvider";
import { call, CommandFailure } from "../../ipc";
import { useErrorText } from "../../shared/errors";
import { fieldLabel, keyPath, showValue } from "./labels";

// The labels are pure (labels.ts); the sync administrators' console names fields with them too.
export { fieldLabel, keyPath, showValue };

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
