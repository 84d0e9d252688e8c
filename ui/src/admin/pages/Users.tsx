import { useCallback, useRef, useState, type FormEvent } from "react";
import { failureOf, type Failure } from "../api/client";
import { failureText } from "../api/failureText";
import type { UserChange, UserInfo } from "../api/schema";
import { usePoll } from "../api/usePoll";
import { Dialog, ErrorAlert, Field, Loading, RefreshLine, SuccessAlert } from "../components/ui";
import { useConsoleI18n } from "../i18n/ConsoleI18n";
import { asRole, ROLES, roleLabel } from "../labels";
import { useSession } from "../session";
import { PageHeading } from "./PageHeading";

export const USER_PATTERN = /^[a-z0-9._-]{1,64}$/;
export const MIN_PASSWORD = 12;

/** Characters as people count them (and JSON Schema's maxLength/minLength). */
const length = (s: string) => [...s].length;

interface Form {
  name: string;
  role: string;
  password: string;
}
type Errors = Partial<Record<keyof Form, string>>;

export function checkNewUser(f: Form, t: (k: "users.err.name" | "users.err.role" | "users.err.password") => string): Errors {
  const e: Errors = {};
  if (!USER_PATTERN.test(f.name.trim())) e.name = t("users.err.name");
  if (!f.role) e.role = t("users.err.role");
  if (length(f.password) < MIN_PASSWORD) e.password = t("users.err.password");
  return e;
}

function RoleChange({ user, onChange }: { user: UserInfo; onChange: (u: UserInfo, c: UserChange) => void }) {
  const { t } = useConsoleI18n();
  const [role, setRole] = useState(user.role);
  return (
    <span className="inline-form">
      <label className="sr-only" htmlFor={`role-${user.name}`}>
        {t("users.roleOf", { name: user.name })}
      </label>
      <select id={`role-${user.name}`} className="select select--small" value={role} onChange={(e) => setRole(e.target.value)}>
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {roleLabel(t, r)}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="button button--outline button--small"
        disabled={role === user.role}
        onClick={() => {
          const chosen = asRole(role);
          if (chosen) onChange(user, { role: chosen });
        }}
      >
        {t("users.saveRole")}
        <span className="sr-only"> {t("users.saveRoleFor", { name: user.name })}</span>
      </button>
    </span>
  );
}

export function Users() {
  const { client, canManage, session } = useSession();
  const { t, dateTime, duration } = useConsoleI18n();
  const load = useCallback((signal: AbortSignal) => client.request("get", "/v1/admin/users", { signal }), [client]);
  const poll = usePoll<UserInfo[]>(load, "users");
  const [form, setForm] = useState<Form>({ name: "", role: "", password: "" });
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [passwordFor, setPasswordFor] = useState<UserInfo | null>(null);
  const [newPassword, setNewPassword] = useState("");
  const [passwordError, setPasswordError] = useState<string | null>(null);
  const refs = { name: useRef<HTMLInputElement>(null), role: useRef<HTMLSelectElement>(null), password: useRef<HTMLInputElement>(null) };

  const fieldOf = (f: Failure): keyof Form | null =>
    f.kind === "refused" && (f.field === "name" || f.field === "role" || f.field === "password") ? f.field : null;

  async function add(e: FormEvent) {
    e.preventDefault();
    setFailure(null);
    setDone(null);
    const errs = checkNewUser(form, t);
    setErrors(errs);
    const first = (["name", "role", "password"] as const).find((k) => errs[k]);
    const role = asRole(form.role);
    if (first || !role) return refs[first ?? "role"].current?.focus();
    setBusy(true);
    try {
      const u = await client.request("post", "/v1/admin/users", { body: { name: form.name.trim(), role, password: form.password } });
      setForm({ name: "", role: "", password: "" });
      setDone(t("users.added", { name: u.name }));
      poll.refresh();
    } catch (err) {
      const f = failureOf(err);
      const field = fieldOf(f);
      if (field && f.kind === "refused") {
        setErrors({ [field]: f.message });
        refs[field].current?.focus();
      } else setFailure(failureText(f, t, duration));
    } finally {
      setBusy(false);
    }
  }

  async function change(user: UserInfo, c: UserChange): Promise<boolean> {
    setFailure(null);
    setDone(null);
    try {
      const u = await client.request("patch", "/v1/admin/users/{name}", { params: { name: user.name }, body: c });
      setDone(
        c.password
          ? t("users.passwordSet", { name: u.name })
          : c.disabled === true
            ? t("users.disabledDone", { name: u.name })
            : c.disabled === false
              ? t("users.enabledDone", { name: u.name })
              : t("users.roleChanged", { name: u.name, role: roleLabel(t, u.role) }),
      );
      poll.refresh();
      return true;
    } catch (err) {
      const f = failureOf(err);
      if (c.password && f.kind === "refused" && f.field === "password") {
        setPasswordError(f.message);
        return false;
      }
      setFailure(failureText(f, t, duration));
      return !c.password;
    }
  }

  async function setPassword(e: FormEvent) {
    e.preventDefault();
    if (!passwordFor) return;
    if (length(newPassword) < MIN_PASSWORD) return setPasswordError(t("users.err.password"));
    setPasswordError(null);
    if (await change(passwordFor, { password: newPassword })) {
      setPasswordFor(null);
      setNewPassword("");
    }
  }

  return (
    <>
      <PageHeading>{t("users.title")}</PageHeading>
      <RefreshLine failure={poll.failure} receivedAt={poll.receivedAt} />
      <ErrorAlert message={failure} />
      <SuccessAlert message={done} />
      {!poll.data ? (
        <Loading failure={poll.failure} />
      ) : poll.data.length === 0 ? (
        <p>{t("users.none")}</p>
      ) : (
        <table className="table">
          <caption className="sr-only">{t("users.table", { org: session.org })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("users.col.name")}</th>
              <th scope="col">{t("users.col.role")}</th>
              <th scope="col">{t("users.col.created")}</th>
              <th scope="col">{t("users.col.status")}</th>
              {canManage ? <th scope="col">{t("users.col.actions")}</th> : null}
            </tr>
          </thead>
          <tbody>
            {poll.data.map((u) => (
              <tr key={u.name}>
                <th scope="row">{u.name}</th>
                <td>{roleLabel(t, u.role)}</td>
                <td>{dateTime(u.created_at)}</td>
                <td>{u.disabled ? t("users.disabled") : t("users.active")}</td>
                {canManage ? (
                  <td className="actions">
                    <RoleChange key={u.role} user={u} onChange={(user, c) => void change(user, c)} />
                    <button
                      type="button"
                      className="button button--outline button--small"
                      onClick={() => void change(u, { disabled: !u.disabled })}
                    >
                      {t(u.disabled ? "users.enable" : "users.disable")}
                      <span className="sr-only"> {t(u.disabled ? "users.enableFor" : "users.disableFor", { name: u.name })}</span>
                    </button>
                    <button
                      type="button"
                      className="button button--outline button--small"
                      onClick={() => {
                        setNewPassword("");
                        setPasswordError(null);
                        setPasswordFor(u);
                      }}
                    >
                      {t("users.newPassword")}
                      <span className="sr-only"> {t("users.newPasswordFor", { name: u.name })}</span>
                    </button>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canManage ? (
        <section aria-labelledby="add-user-title" className="panel">
          <h2 id="add-user-title">{t("users.add")}</h2>
          <form onSubmit={(e) => void add(e)} noValidate>
            <Field label={t("users.name")} hint={t("users.nameHint")} error={errors.name}>
              {({ id, describedBy, invalid }) => (
                <input
                  ref={refs.name}
                  id={id}
                  className="input input--medium"
                  autoComplete="off"
                  autoCapitalize="none"
                  spellCheck={false}
                  value={form.name}
                  onChange={(e) => setForm({ ...form, name: e.target.value })}
                  aria-describedby={describedBy}
                  aria-invalid={invalid || undefined}
                />
              )}
            </Field>
            <Field label={t("users.role")} error={errors.role}>
              {({ id, describedBy, invalid }) => (
                <select
                  ref={refs.role}
                  id={id}
                  className="select input--medium"
                  value={form.role}
                  onChange={(e) => setForm({ ...form, role: e.target.value })}
                  aria-describedby={describedBy}
                  aria-invalid={invalid || undefined}
                >
                  <option value="">{t("users.choose")}</option>
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {roleLabel(t, r)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t("users.password")} hint={t("users.passwordHint")} error={errors.password}>
              {({ id, describedBy, invalid }) => (
                <input
                  ref={refs.password}
                  id={id}
                  type="password"
                  className="input input--medium"
                  autoComplete="new-password"
                  value={form.password}
                  onChange={(e) => setForm({ ...form, password: e.target.value })}
                  aria-describedby={describedBy}
                  aria-invalid={invalid || undefined}
                />
              )}
            </Field>
            <button type="submit" className="button" disabled={busy}>
              {t("users.save")}
            </button>
          </form>
        </section>
      ) : null}
      <Dialog
        title={passwordFor ? t("users.passwordTitle", { name: passwordFor.name }) : ""}
        open={passwordFor !== null}
        onClose={() => setPasswordFor(null)}
      >
        <form onSubmit={(e) => void setPassword(e)} noValidate>
          <Field label={t("users.newPassword")} hint={t("users.passwordHint")} error={passwordError}>
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                type="password"
                className="input"
                autoComplete="new-password"
                value={newPassword}
                onChange={(e) => setNewPassword(e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid || undefined}
                autoFocus
              />
            )}
          </Field>
          <div className="button-row">
            <button type="submit" className="button">
              {t("users.setPassword")}
            </button>
            <button type="button" className="button button--outline" onClick={() => setPasswordFor(null)}>
              {t("dialog.cancel")}
            </button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
