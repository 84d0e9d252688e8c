import { useCallback, useRef, useState, type FormEvent } from "react";
import { failureOf } from "../api/client";
import { failureText } from "../api/failureText";
import type { OrgInfo } from "../api/schema";
import { usePoll } from "../api/usePoll";
import { ErrorAlert, Field, Loading, RefreshLine, SuccessAlert } from "../components/ui";
import { useConsoleI18n, type ConsoleKey } from "../i18n/ConsoleI18n";
import { useSession } from "../session";
import { PageHeading } from "./PageHeading";

export const ORG_PATTERN = /^[a-z0-9-]{1,64}$/;
const RELATIONS = ["own", "partner", "added"];

export function Orgs() {
  const { client, canManage } = useSession();
  const { t, dateTime, duration } = useConsoleI18n();
  const load = useCallback((signal: AbortSignal) => client.request("get", "/v1/admin/orgs", { signal }), [client]);
  const poll = usePoll<OrgInfo[]>(load, "orgs");
  const [id, setId] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  async function add(e: FormEvent) {
    e.preventDefault();
    setFailure(null);
    setDone(null);
    const value = id.trim();
    if (!ORG_PATTERN.test(value)) {
      setError(t("orgs.err.id"));
      return input.current?.focus();
    }
    setError(null);
    setBusy(true);
    try {
      const org = await client.request("post", "/v1/admin/orgs", { body: { id: value } });
      setId("");
      setDone(t("orgs.added", { id: org.id }));
      poll.refresh();
    } catch (err) {
      const f = failureOf(err);
      if (f.kind === "refused" && f.field === "id") {
        setError(f.message);
        input.current?.focus();
      } else setFailure(failureText(f, t, duration));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageHeading>{t("orgs.title")}</PageHeading>
      <RefreshLine failure={poll.failure} receivedAt={poll.receivedAt} />
      <ErrorAlert message={failure} />
      <SuccessAlert message={done} />
      {!poll.data ? (
        <Loading failure={poll.failure} />
      ) : poll.data.length === 0 ? (
        <p>{t("orgs.none")}</p>
      ) : (
        <table className="table">
          <caption className="sr-only">{t("orgs.table")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("orgs.col.id")}</th>
              <th scope="col">{t("orgs.col.relation")}</th>
              <th scope="col">{t("orgs.col.created")}</th>
            </tr>
          </thead>
          <tbody>
            {poll.data.map((o) => (
              <tr key={o.id}>
                <th scope="row">{o.id}</th>
                <td>{o.relation && RELATIONS.includes(o.relation) ? t(`relation.${o.relation}` as ConsoleKey) : (o.relation ?? "")}</td>
                <td>{dateTime(o.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canManage ? (
        <section aria-labelledby="add-org-title" className="panel">
          <h2 id="add-org-title">{t("orgs.add")}</h2>
          <form onSubmit={(e) => void add(e)} noValidate>
            <Field label={t("orgs.id")} hint={t("orgs.idHint")} error={error}>
              {({ id: inputId, describedBy, invalid }) => (
                <input
                  ref={input}
                  id={inputId}
                  className="input input--medium"
                  autoCapitalize="none"
                  spellCheck={false}
                  value={id}
                  onChange={(e) => setId(e.target.value)}
                  aria-describedby={describedBy}
                  aria-invalid={invalid || undefined}
                />
              )}
            </Field>
            <button type="submit" className="button" disabled={busy}>
              {t("orgs.save")}
            </button>
          </form>
        </section>
      ) : null}
    </>
  );
}
