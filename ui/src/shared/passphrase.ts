import { MIN_PASSPHRASE, USER_NAME } from "../bindings/vocabulary";
import { problem, type Problems } from "../components/problem";

/** The device rules (CJIS 5.13): at least `MIN_PASSPHRASE` characters (the store's `Passphrase::MIN_CHARS`). */
export { MIN_PASSPHRASE } from "../bindings/vocabulary";

/** Problems with a new passphrase and its confirmation, keyed by field path. */
export function validateNewPassphrase(next: string, confirm: string, field = "passphrase"): Problems {
  const p: Problems = {};
  if (!next) p[field] = problem("pass.err.required");
  else if ([...next].length < MIN_PASSPHRASE) p[field] = problem("pass.err.short", { min: MIN_PASSPHRASE });
  if (next && confirm !== next) p[`${field}_confirm`] = problem("pass.err.mismatch");
  return p;
}


export function validateUserName(user: string): Problems {
  const u = user.trim();
  if (!u) return { user: problem("unlock.err.userRequired") };
  if (!USER_NAME.test(u)) return { user: problem("unlock.err.userFormat") };
  return {};
}
