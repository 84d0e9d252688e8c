/** Mirrors the case types of `waystation-core` (`CaseView`, `Conflict`, the case
 * document keys) and the summaries `src-tauri` builds for the list. */
import type { JsonValue } from "./json";
import type { ScreeningDoc } from "./screening";

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
export type Accompaniment = "alone" | "parent_or_guardian" | "unrelated_or_unverified_adult";
export type Relationship =
  | "parent"
  | "legal_guardian"
  | "sibling"
  | "grandparent"
  | "aunt_or_uncle"
  | "cousin"
  | "other_relative"
  | "family_friend"
  | "partner"
  | "employer"
  | "guide_or_smuggler"
  | "unrelated"
  | "unknown";
export type AgeMethod = "document" | "self_report" | "assessment";
export type Sex = "female" | "male" | "other" | "unknown";
export type ServiceKind =
  | "shelter"
  | "food_and_clothing"
  | "medical_care"
  | "mental_health"
  | "legal_consultation"
  | "legal_representation"
  | "education"
  | "family_tracing"
  | "interpretation"
  | "case_management"
  | "transport"
  | "other";

/** Mirrors `waystation_core::custody_clock::Deadline`: read by core at `CustodyClock.now`. */
export type DeadlineKind = "screening" | "placement_notification" | "transfer" | "trafficking_referral";
export type Deadline = {
  kind: DeadlineKind;
  /** RFC 3339. */
  due_at: string;
  met_at: string | null;
  /** Seconds until due at the clock's `now` (negative once passed). */
  time_left_seconds: number;
} & ({ state: "ok" } | { state: "due_soon" } | { state: "overdue" } | { state: "met"; on_time: boolean });

/** Mirrors `waystation_core::CustodyClock`: time in custody and every deadline
 * that applies, soonest first, as core read them at `now` (the warning lead
 * time is core's rule; the screen only counts down from `now`). */
export interface CustodyClock {
  started_at: string;
  now: string;
  in_custody: boolean;
  time_in_custody_seconds: number;
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
  id?: string;
  to: ReferralTo;
  org?: string;
  status: ReferralStatus;
  drafted_at: string;
  sent_at?: string;
  acknowledged_at?: string;
  accepted_at?: string;
  declined_at?: string;
  completed_at?: string;
  reason?: string;
  reference?: string;
}
export interface Note {
  id: string;
  sensitivity: Sensitivity;
  text: string;
  written_at: string;
  author: string;
}
export interface Adult {
  id?: string;
  name?: string;
  claimed_relationship?: Relationship;
  verified_relationship?: Relationship;
  description?: string;
}
export interface Service {
  id?: string;
  kind: ServiceKind;
  /** A calendar day, YYYY-MM-DD. */
  provided_on: string;
  provider?: string;
  description?: string;
}

/** The case document (`examples/case.json`; `waystation_core::NewCase` parses
 * it). Every field may be missing in a merged view: a case synced in part, or
 * fields a role may not read. */
export interface CaseDocument {
  id?: CaseId;
  status?: CaseStatus;
  child?: {
    given_name?: string;
    family_name?: string;
    aliases?: string[];
    /** YYYY-MM-DD. */
    date_of_birth?: string;
    estimated_age_years?: number;
    age_method?: AgeMethod;
    sex?: Sex;
    /** ISO 3166-1 alpha-2. */
    nationalities?: string[];
    /** ISO 639-3. */
    languages?: string[];
    interpreter_used?: boolean;
  };
  encounter?: {
    /** RFC 3339 with the offset. */
    occurred_at: string;
    time_zone?: string;
    station?: string;
    place?: string;
    type: EncounterType;
    accompaniment: Accompaniment;
    narrative?: string;
    recorded_by?: string;
  };
  screening?: ScreeningDoc;
  custody?: {
    started_at?: string;
    facility?: string;
    placement_notified_at?: string;
    transferred_at?: string;
    returned_at?: string;
    released_at?: string;
  };
  adults?: Adult[];
  referrals?: Referral[];
  notes?: Note[];
  services?: Service[];
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

/** What intake saves: a case document without an id (the shell makes it), parsed by `NewCase::from_value`. */
export type NewCase = Omit<CaseDocument, "id" | "encounter" | "notes"> & {
  encounter: NonNullable<CaseDocument["encounter"]>;
};

/** A note added from the case detail screen. */
export interface NewNote {
  sensitivity: Sensitivity;
  text: string;
}
