/**
 * Keep a page's data fresh while it is open: fetch now, then every 5 s after
 * the last answer (never two at once), paused while the tab is hidden and
 * fetched again as soon as it shows. The last good data stays on screen
 * while a refresh runs or fails: no flicker, focus kept. An answer equal to
 * the one shown changes nothing.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { failureOf, type Failure } from "./client";

export const POLL_MS = 5000;

export interface Poll<T> {
  data: T | undefined;
  failure: Failure | null;
  /** When the data shown was received (ms). */
  receivedAt: number | null;
  /** Fetch again now (after a change), unless one is on the way. */
  refresh: () => void;
}

export function usePoll<T>(load: (signal: AbortSignal) => Promise<T>, key: string, intervalMs = POLL_MS): Poll<T> {
  const [state, setState] = useState<{ key: string; data: T | undefined; failure: Failure | null; receivedAt: number | null }>({
    key,
    data: undefined,
    failure: null,
    receivedAt: null,
  });
  const loadRef = useRef(load);
  loadRef.current = load;
  const tick = useRef<() => void>(() => {});
  const lastJson = useRef<string | null>(null);

  useEffect(() => {
    let stopped = false;
    let inFlight = false;
    let again = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();
    lastJson.current = null;
    setState((s) => (s.key === key ? s : { key, data: undefined, failure: null, receivedAt: null }));

    const schedule = () => {
      clearTimeout(timer);
      if (!stopped) timer = setTimeout(run, intervalMs);
    };
    async function run() {
      if (stopped) return;
      if (inFlight) {
        again = true;
        return;
      }
      if (typeof document !== "undefined" && document.hidden) return; // visibilitychange starts it again
      inFlight = true;
      try {
        const data = await loadRef.current(controller.signal);
        if (stopped) return;
        const json = JSON.stringify(data);
        const now = Date.now();
        if (json === lastJson.current) {
          setState((s) => (s.failure ? { ...s, failure: null, receivedAt: now } : s));
        } else {
          lastJson.current = json;
          setState({ key, data, failure: null, receivedAt: now });
        }
      } catch (e) {
        if (stopped || (e instanceof DOMException && e.name === "AbortError")) return;
        const failure = failureOf(e);
        setState((s) => ({ ...s, failure }));
      } finally {
        inFlight = false;
      }
      if (again) {
        again = false;
        void run();
      } else schedule();
    }
    const onVisibility = () => {
      if (!document.hidden) {
        clearTimeout(timer);
        void run();
      } else clearTimeout(timer);
    };
    tick.current = () => {
      clearTimeout(timer);
      void run();
    };
    document.addEventListener("visibilitychange", onVisibility);
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
      controller.abort();
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [key, intervalMs]);

  const refresh = useCallback(() => tick.current(), []);
  const current = state.key === key ? state : { data: undefined, failure: null, receivedAt: null };
  return { data: current.data, failure: current.failure, receivedAt: current.receivedAt, refresh };
}
