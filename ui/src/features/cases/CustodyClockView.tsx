import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/translate";
import type { CustodyClock } from "../../bindings";
import { readClock, type DeadlineReading } from "./custodyClock";

const KIND: Record<DeadlineReading["kind"], MessageKey> = {
  screening: "clock.screening",
  placement_notice: "clock.placementNotice",
  transfer: "clock.transfer",
};

function DeadlineLine({ d }: { d: DeadlineReading }) {
  const { t, duration, dateTime } = useI18n();
  const what = t(KIND[d.kind]);
  let text: string;
  switch (d.state) {
    case "met":
      text = t("clock.met", { what, when: d.metAt ? dateTime(d.metAt) : "" });
      break;
    case "overdue":
      text = t("clock.overdue", { what, time: duration(-d.remainingMs) });
      break;
    default:
      text = t("clock.dueIn", { what, time: duration(d.remainingMs) });
  }
  return (
    <li className={`deadline deadline--${d.state}`} title={t("clock.dueAt", { when: dateTime(d.dueAt) })}>
      {d.state === "warning" || d.state === "overdue" ? (
        <span className="deadline__flag">{t(d.state === "warning" ? "clock.stateWarning" : "clock.stateOverdue")}: </span>
      ) : null}
      {text}
    </li>
  );
}

/** Time in custody and each deadline, with a warning state before it passes. */
export function CustodyClockView({ clock, now }: { clock: CustodyClock | null; now: number }) {
  const { t, duration } = useI18n();
  if (!clock) return <p className="clock clock--none">{t("clock.none")}</p>;
  const r = readClock(clock, now);
  return (
    <div className={`clock clock--${r.worst}`}>
      <p className="clock__custody">{t("clock.inCustody", { time: duration(r.inCustodyMs) })}</p>
      <ul className="clock__deadlines">
        {r.deadlines.map((d) => (
          <DeadlineLine key={d.kind} d={d} />
        ))}
      </ul>
    </div>
  );
}
