import { describe, expect, it } from "vitest";
import type { DeviceInfo } from "../api/schema";
import { filterDevices, pageOf, rolesOf, sortDevices, PAGE_SIZE } from "./list";

function device(i: number, over: Partial<DeviceInfo> = {}): DeviceInfo {
  return {
    id: `00000000-0000-7000-8000-${String(i).padStart(12, "0")}`,
    name: `station-${i % 10} laptop ${i}`,
    org: "border-station-7",
    role: i % 3 === 0 ? "ngo_staff" : "agent",
    state: i % 5 === 0 ? "silent" : "syncing",
    enrolled_at: "2026-11-01T00:00:00Z",
    last_contact: i % 7 === 0 ? null : new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString(),
    revoked: false,
    ...over,
  } as DeviceInfo;
}

const many = Array.from({ length: 1200 }, (_, i) => device(i + 1));

describe("device filter", () => {
  it("by role, state and a part of the name, any case", () => {
    const r = filterDevices(many, { role: "agent", state: "silent", text: "STATION-5" });
    expect(r.length).toBeGreaterThan(0);
    for (const d of r) {
      expect(d.role).toBe("agent");
      expect(d.state).toBe("silent");
      expect(d.name.toLowerCase()).toContain("station-5");
    }
    expect(filterDevices(many, { role: "", state: "", text: "  " })).toHaveLength(1200);
    expect(filterDevices(many, { role: "", state: "revoked", text: "" })).toHaveLength(0);
  });
});

describe("device sort by last contact", () => {
  it("oldest first puts never-contacted devices first, newest first puts them last, ties by name", () => {
    const list = [device(1), device(7), device(2), device(14)];
    expect(sortDevices(list, "oldest").map((d) => d.name)).toEqual([
      "station-4 laptop 14",
      "station-7 laptop 7",
      "station-1 laptop 1",
      "station-2 laptop 2",
    ]);
    expect(sortDevices(list, "newest").map((d) => d.name)).toEqual([
      "station-2 laptop 2",
      "station-1 laptop 1",
      "station-4 laptop 14",
      "station-7 laptop 7",
    ]);
  });
  it("does not change the list it is given", () => {
    const list = [device(2), device(1)];
    sortDevices(list, "oldest");
    expect(list.map((d) => d.name)).toEqual(["station-2 laptop 2", "station-1 laptop 1"]);
  });
});

describe("paging", () => {
  it("50 rows a page, clamped, with positions", () => {
    const p1 = pageOf(many, 1);
    expect(p1.rows).toHaveLength(PAGE_SIZE);
    expect(p1).toMatchObject({ page: 1, pages: 24, total: 1200, from: 1, to: 50 });
    expect(pageOf(many, 24)).toMatchObject({ page: 24, from: 1151, to: 1200 });
    expect(pageOf(many, 99).page).toBe(24);
    expect(pageOf(many, 0).page).toBe(1);
    expect(pageOf([], 3)).toMatchObject({ rows: [], page: 1, pages: 1, total: 0, from: 0, to: 0 });
    expect(pageOf(many.slice(0, 51), 2).rows).toHaveLength(1);
  });
  it("filter, sort and page 10,000 devices quickly", () => {
    const big = Array.from({ length: 10_000 }, (_, i) => device(i + 1));
    const start = performance.now();
    pageOf(sortDevices(filterDevices(big, { role: "agent", state: "", text: "laptop" }), "oldest"), 3);
    expect(performance.now() - start).toBeLessThan(500);
  });
});

describe("roles of the list", () => {
  it("known roles in their order, then others", () => {
    expect(rolesOf([device(1), device(3), device(2, { role: "zeta" }), device(4, { role: "sync_admin" })])).toEqual([
      "agent",
      "ngo_staff",
      "sync_admin",
      "zeta",
    ]);
  });
});
