import type { TimelineEntry } from "../../bindings";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/translate";

/** Every change, newest first: who, when, on which device, which field. */
export function Timeline({ entries }: { entries: TimelineEntry[] }) {
  const { t, dateTime } = useI18n();
  const sorted = [...entries].sort((a, b) => b.hlc.wall_ms - a.hlc.wall_ms || b.hlc.counter - a.hlc.counter);
  return (
    <section aria-labelledby="timeline-title" className="panel">
      <h2 id="timeline-title">{t("detail.timeline")}</h2>
      <ol className="timeline">
        {sorted.map((e) => (
          <li key={e.op}>
            <time dateTime={new Date(e.hlc.wall_ms).toISOString()}>{dateTime(e.hlc.wall_ms)}</time>{" "}
            <span>
              {t(`detail.change.${e.kind}` as MessageKey, { target: e.target ?? "" })}
            </span>{" "}
            <span className="muted">{t("detail.byOn", { user: e.user, device: e.device.slice(-8) })}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
