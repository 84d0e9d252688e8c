/**
 * The one door to the desktop shell. Every command goes through `call`, typed by
 * the map in `bindings/commands.ts` (generated from the command table in
 * `src-tauri/src/commands/mod.rs`); every failure arrives as a `CommandFailure`
 * holding the shell's `{code, message}` so screens branch on `code`.
 */
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { ArgsOf, CommandError, CommandName, ResultOf } from "./bindings";

/** A command that failed, with the shell's error. */
export class CommandFailure extends Error {
  readonly error: CommandError;
  constructor(error: CommandError) {
    super(error.message);
    this.name = "CommandFailure";
    this.error = error;
  }
  get code() {
    return this.error.code;
  }
}

/** Turn whatever `invoke` rejected with into a `CommandError`. */
export function toCommandError(raw: unknown): CommandError {
  if (raw instanceof CommandFailure) return raw.error;
  if (raw && typeof raw === "object" && "code" in raw && "message" in raw) {
    const r = raw as Record<string, unknown>;
    if (typeof r.code === "string" && typeof r.message === "string") return raw as CommandError;
  }
  const message = raw instanceof Error ? raw.message : typeof raw === "string" ? raw : "unknown error";
  return { code: "internal", message };
}

const lockedListeners = new Set<() => void>();

/** Be told when any command answers that the store is locked (the shell's idle
 * lock, or a remote lock): the app then shows the unlock screen. */
export function onStoreLocked(listener: () => void): () => void {
  lockedListeners.add(listener);
  return () => lockedListeners.delete(listener);
}

type CallArgs<C extends CommandName> = keyof ArgsOf<C> extends never ? [] : [ArgsOf<C>];

/** Call a command of the shell. Rejects with a `CommandFailure`. */
export async function call<C extends CommandName>(cmd: C, ...args: CallArgs<C>): Promise<ResultOf<C>> {
  try {
    return (await invoke(cmd, args[0] ?? {})) as ResultOf<C>;
  } catch (raw) {
    const error = toCommandError(raw);
    if (error.code === "locked") lockedListeners.forEach((l) => l());
    throw new CommandFailure(error);
  }
}

/** Listen to events of the shell; outside it (tests without mocks, the mock build) nothing arrives. */
function onShellEvents(names: string[], listener: () => void): () => void {
  const stops: Array<() => void> = [];
  let closed = false;
  for (const name of names) {
    try {
      listen(name, () => listener()).then(
        (unlisten) => (closed ? unlisten() : stops.push(unlisten)),
        () => undefined,
      );
    } catch {
      // Not inside the shell.
    }
  }
  return () => {
    closed = true;
    stops.forEach((s) => s());
  };
}

/** A step of an enrollment, as the shell reports it (`enroll://progress`). */
export interface EnrollStep {
  step: "enrolling" | "enrolled" | "signing_in" | "signed_in" | "store_created" | "waiting" | "resuming" | "working";
  attempt: number | null;
  wait_secs: number | null;
  words: string;
}

/** Be told each step of an enrollment: each try, each wait, a resumed enrollment. */
export function onEnrollProgress(listener: (step: EnrollStep) => void): () => void {
  let stop: (() => void) | null = null;
  let closed = false;
  try {
    listen<EnrollStep>("enroll://progress", (e) => listener(e.payload)).then(
      (unlisten) => (closed ? unlisten() : (stop = unlisten)),
      () => undefined,
    );
  } catch {
    // Not inside the shell.
  }
  return () => {
    closed = true;
    stop?.();
  };
}

/** Be told when the shell's background sync reports progress (`sync://progress`)
 * or found the device revoked (`sync://revoked`). Outside the shell (tests, the
 * mock build) nothing arrives and polling alone keeps the line current. */
export function onSyncEvent(listener: () => void): () => void {
  return onShellEvents(["sync://progress", "sync://revoked"], listener);
}

/** The shell sends `sync://changed` when a sync that sent or received changes is
 * over: screens showing cases read them again. */
export const SYNC_CHANGED = "sync://changed";

/** Be told when a sync that sent or received changes is over. */
export function onSyncChanged(listener: () => void): () => void {
  return onShellEvents([SYNC_CHANGED], listener);
}
