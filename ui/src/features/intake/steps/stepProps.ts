import type { Instrument } from "../../../bindings";
import type { Problems } from "../../../components/problem";
import type { IntakeDraft, StepId } from "../draft";

export interface StepProps {
  draft: IntakeDraft;
  set: (update: (d: IntakeDraft) => IntakeDraft) => void;
  problems: Problems;
  instruments: Instrument[];
  goTo: (step: StepId) => void;
}
