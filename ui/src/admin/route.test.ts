import { describe, expect, it } from "vitest";
import { href, parseRoute } from "./route";
import { qrPath } from "./components/QrCode";
import { enrollQrText, parseTtl } from "./pages/Enrollment";

describe("hash routes", () => {
  it("parse every page, a device by id, and nothing else", () => {
    expect(parseRoute("")).toEqual({ page: "overview" });
    expect(parseRoute("#/")).toEqual({ page: "overview" });
    for (const p of ["overview", "devices", "enrollment", "users", "orgs", "conflicts", "audit"]) expect(parseRoute(`#/${p}`)).toEqual({ page: p });
    expect(parseRoute("#/devices/abc-1")).toEqual({ page: "device", id: "abc-1" });
    expect(parseRoute("#/devices/abc/x")).toEqual({ page: "unknown" });
    expect(parseRoute("#/nope")).toEqual({ page: "unknown" });
    expect(href({ page: "device", id: "a b" })).toBe("#/devices/a%20b");
    expect(parseRoute(href({ page: "device", id: "a b" }))).toEqual({ page: "device", id: "a b" });
  });
});

describe("enrollment", () => {
  it("the QR holds the service's address and the code, drawn as one SVG path", () => {
    expect(enrollQrText("https://sync.example.org", "ABCD-1234")).toBe("waystation-enroll:https://sync.example.org#ABCD-1234");
    const { size, d } = qrPath(enrollQrText("https://sync.example.org", "ABCD-1234"));
    expect(size).toBeGreaterThanOrEqual(29); // version 1 is 21 modules, plus the quiet zone
    expect(d).toMatch(/^M\d+ \d+h\d+v1h-\d+z/);
  });
  it("a lifetime is a whole number of hours from 1 to 720", () => {
    expect(parseTtl("72")).toBe(72);
    expect(parseTtl(" 1 ")).toBe(1);
    expect(parseTtl("720")).toBe(720);
    for (const bad of ["0", "721", "1.5", "", "abc", "-3"]) expect(parseTtl(bad), bad).toBeNull();
  });
});

describe("an operation id's time", () => {
  it("reads a UUIDv7's milliseconds and nothing from other UUIDs", async () => {
    const { uuidV7Time } = await import("./pages/DeviceDetail");
    expect(uuidV7Time("0190a4a0-5c00-7000-8000-000000000001")).toBe(0x0190a4a05c00);
    expect(uuidV7Time("0190a4a0-5c00-4000-8000-000000000001")).toBeNull();
    expect(uuidV7Time("nope")).toBeNull();
  });
});
