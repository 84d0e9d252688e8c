import { problem, type Problems } from "../../components/problem";
import type { CommandError } from "../../bindings";

/** What a failed unlock does to the screen: a problem beside a field, or a
 * lockout until a given instant, or a general message. */
export type UnlockOutcome =
  | { kind: "field"; problems: Problems }
  | { kind: "lockout"; until: number }
  | { kind: "other"; error: CommandError };

export function unlockOutcome(e: CommandError, now: number): UnlockOutcome {
  switch (e.code) {
    case "wrong_passphrase":
      return {
        kind: "field",
        problems: {
          passphrase:
            e.attempts_left !== undefined
              ? problem("unlock.err.wrongLeft", { left: e.attempts_left })
              : problem("unlock.err.wrong"),
        },
      };
    case "locked_out":
      return { kind: "lockout", until: now + (e.retry_after_secs ?? 600) * 1000 };
    case "not_found":
      return { kind: "field", problems: { user: problem("unlock.err.unknownUser") } };
    default:
      return { kind: "other", error: e };
  }
}
