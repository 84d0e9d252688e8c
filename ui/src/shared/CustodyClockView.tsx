import { useI18n } from "../i18n/I18nProvider";
import type { MessageKey } from "../i18n/translate";
import type { CustodyClock } from "../bindings";
import { readClock, type DeadlineReading } from "./custodyClock";

const KIND: Record<DeadlineReading["kind"], MessageKey> = {
  screening: "clock.screening",
  placement_notification: "clock.placementNotification",
  transfer: "clock.transfer",
  trafficking_referral: "clock.traffickingReferral",
};

function DeadlineLine({ d }: { d: DeadlineReading }) {
  const { t, duration, dateTime } = useI18n();
  const what = t(KIND[d.kind]);
  let text: string;
  switch (d.state) {
    case "met":
      text = t(d.onTime === false ? "clock.metLate" : "clock.met", { what, when: d.metAt ? dateTime(d.metAt) : "" });
      break;
    case "overdue":
      text = t("clock.overdue", { what, time: duration(-d.remainingMs) });
      break;
    default:
      text = t("clock.dueIn", { what, time: duration(d.remainingMs) });
  }
  return (
    <li className={`deadline deadline--${d.state}`} title={t("clock.dueAt", { when: dateTime(d.dueAt) })}>
      {d.state === "due_soon" || d.state === "overdue" ? (
        <span className="deadline__flag">{t(d.state === "due_soon" ? "clock.stateDueSoon" : "clock.stateOverdue")}: </span>
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
      <p className="clock__custody">
        {t(r.inCustody ? "clock.inCustody" : "clock.wasInCustody", { time: duration(r.inCustodyMs) })}
      </p>
      <ul className="clock__deadlines">
        {r.deadlines.map((d) => (
          <DeadlineLine key={d.kind} d={d} />
        ))}
      </ul>
    </div>
  );
}
