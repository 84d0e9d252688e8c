import type { ListKind, TimelineEntry } from "../../bindings";
import { en } from "../../i18n/en";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/translate";
import { fieldLabel } from "./Conflicts";

const LIST_TITLE: Record<ListKind, MessageKey> = {
  adults: "intake.step.adults",
  referrals: "intake.referrals.title",
  notes: "detail.notes",
  services: "followup.services",
  relief: "followup.relief",
  outcomes: "followup.outcomes",
};
const isList = (s: string): s is ListKind => s in LIST_TITLE;

/** An item field as the case screen names it: a referral step by its status, a relief milestone by its name. */
function itemFieldLabel(list: ListKind, field: string, t: (key: MessageKey) => string): string | null {
  const step = /^(sent|acknowledged|accepted|declined|completed)_at$/.exec(field);
  if (list === "referrals" && step) return t(`enum.referralStatus.${step[1]}` as MessageKey);
  if (list === "referrals" && field === "status") return t("detail.referral.status");
  if (list === "relief" && `enum.milestone.${field}` in en) return t(`enum.milestone.${field}` as MessageKey);
  return null;
}

/** What a change touched, in the words of the screens (`child.given_name` → "Given name",
 * `referrals.sent_at` → "Referrals: Sent"); the path itself when no label fits. */
export function timelineTarget(e: Pick<TimelineEntry, "kind" | "target">, t: (key: MessageKey) => string): string {
  const target = e.target ?? "";
  if (e.kind === "share" || !target) return target;
  if (e.kind === "add_item" || e.kind === "remove_item") return isList(target) ? t(LIST_TITLE[target]) : target;
  if (e.kind === "set") return target === "status" ? t("followup.status") : fieldLabel({ in: "case", field: target }, t);
  const [list, field] = target.split(".");
  if (!list || !field || !isList(list)) return target;
  const label = itemFieldLabel(list, field, t);
  if (label) return `${t(LIST_TITLE[list])}: ${label}`;
  const intake = fieldLabel({ in: "item", list, item: "", field }, t);
  return intake.includes("/") ? target : intake;
}

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
            <span>{t(`detail.change.${e.kind}` as MessageKey, { target: timelineTarget(e, t) })}</span>{" "}
            <span className="muted">{t("detail.byOn", { user: e.user, device: e.device.slice(-8) })}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
