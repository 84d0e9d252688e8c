/** The names the case screen gives its lists and the follow-up fields of their items. */
import type { FieldKey, JsonValue, ListKind } from "../../bindings";
import { REFERRAL_STATUSES, STATUS_TIME_FIELD } from "../../bindings/vocabulary";
import { en } from "../../i18n/en";
import type { MessageKey } from "../../i18n/translate";

export const LIST_TITLE: Record<ListKind, MessageKey> = {
  adults: "intake.step.adults",
  referrals: "intake.referrals.title",
  notes: "detail.notes",
  services: "followup.services",
  relief: "followup.relief",
  outcomes: "followup.outcomes",
};

export const isList = (s: string): s is ListKind => s in LIST_TITLE;

/** The follow-up forms' labels of the fields of a logged service or outcome. */
const FORM_LABEL: Record<string, MessageKey> = {
  "services.kind": "followup.services.kind",
  "services.provided_on": "followup.services.date",
  "services.description": "followup.services.description",
  "outcomes.kind": "followup.outcomes.kind",
  "outcomes.occurred_on": "followup.outcomes.date",
  "outcomes.sponsor_relationship": "followup.outcomes.sponsor",
  "outcomes.location": "followup.outcomes.location",
  "outcomes.description": "followup.outcomes.description",
};

/** An item field as the case screen names it: a referral step by its status, a relief milestone by its name, a service's or outcome's field by its form label; null for others. */
export function itemFieldLabel(list: ListKind, field: string, t: (key: MessageKey) => string): string | null {
  const step = REFERRAL_STATUSES.find((s) => s !== "drafted" && STATUS_TIME_FIELD[s] === field);
  if (list === "referrals" && step) return t(`enum.referralStatus.${step}` as MessageKey);
  if (list === "referrals" && field === "status") return t("detail.referral.status");
  if (list === "relief" && `enum.milestone.${field}` in en) return t(`enum.milestone.${field}` as MessageKey);
  const form = FORM_LABEL[`${list}.${field}`];
  return form ? t(form) : null;
}

export const keyPath = (k: FieldKey) =>
  k.in === "case" ? k.field : k.in === "removal" ? `${k.list}/${k.item}` : `${k.list}/${k.item}/${k.field}`;

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The catalog key of the label the intake gives a field (`child.given_name` →
 * `intake.child.given_name`, `encounter.occurred_at` → `intake.encounter.occurredAt`),
 * or null for a field the intake does not ask. */
function labelKey(section: string, field: string): MessageKey | null {
  for (const key of [`intake.${section}.${field}`, `intake.${section}.${camel(field)}`]) {
    if (key in en) return key as MessageKey;
  }
  return null;
}

/** A conflicting field as the user knows it: its intake label (an item's with its
 * list's title), else its path. */
export function fieldLabel(k: FieldKey, t: (key: MessageKey) => string): string {
  if (k.in === "case" && k.field === "status") return t("followup.status");
  if (k.in === "removal") return t(LIST_TITLE[k.list]);
  if (k.in === "item") {
    const followup = itemFieldLabel(k.list, k.field, t);
    if (followup) return `${t(LIST_TITLE[k.list])}: ${followup}`;
  }
  if (k.in === "case") {
    const [section, field] = k.field.split(".");
    // The intake does not ask about custody; the case screen's custody form names its fields.
    const custody = `followup.custody.${field}`;
    if (section === "custody" && custody in en) return t(custody as MessageKey);
    const key = section && field ? labelKey(section, field) : null;
    return key ? t(key) : keyPath(k);
  }
  const key = labelKey(k.list, k.field);
  const list = `intake.step.${k.list}`;
  if (!key) return keyPath(k);
  return list in en ? `${t(list as MessageKey)}: ${t(key)}` : t(key);
}

/** A JSON value as a person reads it. */
export function showValue(v: JsonValue): string {
  if (v === null) return "—";
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return v.map(showValue).join(", ");
  return JSON.stringify(v);
}
