/** Mirrors the case types of `waystation-core` (`CaseView`, `Conflict`, the case
 * document keys) and the summaries `src-tauri` builds for the list. */
import type { JsonValue } from "./json";

/** A case's UUIDv7, as text. */
export type CaseId = string;
export type CaseStatus = "open" | "referred" | "transferred" | "closed";
export type ListKind = "adults" | "referrals" | "notes" | "services" | "relief" | "outcomes";
export type Sensitivity = "general" | "law_enforcement_sensitive" | "legal_privileged" | "medical";
export type ReferralTo =
  | "child_placement"
  | "child_welfare"
  | "trafficking_hotline"
  | "investigative_unit"
  | "legal_services"
  | "medical"
  | "victim_services";
export type ReferralStatus = "drafted" | "sent" | "acknowledged" | "accepted" | "declined" | "completed";
export type EncounterType = "between_ports" | "port_of_entry" | "tip" | "ngo_outreach" | "transfer_in";
export type Accompanied = "alone" | "parent_or_guardian" | "unrelated_adult";
export type AgeMethod = "document" | "self_report" | "assessment";
export type Sex = "female" | "male" | "other" | "unknown";
export type ImmediateNeed = "medical" | "food_water" | "shelter" | "clothing" | "interpreter" | "legal" | "contact_family";

/** Mirrors `waystation_core::CustodyClock`'s view: each deadline with when it
 * warns. Times are RFC 3339 text. */
export type DeadlineKind = "screening" | "placement_notice" | "transfer";
export interface Deadline {
  kind: DeadlineKind;
  due_at: string;
  warn_at: string;
  /** When it was met (screening done, transfer made), or null. */
  met_at: string | null;
}
export interface CustodyClock {
  in_custody_since: string;
  deadlines: Deadline[];
}

/** One row of the case list. */
export interface CaseSummary {
  id: CaseId;
  given_name: string;
  family_name: string;
  status: CaseStatus;
  station: string;
  encounter_at: string | null;
  clock: CustodyClock | null;
  needs_screening: boolean;
  referral_pending: boolean;
  has_conflict: boolean;
  updated_at: string;
}

export interface Hlc {
  wall_ms: number;
  counter: number;
  device: string;
}

/** Where a register lives (`merge::FieldKey`). */
export type FieldKey = { in: "case"; field: string } | { in: "item"; list: ListKind; item: string; field: string };

export interface ConflictValue {
  op: string;
  hlc: Hlc;
  device: string;
  user: string;
  value: JsonValue;
}
export interface Conflict {
  key: FieldKey;
  /** Oldest first; the last is the value shown until someone chooses. */
  values: ConflictValue[];
}

/** One change in the case's history: who, when, on which device, what field (never the value). */
export interface TimelineEntry {
  op: string;
  hlc: Hlc;
  user: string;
  device: string;
  kind: "create_case" | "share" | "set" | "add_item" | "set_item_field" | "remove_item";
  /** The field path or list the change touched. */
  target: string | null;
}

export interface Referral {
  id: string;
  to: ReferralTo;
  org?: string | null;
  status: ReferralStatus;
  drafted_at: string;
  note?: string;
}
export interface Note {
  id: string;
  sensitivity: Sensitivity;
  text: string;
  written_at: string;
  author: string;
}
export interface Adult {
  id: string;
  name: string;
  claimed_relationship: string;
  verified_relationship?: string | null;
}

/** The case document as `CaseView.document` renders it. Every field may be
 * missing: a case synced in part, or fields a role may not read. */
export interface CaseDocument {
  id: CaseId;
  status?: CaseStatus;
  child?: {
    given_name?: string;
    family_name?: string;
    aliases?: string[];
    date_of_birth?: string | null;
    estimated_age?: number | null;
    age_method?: AgeMethod;
    sex?: Sex;
    nationalities?: string[];
    languages?: string[];
    interpreter_used?: boolean;
  };
  encounter?: {
    occurred_at?: string;
    station?: string;
    place?: string;
    type?: EncounterType;
    accompanied?: Accompanied;
    narrative?: string;
    recorded_by?: string;
  };
  screening?: import("./screening").ScreeningRecord;
  custody?: { since?: string; immediate_needs?: ImmediateNeed[] };
  adults?: Adult[];
  referrals?: Referral[];
  notes?: Note[];
  [other: string]: JsonValue | undefined | object;
}

/** A case opened in the detail screen. */
export interface CaseDetail {
  id: CaseId;
  owner: string | null;
  shared_with: string[];
  document: CaseDocument;
  conflicts: Conflict[];
  timeline: TimelineEntry[];
  clock: CustodyClock | null;
}

/** What intake saves: mirrors `waystation_core::NewCase`. */
export interface NewCase {
  child: NonNullable<CaseDocument["child"]>;
  encounter: NonNullable<CaseDocument["encounter"]>;
  adults: Omit<Adult, "id">[];
  screening: import("./screening").ScreeningRecord | null;
  immediate_needs: ImmediateNeed[];
  referrals: { to: ReferralTo; note: string }[];
}

/** A note added from the case detail screen. */
export interface NewNote {
  sensitivity: Sensitivity;
  text: string;
}
