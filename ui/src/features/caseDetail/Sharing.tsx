import { useRef, useState } from "react";
import type { CaseDetail, CommandError } from "../../bindings";
import { useI18n } from "../../i18n/I18nProvider";
import { call, CommandFailure } from "../../ipc";
import { useErrorText } from "../../shared/errors";
import { FollowupForm, SavedNote, useAfterSave } from "../../shared/caseForm/FollowupForm";

/** The organizations the case is shared with; a supervisor of the owning organization may stop sharing it
 * with one (asked first: its devices remove the case at their next sync; its referrals stay as the record). */
export function Sharing({ detail, onChanged }: { detail: CaseDetail; onChanged: (c: CaseDetail) => void }) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const heading = useRef<HTMLHeadingElement>(null);
  const opener = useRef<HTMLButtonElement | null>(null);
  const [asking, setAsking] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const after = useAfterSave();
  if (detail.shared_with.length === 0) return null;
  const cancel = () => {
    setAsking(null);
    after.done(null, () => (opener.current?.isConnected ? opener.current : heading.current));
  };
  const confirm = async () => {
    if (!asking) return;
    setSaving(true);
    setFailure(null);
    try {
      const saved = await call("case_stop_sharing", { id: detail.id, org: asking });
      onChanged(saved);
      const org = asking;
      setAsking(null);
      after.done(t("sharing.stopped", { org }), () => heading.current);
    } catch (err) {
      const e = (err as CommandFailure).error as CommandError;
      setFailure(e.code === "invalid" && e.fields?.[0]?.field === "org" ? e.fields[0].message : errorText(e));
    } finally {
      setSaving(false);
    }
  };
  return (
    <section aria-labelledby="sharing-title" className="panel">
      <h2 id="sharing-title" ref={heading} tabIndex={-1}>
        {t("sharing.title")}
      </h2>
      <SavedNote message={after.message} />
      <ul>
        {detail.shared_with.map((org) => (
          <li key={org}>
            {org}{" "}
            {detail.may_stop_sharing ? (
              <button
                type="button"
                className="secondary"
                id={`sharing-stop-${org}`}
                onClick={(e) => {
                  opener.current = e.currentTarget;
                  setFailure(null);
                  after.clear();
                  setAsking(org);
                }}
              >
                {t("sharing.stop", { org })}
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      {asking ? (
        <FollowupForm
          id="sharing-stop"
          title={t("sharing.confirmTitle", { org: asking })}
          submit={t("sharing.confirm")}
          failure={failure}
          saving={saving}
          onSubmit={() => void confirm()}
          onCancel={cancel}
        >
          <p>{t("sharing.confirmText", { org: asking })}</p>
        </FollowupForm>
      ) : null}
    </section>
  );
}
