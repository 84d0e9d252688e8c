import type {
  Accompaniment,
  AgeMethod,
  Answer,
  EncounterType,
  ReferralTo,
  Relationship,
  ServiceKind,
  Sex,
} from "../../bindings";
import type { Option } from "../../components/inputs";
import type { I18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/translate";

export const ENCOUNTER_TYPES: EncounterType[] = ["between_ports", "port_of_entry", "tip", "ngo_outreach", "transfer_in"];
export const ACCOMPANIMENT: Accompaniment[] = ["alone", "parent_or_guardian", "unrelated_or_unverified_adult"];
export const AGE_METHODS: AgeMethod[] = ["document", "self_report", "assessment"];
export const SEXES: Sex[] = ["female", "male", "other", "unknown"];
export const ANSWERS: Answer[] = ["yes", "no", "unknown", "declined"];
export const RELATIONSHIPS: Relationship[] = [
  "parent",
  "legal_guardian",
  "sibling",
  "grandparent",
  "aunt_or_uncle",
  "cousin",
  "other_relative",
  "family_friend",
  "partner",
  "employer",
  "guide_or_smuggler",
  "unrelated",
  "unknown",
];
/** The services an intake can record as given at once. */
export const IMMEDIATE_SERVICES: ServiceKind[] = [
  "food_and_clothing",
  "medical_care",
  "shelter",
  "interpretation",
  "mental_health",
  "family_tracing",
  "legal_consultation",
];
export const REFERRAL_TO: ReferralTo[] = [
  "child_placement",
  "child_welfare",
  "trafficking_hotline",
  "investigative_unit",
  "legal_services",
  "medical",
  "victim_services",
];

/** Options whose labels are the catalog entries `${prefix}.${value}`. */
export function options<V extends string>(t: I18n["t"], prefix: string, values: readonly V[]): Option<V>[] {
  return values.map((value) => ({ value, label: t(`${prefix}.${value}` as MessageKey) }));
}
