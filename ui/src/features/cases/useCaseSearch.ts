import { useEffect, useState } from "react";
import type { CaseId } from "../../bindings";
import { call } from "../../ipc";

/** Search as you type: a short pause after the last key, and an answer that
 * arrives after a newer query is dropped. `null` while there is no query.
 * A new `version` (the cases changed) searches the same text again. */
export function useCaseSearch(text: string, version = 0, delayMs = 150): { hits: CaseId[] | null; failed: boolean } {
  const [state, setState] = useState<{ hits: CaseId[] | null; failed: boolean }>({ hits: null, failed: false });
  useEffect(() => {
    const q = text.trim();
    if (!q) {
      setState({ hits: null, failed: false });
      return;
    }
    let current = true;
    const id = window.setTimeout(() => {
      call("case_search", { text: q }).then(
        (hits) => current && setState({ hits, failed: false }),
        () => current && setState({ hits: null, failed: true }),
      );
    }, delayMs);
    return () => {
      current = false;
      window.clearTimeout(id);
    };
  }, [text, version, delayMs]);
  return state;
}
