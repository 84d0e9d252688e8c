import { useEffect, useRef } from "react";
import { IDLE_DEFAULT_MINUTES as IDLE_DEFAULT, IDLE_MAX_MINUTES as IDLE_MAX } from "../../bindings/vocabulary";
import { problem, type Problem } from "../../components/problem";

export { IDLE_DEFAULT, IDLE_MAX };

/** The idle lock time as typed, or the problem with it (whole minutes, 1 to 30). */
export function parseIdleMinutes(text: string): { minutes: number } | { problem: Problem } {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return { problem: problem("settings.err.idleNumber", { max: IDLE_MAX }) };
  const n = Number(t);
  if (n < 1 || n > IDLE_MAX) return { problem: problem("settings.err.idleRange", { max: IDLE_MAX }) };
  return { minutes: n };
}

/** The lock-now shortcut: Ctrl+Shift+L (Cmd+Shift+L on a Mac keyboard). */
export const isLockShortcut = (e: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "shiftKey" | "altKey">) =>
  (e.ctrlKey || e.metaKey) && e.shiftKey && !e.altKey && e.key.toLowerCase() === "l";

const ACTIVITY = ["keydown", "mousedown", "mousemove", "wheel", "touchstart"] as const;

/** Calls `onIdle` after `minutes` without keyboard, mouse or touch input, and on the lock shortcut. */
export function useIdleLock(minutes: number, onIdle: () => void) {
  const last = useRef(Date.now());
  const cb = useRef(onIdle);
  cb.current = onIdle;
  useEffect(() => {
    last.current = Date.now();
    const touch = () => {
      last.current = Date.now();
    };
    const key = (e: KeyboardEvent) => {
      if (isLockShortcut(e)) {
        e.preventDefault();
        cb.current();
      }
    };
    ACTIVITY.forEach((ev) => window.addEventListener(ev, touch, { passive: true }));
    window.addEventListener("keydown", key);
    const id = window.setInterval(() => {
      if (Date.now() - last.current >= minutes * 60_000) cb.current();
    }, 5_000);
    return () => {
      ACTIVITY.forEach((ev) => window.removeEventListener(ev, touch));
      window.removeEventListener("keydown", key);
      window.clearInterval(id);
    };
  }, [minutes]);
}
