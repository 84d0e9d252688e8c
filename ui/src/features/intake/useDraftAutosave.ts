import { useEffect, useRef, useState } from "react";
import type { JsonValue } from "../../bindings";
import { call } from "../../ipc";
import type { IntakeDraft } from "./draft";

export type SaveState = { kind: "idle" } | { kind: "saving" } | { kind: "saved"; at: string } | { kind: "failed" };

/** Every change to the draft is written through the shell a moment after the
 * last keystroke (the store keeps it encrypted), so a crash or a lock loses at
 * most that moment. `enabled` is false until the saved draft was read back. */
export function useDraftAutosave(draft: IntakeDraft | null, enabled: boolean, delayMs = 400): SaveState {
  const [state, setState] = useState<SaveState>({ kind: "idle" });
  const first = useRef(true);
  useEffect(() => {
    if (!enabled || !draft) return;
    if (first.current) {
      // The draft as loaded is already saved.
      first.current = false;
      return;
    }
    const id = window.setTimeout(() => {
      const at = new Date().toISOString();
      setState({ kind: "saving" });
      call("draft_save", { draft: { ...draft, saved_at: at } as unknown as JsonValue }).then(
        () => setState({ kind: "saved", at }),
        () => setState({ kind: "failed" }),
      );
    }, delayMs);
    return () => window.clearTimeout(id);
  }, [draft, enabled, delayMs]);
  return state;
}
