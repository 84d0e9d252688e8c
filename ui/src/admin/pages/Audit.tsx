import { useCallback } from "react";
import type { AuditEntry } from "../api/schema";
import { usePoll } from "../api/usePoll";
import { Loading, RefreshLine } from "../components/ui";
import { useConsoleI18n } from "../i18n/ConsoleI18n";
import { useSession } from "../session";
import { AuditTable } from "./AuditTable";
import { PageHeading } from "./PageHeading";

export function Audit() {
  const { client } = useSession();
  const { t } = useConsoleI18n();
  const load = useCallback((signal: AbortSignal) => client.request("get", "/v1/admin/audit", { query: { limit: 100 }, signal }), [client]);
  const poll = usePoll<AuditEntry[]>(load, "audit");
  return (
    <>
      <PageHeading>{t("audit.title")}</PageHeading>
      <p className="lead">{t("audit.lead")}</p>
      <RefreshLine failure={poll.failure} receivedAt={poll.receivedAt} />
      {!poll.data ? (
        <Loading failure={poll.failure} />
      ) : poll.data.length === 0 ? (
        <p>{t("audit.none")}</p>
      ) : (
        <AuditTable entries={poll.data} caption={t("audit.table")} />
      )}
    </>
  );
}
