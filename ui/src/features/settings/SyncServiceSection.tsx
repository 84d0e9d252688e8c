import { useEffect, useRef, useState } from "react";
import { TextField } from "../../components/inputs";
import type { Problems } from "../../components/problem";
import { useI18n } from "../../i18n/I18nProvider";
import { call, CommandFailure } from "../../ipc";
import { FollowupForm, SavedNote, useAfterSave } from "../../shared/caseForm/FollowupForm";
import { useErrorText } from "../../shared/errors";
import { checkServiceAddress, moveRefusal, SERVER_FIELD } from "./syncService";

/**
 * Settings' "Sync service": the address this laptop syncs with and, for an
 * enrolled laptop, "Change address", which opens a small form for the new
 * one (Save or Cancel; Escape cancels). The shell checks that the service
 * there knows this laptop before it keeps the address; a refusal shows
 * beside the field and changes nothing. Either way focus goes back to
 * "Change address" once the form closes.
 */
export function SyncServiceSection() {
  const { t } = useI18n();
  const errorText = useErrorText();
  // undefined: not known yet; null: a local-only store.
  const [server, setServer] = useState<string | null | undefined>(undefined);
  const [form, setForm] = useState<string | null>(null);
  const [problems, setProblems] = useState<Problems>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  const after = useAfterSave();

  useEffect(() => {
    let alive = true;
    call("sync_status").then(
      (s) => alive && setServer(s.server),
      () => undefined,
    );
    return () => {
      alive = false;
    };
  }, []);

  const close = (message: string | null) => {
    setForm(null);
    after.done(message, () => opener.current);
  };
  const open = () => {
    setProblems({});
    setFailure(null);
    after.clear();
    setForm("");
  };
  const refuse = (p: Problems) => {
    setProblems(p);
    setTimeout(() => document.getElementById(SERVER_FIELD)?.focus(), 0);
  };
  const submit = async () => {
    if (form === null || saving) return;
    setFailure(null);
    const checked = checkServiceAddress(form, server ?? null);
    if ("problem" in checked) return refuse({ [SERVER_FIELD]: checked.problem });
    setProblems({});
    setSaving(true);
    try {
      const line = await call("sync_move_service", { server: checked.server });
      const now = line.server ?? checked.server;
      setServer(now);
      close(t("settings.service.moved", { server: now }));
    } catch (err) {
      const r = moveRefusal((err as CommandFailure).error);
      if ("problem" in r) refuse({ [SERVER_FIELD]: r.problem });
      else setFailure(errorText(r.failure));
    } finally {
      setSaving(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="service-title">
      <h2 id="service-title">{t("settings.service.title")}</h2>
      {server === undefined ? null : server === null ? (
        <p>{t("settings.service.localOnly")}</p>
      ) : (
        <p>{t("settings.service.current", { server })}</p>
      )}
      <SavedNote message={after.message} />
      {form !== null ? (
        <FollowupForm
          id="move-service"
          title={t("settings.service.formTitle")}
          submit={t("settings.service.save")}
          failure={failure}
          saving={saving}
          onSubmit={() => void submit()}
          onCancel={() => close(null)}
        >
          <TextField
            id={SERVER_FIELD}
            label={t("settings.service.newAddress")}
            hint={t("settings.service.hint")}
            type="url"
            value={form}
            onChange={setForm}
            error={problems[SERVER_FIELD]}
            required
          />
        </FollowupForm>
      ) : server ? (
        <button ref={opener} className="button button--outline" type="button" onClick={open}>
          {t("settings.service.change")}
        </button>
      ) : null}
    </section>
  );
}
