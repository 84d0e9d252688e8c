/** The names the case screen gives its lists and the follow-up fields of their items. */
import type { ListKind } from "../../bindings";
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
