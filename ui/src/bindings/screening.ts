/** Mirrors the screening types of `waystation-core`: instruments are data, each
 * prompt in English and Spanish; the result is computed in core and says what
 * drove it. */
import type { Lang } from "./session";

export type LocalizedText = Record<Lang, string>;
export type Answer = "yes" | "no" | "unknown" | "declined";

export interface Indicator {
  id: string;
  prompt: LocalizedText;
}

/** One of the four questions a child from a contiguous country must be asked. */
export interface Criterion {
  id: string;
  prompt: LocalizedText;
}

export interface Instrument {
  id: string;
  version: number;
  title: LocalizedText;
  indicators: Indicator[];
  contiguous_criteria: Criterion[];
}

export interface CriterionAnswer {
  answer: Answer;
  rationale: string;
}

/** What the screener entered; input of `screening_evaluate` and part of a new case. */
export interface ScreeningRecord {
  instrument_id: string;
  instrument_version: number;
  language: string;
  interpreter_used: boolean;
  answers: Record<string, Answer>;
  /** Present for a child from a contiguous country (Mexico, Canada). */
  contiguous: Record<string, CriterionAnswer> | null;
  /** Age in whole years at screening, when known: under 14 is presumed unable to decide alone. */
  child_age_years: number | null;
}

export type ScreeningOutcome = "indicators_present" | "no_indicators" | "incomplete";

/** Why the contiguous-country return test failed or is open. */
export interface CriterionFinding {
  criterion: string;
  reason: "answer" | "under_14" | "unanswered";
}

export interface ScreeningResult {
  outcome: ScreeningOutcome;
  /** The indicators answered "yes": what drove an `indicators_present` result. */
  drivers: string[];
  /** Indicators not answered yet, or answered "unknown" / "declined". */
  open: string[];
  /** Contiguous-country test: null when not applicable. */
  contiguous: { may_return: boolean; findings: CriterionFinding[] } | null;
}
