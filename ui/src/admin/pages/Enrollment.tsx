import { useCallback, useRef, useState, type FormEvent } from "react";
import { failureOf } from "../api/client";
import { failureText } from "../api/failureText";
import type { CodeInfo, IssuedCode } from "../api/schema";
import { usePoll } from "../api/usePoll";
import { QrCode } from "../components/QrCode";
import { ErrorAlert, Field, Loading, RefreshLine, SuccessAlert } from "../components/ui";
import { useConsoleI18n } from "../i18n/ConsoleI18n";
import { asRole, ROLES, roleLabel } from "../labels";
import { useSession } from "../session";
import { PageHeading } from "./PageHeading";

/** What a laptop scans: the service's address and the code. */
export const enrollQrText = (origin: string, code: string) => `waystation-enroll:${origin}#${code}`;

export function parseTtl(text: string): number | null {
  if (!/^\s*\d+\s*$/.test(text)) return null;
  const n = Number(text);
  return n >= 1 && n <= 720 ? n : null;
}

export function Enrollment() {
  const { client, canManage } = useSession();
  const { t, dateTime, duration } = useConsoleI18n();
  const load = useCallback((signal: AbortSignal) => client.request("get", "/v1/admin/codes", { signal }), [client]);
  const poll = usePoll<CodeInfo[]>(load, "codes");
  const [role, setRole] = useState("agent");
  const [ttl, setTtl] = useState("72");
  const [errors, setErrors] = useState<{ role?: string; ttl?: string }>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [issued, setIssued] = useState<IssuedCode | null>(null);
  const ttlInput = useRef<HTMLInputElement>(null);
  const issuedHeading = useRef<HTMLHeadingElement>(null);
  const issueButton = useRef<HTMLButtonElement>(null);
  const origin = window.location.origin;

  async function issue(e: FormEvent) {
    e.preventDefault();
    setFailure(null);
    setDone(null);
    const hours = parseTtl(ttl);
    const chosen = asRole(role);
    if (!chosen) return setErrors({ role: t("enroll.err.role") });
    if (hours === null) {
      setErrors({ ttl: t("enroll.err.ttl") });
      ttlInput.current?.focus();
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const code = await client.request("post", "/v1/admin/codes", { body: { role: chosen, ttl_hours: hours } });
      setIssued(code);
      poll.refresh();
      requestAnimationFrame(() => issuedHeading.current?.focus());
    } catch (err) {
      const f = failureOf(err);
      if (f.kind === "refused" && (f.field === "ttl_hours" || f.field === "role")) {
        setErrors(f.field === "role" ? { role: f.message } : { ttl: f.message });
      } else setFailure(failureText(f, t, duration));
    } finally {
      setBusy(false);
    }
  }

  async function cancel(c: CodeInfo) {
    setFailure(null);
    setDone(null);
    try {
      await client.request("post", "/v1/admin/codes/{id}/cancel", { params: { id: c.id } });
      setDone(t("enroll.cancelled"));
      poll.refresh();
      document.getElementById("unused-title")?.focus();
    } catch (err) {
      setFailure(failureText(failureOf(err), t, duration));
    }
  }

  return (
    <>
      <PageHeading>{t("enroll.title")}</PageHeading>
      <RefreshLine failure={poll.failure} receivedAt={poll.receivedAt} />
      <ErrorAlert message={failure} />
      <SuccessAlert message={done} />
      {issued ? (
        <section aria-labelledby="issued-title" className="panel issued">
          <h2 id="issued-title" tabIndex={-1} ref={issuedHeading}>
            {t("enroll.issuedTitle", { role: roleLabel(t, issued.role) })}
          </h2>
          <p className="alert alert--warning">{t("enroll.issuedOnce")}</p>
          <div className="issued__body">
            <div>
              <dl className="code">
                <dt className="label">{t("enroll.codeLabel")}</dt>
                <dd className="code-big" data-testid="enrollment-code">
                  {issued.code}
                </dd>
              </dl>
              <p className="code-expiry">{t("enroll.expires", { when: dateTime(issued.expires_at) })}</p>
              <p className="hint">{t("enroll.command")}</p>
              <pre className="command">
                <code>{`waystation-cli enroll --server ${origin} --code ${issued.code}`}</code>
              </pre>
            </div>
            <QrCode text={enrollQrText(origin, issued.code)} label={t("enroll.qr")} />
          </div>
          <button
            type="button"
            className="button button--outline"
            onClick={() => {
              setIssued(null);
              issueButton.current?.focus();
            }}
          >
            {t("enroll.hide")}
          </button>
        </section>
      ) : null}
      {canManage ? (
        <section aria-labelledby="issue-title" className="panel">
          <h2 id="issue-title">{t("enroll.issueTitle")}</h2>
          <form onSubmit={(e) => void issue(e)} noValidate>
            <Field label={t("enroll.role")} error={errors.role}>
              {({ id, describedBy, invalid }) => (
                <select
                  id={id}
                  className="select input--medium"
                  value={role}
                  onChange={(e) => setRole(e.target.value)}
                  aria-describedby={describedBy}
                  aria-invalid={invalid || undefined}
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {roleLabel(t, r)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t("enroll.ttl")} hint={t("enroll.ttlHint")} error={errors.ttl}>
              {({ id, describedBy, invalid }) => (
                <input
                  ref={ttlInput}
                  id={id}
                  className="input input--short"
                  inputMode="numeric"
                  value={ttl}
                  onChange={(e) => setTtl(e.target.value)}
                  aria-describedby={describedBy}
                  aria-invalid={invalid || undefined}
                />
              )}
            </Field>
            <button type="submit" className="button" disabled={busy} ref={issueButton}>
              {busy ? t("enroll.issuing") : t("enroll.issue")}
            </button>
          </form>
        </section>
      ) : null}
      <section aria-labelledby="unused-title" className="panel">
        <h2 id="unused-title" tabIndex={-1}>
          {t("enroll.unused")}
        </h2>
        {!poll.data ? (
          <Loading failure={poll.failure} />
        ) : poll.data.length === 0 ? (
          <p>{t("enroll.none")}</p>
        ) : (
          <table className="table">
            <caption className="sr-only">{t("enroll.unused")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("enroll.col.role")}</th>
                <th scope="col">{t("enroll.col.created")}</th>
                <th scope="col">{t("enroll.col.expires")}</th>
                <th scope="col">{t("enroll.col.by")}</th>
                {canManage ? <th scope="col">{t("enroll.col.actions")}</th> : null}
              </tr>
            </thead>
            <tbody>
              {poll.data.map((c) => (
                <tr key={c.id}>
                  <td>{roleLabel(t, c.role)}</td>
                  <td>{dateTime(c.created_at)}</td>
                  <td>{dateTime(c.expires_at)}</td>
                  <td>{c.created_by || "—"}</td>
                  {canManage ? (
                    <td>
                      <button
                        type="button"
                        className="button button--outline button--small"
                        onClick={() => void cancel(c)}
                      >
                        {t("enroll.cancel")}
                        <span className="sr-only"> {t("enroll.cancelFor", { role: roleLabel(t, c.role), when: dateTime(c.created_at) })}</span>
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
