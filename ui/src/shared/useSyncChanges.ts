import { useEffect, useState } from "react";
import { onSyncChanged } from "../ipc";

/** A number that goes up each time a sync that sent or received changes is
 * over (`sync://changed`): put it in the dependencies of what reads cases. */
export function useSyncChanges(): number {
  const [changes, setChanges] = useState(0);
  useEffect(() => onSyncChanged(() => setChanges((n) => n + 1)), []);
  return changes;
}
