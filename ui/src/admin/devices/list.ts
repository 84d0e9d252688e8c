/** The device list's filter, sort and paging: pure, so 1,000+ rows stay quick and are tested alone. */
import type { DeviceInfo, DeviceState } from "../api/schema";

export const DEVICE_STATES: readonly DeviceState[] = [
  "syncing",
  "silent",
  "behind",
  "refused",
  "never_completed",
  "expired",
  "revoked",
];

export const PAGE_SIZE = 50;

/** A device's state (the service sets it on every device it lists). */
export const stateOf = (d: DeviceInfo): DeviceState => d.state ?? (d.revoked ? "revoked" : "syncing");

export interface DeviceFilter {
  role: string; // "" = any
  state: DeviceState | ""; // "" = any
  text: string; // part of the name, any case
}

export type ContactOrder = "oldest" | "newest";

export function filterDevices(devices: readonly DeviceInfo[], f: DeviceFilter): DeviceInfo[] {
  const text = f.text.trim().toLocaleLowerCase();
  return devices.filter(
    (d) => (!f.role || d.role === f.role) && (!f.state || stateOf(d) === f.state) && (!text || d.name.toLocaleLowerCase().includes(text)),
  );
}

const contactMs = (d: DeviceInfo) => (d.last_contact ? new Date(d.last_contact).getTime() : Number.NEGATIVE_INFINITY);

/** By last contact (never contacted counts as oldest), then by name, then id: a stable, total order. */
export function sortDevices(devices: readonly DeviceInfo[], order: ContactOrder): DeviceInfo[] {
  const sign = order === "oldest" ? 1 : -1;
  return [...devices].sort((a, b) => {
    const ca = contactMs(a);
    const cb = contactMs(b);
    if (ca !== cb) return ca < cb ? -sign : sign;
    return a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
  });
}

export interface Page<T> {
  rows: T[];
  /** 1-based, clamped into 1..pages. */
  page: number;
  pages: number;
  total: number;
  /** 1-based positions of the first and last row shown (0, 0 when empty). */
  from: number;
  to: number;
}

export function pageOf<T>(rows: readonly T[], page: number, size = PAGE_SIZE): Page<T> {
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const p = Math.min(Math.max(1, Math.floor(page) || 1), pages);
  const start = (p - 1) * size;
  const slice = rows.slice(start, start + size);
  return { rows: slice, page: p, pages, total: rows.length, from: slice.length ? start + 1 : 0, to: start + slice.length };
}

/** The roles present in the list, for the role filter, in a fixed order first. */
export function rolesOf(devices: readonly DeviceInfo[]): string[] {
  const known = ["agent", "ngo_staff", "supervisor", "sync_admin"];
  const present = new Set(devices.map((d) => d.role));
  return [...known.filter((r) => present.has(r)), ...[...present].filter((r) => !known.includes(r)).sort()];
}
