import { useState, type FormEvent } from "react";
import type { Lang, Settings } from "../../bindings";
import { RadioGroup } from "../../components/choices";
import { CommandAlert } from "../../components/ErrorSummary";
import { PassphraseField, TextField } from "../../components/inputs";
import { problem, type Problems } from "../../components/problem";
import { useI18n } from "../../i18n/I18nProvider";
import { call, CommandFailure } from "../../ipc";
import { useErrorText } from "../../shared/errors";
import { validateNewPassphrase } from "../../shared/passphrase";
import { IDLE_MAX, parseIdleMinutes } from "./idleLock";
import { SyncServiceSection } from "./SyncServiceSection";

function ChangePassphrase() {
  const { t } = useI18n();
  const errorText = useErrorText();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const [problems, setProblems] = useState<Problems>({});
  const [done, setDone] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    setFailure(null);
    const p: Problems = { ...validateNewPassphrase(next, confirm, "new_passphrase") };
    if (!current) p.current_passphrase = problem("unlock.err.passRequired");
    setProblems(p);
    if (Object.keys(p).length) return;
    try {
      await call("change_passphrase", { current, next });
      setCurrent("");
      setNext("");
      setConfirm("");
      setDone(true);
    } catch (err) {
      const ce = (err as CommandFailure).error;
      if (ce.code === "wrong_passphrase") setProblems({ current_passphrase: problem("unlock.err.wrong") });
      else if (ce.code === "weak_passphrase") setProblems({ new_passphrase: { text: ce.message } });
      else setFailure(errorText(ce));
    }
  };
  return (
    <form onSubmit={submit} noValidate className="panel" aria-labelledby="pass-title">
      <h2 id="pass-title">{t("settings.passphrase")}</h2>
      {done ? (
        <div className="alert alert--success" role="status">
          <p className="alert__text">{t("settings.passphraseChanged")}</p>
        </div>
      ) : null}
      <CommandAlert message={failure} />
      <PassphraseField id="current_passphrase" purpose="current" label={t("settings.currentPassphrase")} value={current} onChange={setCurrent} error={problems.current_passphrase} />
      <PassphraseField id="new_passphrase" purpose="new" label={t("settings.newPassphrase")} hint={t("first.passphraseHint", { min: 10 })} value={next} onChange={setNext} error={problems.new_passphrase} />
      <PassphraseField id="new_passphrase_confirm" purpose="new" label={t("first.confirm")} value={confirm} onChange={setConfirm} error={problems.new_passphrase_confirm} />
      <button className="button" type="submit">
        {t("settings.changePassphrase")}
      </button>
    </form>
  );
}

export function SettingsScreen({
  settings,
  onSettings,
  onLock,
}: {
  settings: Settings;
  onSettings: (s: Settings) => void;
  onLock: () => void;
}) {
  const { t, setLang } = useI18n();
  const errorText = useErrorText();
  const [idle, setIdle] = useState(String(settings.idle_lock_minutes));
  const [problems, setProblems] = useState<Problems>({});
  const [saved, setSaved] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const store = async (s: Settings) => {
    setFailure(null);
    try {
      onSettings(await call("settings_set", { settings: s }));
      setSaved(true);
    } catch (e) {
      setFailure(errorText((e as CommandFailure).error));
    }
  };
  const changeLang = (lang: Lang) => {
    setLang(lang);
    void store({ ...settings, language: lang });
  };
  const saveIdle = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const r = parseIdleMinutes(idle);
    if ("problem" in r) {
      setProblems({ idle_lock_minutes: r.problem });
      return;
    }
    setProblems({});
    void store({ ...settings, idle_lock_minutes: r.minutes });
  };

  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title" tabIndex={-1}>
        {t("settings.title")}
      </h1>
      <CommandAlert message={failure} />
      <div className="panel">
        <RadioGroup
          id="language"
          legend={t("settings.language")}
          value={settings.language}
          onChange={changeLang}
          options={[
            { value: "en", label: "English" },
            { value: "es", label: "Español" },
          ]}
        />
      </div>
      <form onSubmit={saveIdle} noValidate className="panel" aria-labelledby="lock-title">
        <h2 id="lock-title">{t("settings.lockTitle")}</h2>
        {saved ? (
          <div className="alert alert--success" role="status">
            <p className="alert__text">{t("settings.saved")}</p>
          </div>
        ) : null}
        <TextField
          id="idle_lock_minutes"
          label={t("settings.idle")}
          hint={t("settings.idleHint", { max: IDLE_MAX })}
          inputMode="numeric"
          width="short"
          value={idle}
          onChange={setIdle}
          error={problems.idle_lock_minutes}
          required
        />
        <div className="button-row">
          <button className="button" type="submit">
            {t("settings.save")}
          </button>
          <button className="button button--outline" type="button" onClick={onLock}>
            {t("settings.lockNow")}
          </button>
        </div>
        <p className="hint">{t("settings.shortcut")}</p>
      </form>
      <SyncServiceSection />
      <ChangePassphrase />
    </section>
  );
}
