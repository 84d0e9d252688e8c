import type { MessageKey, Vars } from "../i18n/translate";

/** A message for a field: a catalog key (so it follows the language), or text
 * the shell sent (shown as is). */
export type Problem = { key: MessageKey; vars?: Vars } | { text: string };
/** Problems by field id. */
export type Problems = Record<string, Problem>;

export function problem(key: MessageKey, vars?: Vars): Problem {
  return vars ? { key, vars } : { key };
}

/** A DOM id for a field path (`adults.0.name` → `adults-0-name`). */
export const domId = (path: string) => path.replace(/[^A-Za-z0-9_-]+/g, "-");
