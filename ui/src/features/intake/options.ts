import type {
  Accompanied,
  AgeMethod,
  Answer,
  EncounterType,
  ImmediateNeed,
  ReferralTo,
  Sex,
} from "../../bindings";
import type { Option } from "../../components/inputs";
import type { I18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/translate";

export const ENCOUNTER_TYPES: EncounterType[] = ["between_ports", "port_of_entry", "tip", "ngo_outreach", "transfer_in"];
export const ACCOMPANIED: Accompanied[] = ["alone", "parent_or_guardian", "unrelated_adult"];
export const AGE_METHODS: AgeMethod[] = ["document", "self_report", "assessment"];
export const SEXES: Sex[] = ["female", "male", "other", "unknown"];
export const ANSWERS: Answer[] = ["yes", "no", "unknown", "declined"];
export const NEEDS: ImmediateNeed[] = ["medical", "food_water", "shelter", "clothing", "interpreter", "legal", "contact_family"];
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
