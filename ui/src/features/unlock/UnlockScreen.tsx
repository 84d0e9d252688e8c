import { useEffect, useRef, useState, type FormEvent } from "react";
import type { SessionInfo } from "../../bindings";
import { CommandAlert } from "../../components/ErrorSummary";
import { PassphraseField, SelectField } from "../../components/inputs";
import type { Problems } from "../../components/problem";
import { problem } from "../../components/problem";
import { useNow } from "../../components/useNow";
import { useI18n } from "../../i18n/I18nProvider";
import { call, CommandFailure } from "../../ipc";
import { useErrorText } from "../../shared/errors";
import { unlockOutcome } from "./unlockOutcome";

export function UnlockScreen({ users, onUnlocked }: { users: string[]; onUnlocked: (s: SessionInfo) => void }) {
  const { t, duration } = useI18n();
  const errorText = useErrorText();
  const [user, setUser] = useState(users[0] ?? "");
  const [passphrase, setPassphrase] = useState("");
  const [problems, setProblems] = useState<Problems>({});
  const [lockedUntil, setLockedUntil] = useState<number | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const now = useNow(1000);
  const passRef = useRef<HTMLDivElement>(null);
  const lockedOut = lockedUntil !== null && lockedUntil > now;

  useEffect(() => {
    passRef.current?.querySelector("input")?.focus();
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setFailure(null);
    const p: Problems = {};
    if (!user) p.user = problem("unlock.err.userRequired");
    if (!passphrase) p.passphrase = problem("unlock.err.passRequired");
    setProblems(p);
    if (Object.keys(p).length || lockedOut) return;
    setBusy(true);
    try {
      const s = await call("unlock", { user, passphrase });
      setPassphrase("");
      onUnlocked(s);
    } catch (err) {
      const outcome = unlockOutcome((err as CommandFailure).error, Date.now());
      setPassphrase("");
      if (outcome.kind === "field") setProblems(outcome.problems);
      else if (outcome.kind === "lockout") setLockedUntil(outcome.until);
      else setFailure(errorText(outcome.error));
      passRef.current?.querySelector("input")?.focus();
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="narrow" id="main">
      <h1>{t("unlock.title")}</h1>
      <p className="lead">{t("unlock.lead")}</p>
      {lockedOut ? (
        <div className="alert alert--warning" role="alert">
          <h2 className="alert__title">{t("unlock.lockoutTitle")}</h2>
          <p className="alert__text">{t("unlock.lockoutText", { time: duration(Math.max(lockedUntil - now, 60_000)) })}</p>
        </div>
      ) : null}
      <CommandAlert message={failure} />
      <form onSubmit={submit} noValidate>
        <SelectField
          id="user"
          label={t("unlock.user")}
          value={user}
          onChange={setUser}
          options={users.map((u) => ({ value: u, label: u }))}
          placeholder={t("unlock.userPlaceholder")}
          error={problems.user}
          required
        />
        <div ref={passRef}>
          <PassphraseField id="passphrase" purpose="current" label={t("unlock.passphrase")} value={passphrase} onChange={setPassphrase} error={problems.passphrase} />
        </div>
        <button className="button" type="submit" disabled={busy || lockedOut}>
          {busy ? t("unlock.busy") : t("unlock.submit")}
        </button>
      </form>
    </main>
  );
}
