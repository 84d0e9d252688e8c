import { useRef, useState } from "react";
import type { CaseDetail, CommandError } from "../../bindings";
import { useI18n } from "../../i18n/I18nProvider";
import { call, CommandFailure } from "../../ipc";
import { useErrorText } from "../../shared/errors";
import { FollowupForm, useAfterSave } from "../../shared/caseForm/FollowupForm";

/** The lists whose items the case screen removes when entered by mistake. */
export type RemovableList = "services" | "outcomes" | "adults" | "referrals";

/** The shell's refusal of a removal in the screen's words: the cases a screen can meet (a sync changed the item meanwhile). */
export function removalFailure(e: CommandError, t: (k: "followup.remove.notDrafted" | "followup.remove.gone") => string, other: (e: CommandError) => string): string {
  const field = e.code === "invalid" ? e.fields?.[0]?.field : undefined;
  if (field === "referrals.status") return t("followup.remove.notDrafted");
  if (field === "item") return t("followup.remove.gone");
  return other(e);
}

/**
 * Removing an item of `list` in two steps: its Remove button asks, the
 * confirmation removes. After a removal focus goes to `heading` (the item
 * and its button are gone) with "Removed."; after Cancel, back to the
 * button that asked.
 */
export function useRemoval(detail: CaseDetail, onChanged: (c: CaseDetail) => void, list: RemovableList, heading: () => HTMLElement | null) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const [asking, setAsking] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const opener = useRef<HTMLElement | null>(null);
  const after = useAfterSave();
  return {
    asking,
    failure,
    saving,
    message: after.message,
    /** Ask before removing item `id`; `button` gets focus back on Cancel. */
    ask(id: string, button: HTMLElement) {
      opener.current = button;
      setFailure(null);
      after.clear();
      setAsking(id);
    },
    /** Close the confirmation without moving focus (another form is opening). */
    dismiss() {
      setAsking(null);
      setFailure(null);
      after.clear();
    },
    cancel() {
      setAsking(null);
      after.done(null, () => (opener.current?.isConnected ? opener.current : heading()));
    },
    async confirm() {
      if (!asking) return;
      setSaving(true);
      setFailure(null);
      try {
        const saved = await call("case_remove_item", { id: detail.id, list, item: asking });
        onChanged(saved);
        setAsking(null);
        after.done(t("followup.removed"), heading);
      } catch (err) {
        setFailure(removalFailure((err as CommandFailure).error, t, errorText));
      } finally {
        setSaving(false);
      }
    },
  };
}

/** The confirmation of a removal: what goes, what it means, then "Yes, remove it" and Cancel. */
export function RemoveConfirm(props: {
  id: string;
  what: string;
  /** A further consequence to state (the organization a referral named keeps access). */
  note?: string | undefined;
  removal: ReturnType<typeof useRemoval>;
}) {
  const { t } = useI18n();
  const r = props.removal;
  return (
    <FollowupForm
      id={props.id}
      title={t("followup.remove.title", { what: props.what })}
      submit={t("followup.remove.confirm")}
      failure={r.failure}
      saving={r.saving}
      onSubmit={() => void r.confirm()}
      onCancel={r.cancel}
    >
      <p>{t("followup.remove.text")}</p>
      {props.note ? <p>{props.note}</p> : null}
    </FollowupForm>
  );
}
