import type { ConsoleKey } from "./i18n/ConsoleI18n";

export const ROLES = ["agent", "ngo_staff", "supervisor", "sync_admin"] as const;

/** A role in words; an unknown one as it is. */
export function roleLabel(t: (k: ConsoleKey) => string, role: string): string {
  return (ROLES as readonly string[]).includes(role) ? t(`role.${role}` as ConsoleKey) : role;
}
