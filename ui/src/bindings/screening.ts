/** Mirrors `waystation_core::screening`: instruments are data (each prompt in
 * English and Spanish, a version never rewritten); the result is computed in
 * core and says which answers drove it. */

export type PromptLanguage = "en" | "es";
export type Prompt = Record<PromptLanguage, string>;
export type Answer = "yes" | "no" | "unknown" | "declined";
export type IndicatorCategory =
  | "force"
  | "fraud"
  | "coercion"
  | "debt"
  | "documents"
  | "labor"
  | "commercial_sex"
  | "control"
  | "threats"
  | "online_exploitation"
  | "criminal_exploitation"
  | "recruitment"
  | "observation";
/** Who answers the question: the child, or the screener from what they observed. */
export type Respondent = "child" | "screener";
export type CriterionKind =
  | "not_trafficking_victim"
  | "no_trafficking_risk_on_return"
  | "no_credible_fear"
  | "able_to_decide_independently";

export interface Indicator {
  id: string;
  category: IndicatorCategory;
  asked_of: Respondent;
  prompt: Prompt;
}

/** One of the four questions a child from a contiguous country must be asked. */
export interface Criterion {
  id: CriterionKind;
  prompt: Prompt;
}

export interface Instrument {
  id: string;
  version: number;
  title: Prompt;
  introduction: Prompt;
  indicators: Indicator[];
  criteria: Criterion[];
}

export interface CriterionAnswer {
  answer: Answer;
  rationale?: string;
}

/** The `screening` section of a case document. */
export interface ScreeningDoc {
  instrument: string;
  version: number;
  prompt_language?: PromptLanguage;
  /** ISO 639-3 code of the language spoken with the child. */
  language?: string;
  screener?: string;
  interpreter?: string;
  started_at?: string;
  completed_at?: string;
  answers?: Record<string, Answer>;
  criteria?: Partial<Record<CriterionKind, CriterionAnswer>>;
  /** Computed by core; ignored on input. */
  result?: ScreeningResult;
}

export type IndicatorFinding = "present" | "none" | "incomplete";
export type ReturnEligibility = "not_applicable" | "eligible" | "not_eligible" | "incomplete";

/** One answer (or fact) that drove the result. `question` is an indicator id, a
 * criterion id, `child.age`, `indicators` or `criteria`; `effect` is core's
 * English wording, for logs — screens word it themselves from `question`. */
export interface Driver {
  question: string;
  effect: string;
}

export interface ScreeningResult {
  indicators: IndicatorFinding;
  indicators_present: string[];
  indicators_open: string[];
  contiguous_return: ReturnEligibility;
  drivers: Driver[];
}
