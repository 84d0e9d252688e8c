import type { Role } from "./api/schema";
import type { ConsoleKey } from "./i18n/ConsoleI18n";

export const ROLES: readonly Role[] = ["agent", "ngo_staff", "supervisor", "sync_admin"];

/** The role a form's value names, or null. */
export const asRole = (text: string): Role | null => ROLES.find((r) => r === text) ?? null;

/** A role in words; an unknown one as it is. */
export function roleLabel(t: (k: ConsoleKey) => string, role: string): string {
  return (ROLES as readonly string[]).includes(role) ? t(`role.${role}` as ConsoleKey) : role;
}
