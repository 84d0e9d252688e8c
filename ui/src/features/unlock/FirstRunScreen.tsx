import { useEffect, useState, type FormEvent } from "react";
import type { Notice, SessionInfo } from "../../bindings";
import { RadioGroup } from "../../components/choices";
import { CommandAlert, ErrorSummary } from "../../components/ErrorSummary";
import { PassphraseField, TextField } from "../../components/inputs";
import { problem, type Problems } from "../../components/problem";
import { useI18n, type I18n } from "../../i18n/I18nProvider";
import { call, CommandFailure, onEnrollProgress, type EnrollStep } from "../../ipc";
import { useErrorText } from "../../shared/errors";
import { MIN_PASSPHRASE, validateNewPassphrase, validateUserName } from "../../shared/passphrase";

type Mode = "enroll" | "local";

export function validateFirstRun(f: {
  mode: Mode | "";
  server: string;
  code: string;
  user: string;
  passphrase: string;
  confirm: string;
}): Problems {
  const p: Problems = {};
  if (!f.mode) p.mode = problem("first.err.mode");
  if (f.mode === "enroll") {
    if (!/^https?:\/\/\S+$/.test(f.server.trim())) p.server = problem("first.err.server");
    if (!f.code.trim()) p.code = problem("first.err.code");
  }
  return { ...p, ...validateUserName(f.user), ...validateNewPassphrase(f.passphrase, f.confirm) };
}

export function FirstRunScreen({ onReady, notice }: { onReady: (s: SessionInfo) => void; notice?: Notice }) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const [mode, setMode] = useState<Mode | "">("");
  const [server, setServer] = useState("");
  const [code, setCode] = useState("");
  const [user, setUser] = useState("");
  const [passphrase, setPassphrase] = useState("");
  const [confirm, setConfirm] = useState("");
  const [problems, setProblems] = useState<Problems>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const [step, setStep] = useState<EnrollStep | null>(null);

  useEffect(() => onEnrollProgress(setStep), []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setFailure(null);
    const p = validateFirstRun({ mode, server, code, user, passphrase, confirm });
    setProblems(p);
    if (Object.keys(p).length) {
      setAttempt((n) => n + 1);
      return;
    }
    setBusy(true);
    setStep(null);
    try {
      const s =
        mode === "enroll"
          ? await call("device_enroll", { server: server.trim(), code: code.trim(), user: user.trim(), passphrase })
          : await call("store_create", { user: user.trim(), passphrase });
      onReady(s);
    } catch (err) {
      const ce = (err as CommandFailure).error;
      if (ce.code === "weak_passphrase") setProblems({ passphrase: { text: ce.message } });
      else setFailure(errorText(ce));
    } finally {
      setBusy(false);
    }
  }

  const labels = {
    mode: t("first.mode"),
    server: t("first.server"),
    code: t("first.code"),
    user: t("first.user"),
    passphrase: t("first.passphrase"),
    passphrase_confirm: t("first.confirm"),
  };
  return (
    <main className="narrow" id="main">
      <h1>{t("first.title")}</h1>
      {notice === "revoked" ? (
        <div className="alert alert--error" role="alert">
          {t("first.revoked")}
        </div>
      ) : null}
      <p className="lead">{t("first.lead")}</p>
      <ErrorSummary problems={problems} labels={labels} attempt={attempt} />
      <CommandAlert message={failure} />
      <form onSubmit={submit} noValidate>
        <RadioGroup
          id="mode"
          legend={labels.mode}
          value={mode}
          onChange={setMode}
          error={problems.mode}
          options={[
            { value: "enroll", label: t("first.modeEnroll") },
            { value: "local", label: t("first.modeLocal") },
          ]}
        />
        {mode === "enroll" ? (
          <>
            <TextField id="server" label={labels.server} hint={t("first.serverHint")} type="url" value={server} onChange={setServer} error={problems.server} required />
            <TextField id="code" label={labels.code} hint={t("first.codeHint")} value={code} onChange={setCode} error={problems.code} width="medium" required />
          </>
        ) : null}
        <TextField id="user" label={labels.user} hint={t("first.userHint")} value={user} onChange={setUser} error={problems.user} autoComplete="username" width="medium" required />
        <PassphraseField
          id="passphrase"
          purpose="new"
          label={labels.passphrase}
          hint={t(mode === "enroll" ? "first.passphraseHintEnroll" : "first.passphraseHint", { min: MIN_PASSPHRASE })}
          value={passphrase}
          onChange={setPassphrase}
          error={problems.passphrase}
        />
        <PassphraseField id="passphrase_confirm" purpose="new" label={labels.passphrase_confirm} value={confirm} onChange={setConfirm} error={problems.passphrase_confirm} />
        {busy && mode === "enroll" ? (
          <p role="status" aria-live="polite">
            {step ? enrollStepText(step, t) : t("first.enrolling")}
          </p>
        ) : null}
        <button className="button" type="submit" disabled={busy}>
          {mode === "enroll" ? t("first.submitEnroll") : t("first.submitLocal")}
        </button>
      </form>
    </main>
  );
}

/** What the enrollment is doing, in the user's language. */
function enrollStepText(step: EnrollStep, t: I18n["t"]): string {
  switch (step.step) {
    case "enrolling":
      return (step.attempt ?? 1) > 1 ? t("first.step.enrollingAgain", { n: step.attempt ?? 1 }) : t("first.enrolling");
    case "enrolled":
      return t("first.step.enrolled");
    case "signing_in":
      return (step.attempt ?? 1) > 1 ? t("first.step.signingInAgain", { n: step.attempt ?? 1 }) : t("first.step.signingIn");
    case "signed_in":
    case "store_created":
      return t("first.step.creatingStore");
    case "waiting":
      return t("first.step.waiting", { secs: step.wait_secs ?? 1 });
    case "resuming":
      return t("first.step.resuming");
    default:
      return t("first.enrolling");
  }
}
