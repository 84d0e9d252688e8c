import type { AuditEntry } from "../api/schema";
import { useConsoleI18n } from "../i18n/ConsoleI18n";

export function AuditTable({ entries, caption }: { entries: readonly AuditEntry[]; caption: string }) {
  const { t, dateTime } = useConsoleI18n();
  return (
    <table className="table">
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t("audit.col.when")}</th>
          <th scope="col">{t("audit.col.actor")}</th>
          <th scope="col">{t("audit.col.action")}</th>
          <th scope="col">{t("audit.col.target")}</th>
          <th scope="col">{t("audit.col.outcome")}</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e) => (
          <tr key={e.seq}>
            <td>{dateTime(e.at)}</td>
            <td>{e.actor}</td>
            <td>{e.action}</td>
            <td className="break">{e.target}</td>
            <td>{e.outcome}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
