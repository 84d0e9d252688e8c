import type { TimelineEntry } from "../../bindings";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/translate";
import { fieldLabel } from "./Conflicts";
import { isList, LIST_TITLE } from "./labels";

/** What a change touched, in the words of the screens (`child.given_name` → "Given name",
 * `referrals.sent_at` → "Referrals: Sent"; a creation's fields, comma-separated, each by its label); the path itself
 * when no label fits. */
export function timelineTarget(e: Pick<TimelineEntry, "kind" | "target">, t: (key: MessageKey) => string): string {
  const target = e.target ?? "";
  if (e.kind === "share" || e.kind === "unshare" || !target) return target;
  if (e.kind === "create_case") return target.split(", ").map((f) => fieldLabel({ in: "case", field: f }, t)).join(", ");
  if (e.kind === "add_item" || e.kind === "remove_item") return isList(target) ? t(LIST_TITLE[target]) : target;
  if (e.kind === "set") return fieldLabel({ in: "case", field: target }, t);
  const [list, field] = target.split(".");
  if (!list || !field || !isList(list)) return target;
  const label = fieldLabel({ in: "item", list, item: "", field }, t);
  return label.includes("/") ? target : label;
}

/** The sentence for a change: a creation that wrote fields names them. */
const changeKey = (e: Pick<TimelineEntry, "kind" | "target">): MessageKey =>
  e.kind === "create_case" && e.target ? "detail.change.create_case_fields" : (`detail.change.${e.kind}` as MessageKey);

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
            <span>{t(changeKey(e), { target: timelineTarget(e, t) })}</span>{" "}
            <span className="muted">{t("detail.byOn", { user: e.user, device: e.device.slice(-8) })}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
