import { mockIPC } from "@tauri-apps/api/mocks";
import type { CaseDetail, CaseDocument } from "../bindings";

/** The case the case-screen tests open. */
export const CASE_ID = "0190a1b2-0000-7000-8000-00000000c0de";

/** A case as `case_get` answers it: `document` owned by casa-esperanza, shared with `shared`, no conflict, no history. */
export function caseDetail(document: CaseDocument, shared: string[] = []): CaseDetail {
  return { id: CASE_ID, owner: "casa-esperanza", shared_with: shared, clock: null, document, conflicts: [], timeline: [], note_classes: ["general", "law_enforcement_sensitive", "legal_privileged", "medical"], may_stop_sharing: false, owned_here: true };
}

/** What the shell was asked, in order: every command but `case_get` and plugin calls. */
export type ShellCalls = [string, Record<string, unknown>][];

/** The shell answering `case_get` with `first` and recording every other call; `answer` decides what a save returns. */
export function caseShell(first: CaseDetail, answer: (cmd: string, args: Record<string, unknown>) => unknown): ShellCalls {
  const calls: ShellCalls = [];
  mockIPC((cmd, args) => {
    if (cmd === "case_get") return first;
    if (cmd.startsWith("plugin:")) return null;
    calls.push([cmd, args as Record<string, unknown>]);
    return answer(cmd, args as Record<string, unknown>);
  });
  return calls;
}
