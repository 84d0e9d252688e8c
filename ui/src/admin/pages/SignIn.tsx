import { useEffect, useRef, useState, type FormEvent } from "react";
import { failureOf, type Client } from "../api/client";
import { failureText } from "../api/failureText";
import type { ConsoleSession } from "../api/schema";
import { ErrorAlert, Field } from "../components/ui";
import { useConsoleI18n } from "../i18n/ConsoleI18n";

interface Props {
  client: Client;
  /** Why the sign-in page shows: the session ended, or the user signed out. */
  notice: string | null;
  onSignedIn: (s: ConsoleSession) => void;
}

export function SignIn({ client, notice, onSignedIn }: Props) {
  const { t, duration } = useConsoleI18n();
  const [user, setUser] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ user?: string; password?: string }>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [lockedUntil, setLockedUntil] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const heading = useRef<HTMLHeadingElement>(null);
  const userInput = useRef<HTMLInputElement>(null);
  const passwordInput = useRef<HTMLInputElement>(null);

  useEffect(() => heading.current?.focus(), []);
  useEffect(() => {
    if (lockedUntil === null) return;
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, [lockedUntil]);
  const locked = lockedUntil !== null && lockedUntil > now;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const errs: { user?: string; password?: string } = {};
    if (!user.trim()) errs.user = t("signin.err.userRequired");
    if (!password) errs.password = t("signin.err.passwordRequired");
    setErrors(errs);
    setGeneral(null);
    if (errs.user) return userInput.current?.focus();
    if (errs.password) return passwordInput.current?.focus();
    setBusy(true);
    try {
      const session = await client.request("post", "/v1/admin/session", { body: { user: user.trim(), password }, quiet: true });
      setLockedUntil(null);
      onSignedIn(session);
    } catch (err) {
      const f = failureOf(err);
      if (f.kind === "refused" && f.code === "bad_password") {
        const field = f.field === "user" ? "user" : "password";
        setErrors({ [field]: t("signin.err.bad_password") });
        setPassword("");
        (field === "user" ? userInput : passwordInput).current?.focus();
      } else if (f.kind === "refused" && f.code === "rate_limited") {
        setLockedUntil(Date.now() + (f.retryAfterSecs ?? 600) * 1000);
        setNow(Date.now());
        setPassword("");
      } else if (f.kind === "refused" && f.code === "forbidden") {
        setGeneral(t("signin.err.forbidden"));
      } else if (f.kind === "refused" && f.field && (f.field === "user" || f.field === "password")) {
        setErrors({ [f.field]: f.message });
      } else setGeneral(failureText(f, t, duration));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <h1 tabIndex={-1} ref={heading}>
        {t("signin.title")}
      </h1>
      <p className="lead">{t("signin.lead")}</p>
      {notice ? (
        <div className="alert alert--info" role="status">
          <p className="alert__text">{notice}</p>
        </div>
      ) : null}
      {locked ? (
        <div className="alert alert--error" role="alert">
          <h2 className="alert__title">{t("signin.err.lockedTitle")}</h2>
          <p className="alert__text">{t("signin.err.locked", { time: duration(Math.max(60_000, lockedUntil - now)) })}</p>
        </div>
      ) : null}
      <ErrorAlert message={general} />
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Field label={t("signin.user")} error={errors.user}>
          {({ id, describedBy, invalid }) => (
            <input
              ref={userInput}
              id={id}
              className="input input--medium"
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              value={user}
              onChange={(e) => setUser(e.target.value)}
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
            />
          )}
        </Field>
        <Field label={t("signin.password")} error={errors.password}>
          {({ id, describedBy, invalid }) => (
            <input
              ref={passwordInput}
              id={id}
              className="input input--medium"
              type="password"
              name="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
            />
          )}
        </Field>
        <button type="submit" className="button" disabled={busy}>
          {busy ? t("signin.busy") : t("signin.submit")}
        </button>
      </form>
    </>
  );
}
