import { describe, expect, it, vi } from "vitest";
import { ApiError, createClient, failureFrom, fillPath, failureOf } from "./client";
import { failureText } from "./failureText";
import { translateConsole } from "../i18n/ConsoleI18n";
import { formatDuration } from "../../i18n/format";

function fakeFetch(status: number, body?: unknown) {
  return vi.fn(async (_url: RequestInfo | URL, _init?: RequestInit) =>
    new Response(body === undefined ? null : typeof body === "string" ? body : JSON.stringify(body), {
      status,
      headers: { "Content-Type": "application/json" },
    }),
  );
}

const any = (c: ReturnType<typeof createClient>) => c.request as unknown as (m: string, p: string, o?: object) => Promise<unknown>;

describe("failureFrom: an answer's status and ErrorBody as a failure", () => {
  it("401 session_expired and unauthorized end the session", () => {
    expect(failureFrom(401, { code: "session_expired", message: "ended" })).toEqual({ kind: "session", code: "session_expired" });
    expect(failureFrom(401, { code: "unauthorized", message: "no" })).toEqual({ kind: "session", code: "unauthorized" });
    expect(failureFrom(401, undefined)).toEqual({ kind: "session", code: "unauthorized" });
  });
  it("a wrong password is a refusal, not the end of a session, and names its field", () => {
    expect(failureFrom(401, { code: "bad_password", message: "the user name or password is wrong", field: "password" })).toEqual({
      kind: "refused",
      status: 401,
      code: "bad_password",
      message: "the user name or password is wrong",
      field: "password",
      retryAfterSecs: null,
    });
  });
  it("keeps the lockout's wait", () => {
    const f = failureFrom(429, { code: "rate_limited", message: "slow down", retry_after_secs: 600 });
    expect(f).toMatchObject({ kind: "refused", code: "rate_limited", retryAfterSecs: 600, field: null });
  });
  it("an answer that is not an ErrorBody is unexpected", () => {
    expect(failureFrom(502, "<html>Bad gateway</html>")).toEqual({ kind: "unexpected", status: 502 });
    expect(failureFrom(500, { oops: 1 })).toEqual({ kind: "unexpected", status: 500 });
  });
});

describe("the client", () => {
  it("sends JSON with the cookie, and the CSRF token on a change but not on a read", async () => {
    const f = fakeFetch(200, { ok: true });
    const c = createClient({ csrfToken: () => "tok-1", onSessionEnd: () => {}, fetch: f });
    await any(c)("get", "/v1/admin/devices");
    await any(c)("post", "/v1/admin/codes", { body: { role: "agent", ttl_hours: 72 } });
    const [getUrl, getInit] = f.mock.calls[0]!;
    const [postUrl, postInit] = f.mock.calls[1]!;
    expect(getUrl).toBe("/v1/admin/devices");
    expect(getInit?.credentials).toBe("same-origin");
    expect((getInit?.headers as Record<string, string>)["X-CSRF-Token"]).toBeUndefined();
    expect(postUrl).toBe("/v1/admin/codes");
    expect(postInit?.method).toBe("POST");
    expect((postInit?.headers as Record<string, string>)["X-CSRF-Token"]).toBe("tok-1");
    expect((postInit?.headers as Record<string, string>)["Content-Type"]).toBe("application/json");
    expect(postInit?.body).toBe('{"role":"agent","ttl_hours":72}');
  });

  it("sends the token on PATCH and DELETE too", async () => {
    const f = fakeFetch(200, {});
    const c = createClient({ csrfToken: () => "t", onSessionEnd: () => {}, fetch: f });
    await any(c)("patch", "/v1/admin/users/{name}", { params: { name: "ana.lopez" }, body: { disabled: true } });
    expect(f.mock.calls[0]![0]).toBe("/v1/admin/users/ana.lopez");
    expect((f.mock.calls[0]![1]?.headers as Record<string, string>)["X-CSRF-Token"]).toBe("t");
  });

  it("gives undefined for 204", async () => {
    const c = createClient({ csrfToken: () => "t", onSessionEnd: () => {}, fetch: fakeFetch(204) });
    await expect(any(c)("post", "/v1/admin/logout")).resolves.toBeUndefined();
  });

  it("an ended session goes back to sign-in, except on quiet requests", async () => {
    const ended = vi.fn();
    const c = createClient({ csrfToken: () => "t", onSessionEnd: ended, fetch: fakeFetch(401, { code: "session_expired", message: "x" }) });
    await expect(any(c)("get", "/v1/admin/overview")).rejects.toBeInstanceOf(ApiError);
    expect(ended).toHaveBeenCalledWith("session_expired");
    ended.mockClear();
    await expect(any(c)("get", "/v1/admin/session", { quiet: true })).rejects.toBeInstanceOf(ApiError);
    expect(ended).not.toHaveBeenCalled();
  });

  it("a refusal carries the field at fault", async () => {
    const c = createClient({
      csrfToken: () => "t",
      onSessionEnd: () => {},
      fetch: fakeFetch(400, { code: "bad_request", message: "at least 12 characters", field: "password" }),
    });
    const e = await any(c)("post", "/v1/admin/users", { body: {} }).catch((x: unknown) => x);
    expect(failureOf(e)).toMatchObject({ kind: "refused", code: "bad_request", field: "password", message: "at least 12 characters" });
  });

  it("no answer at all is the network", async () => {
    const c = createClient({
      csrfToken: () => null,
      onSessionEnd: () => {},
      fetch: vi.fn(async () => {
        throw new TypeError("Failed to fetch");
      }),
    });
    const e = await any(c)("get", "/v1/admin/overview").catch((x: unknown) => x);
    expect(failureOf(e)).toEqual({ kind: "network" });
  });

  it("fills and encodes path parameters and the query", () => {
    expect(fillPath("/v1/admin/devices/{id}", { id: "a/b c" })).toBe("/v1/admin/devices/a%2Fb%20c");
    expect(fillPath("/v1/admin/audit", undefined, { limit: 50 })).toBe("/v1/admin/audit?limit=50");
    expect(() => fillPath("/v1/admin/devices/{id}")).toThrow(/id/);
  });
});

describe("failures in words", () => {
  const t = (lang: "en" | "es") => (k: Parameters<typeof translateConsole>[1], v?: Record<string, string | number>) => translateConsole(lang, k, v);
  const d = (ms: number) => formatDuration("en", ms);
  it("says what failed, plainly, in either language", () => {
    expect(failureText({ kind: "network" }, t("en"), d)).toMatch(/cannot be reached/);
    expect(failureText({ kind: "network" }, t("es"), d)).toMatch(/No se puede contactar/);
    expect(failureText({ kind: "session", code: "session_expired" }, t("en"), d)).toMatch(/session ended/);
    const refused = { kind: "refused", status: 403, code: "forbidden", message: "", field: null, retryAfterSecs: null } as const;
    expect(failureText(refused, t("en"), d)).toMatch(/your role may not/);
    expect(failureText({ ...refused, code: "rate_limited", status: 429, retryAfterSecs: 600 }, t("en"), d)).toBe(
      "Too many requests in a short time. Try again in 10 min.",
    );
    expect(failureText({ ...refused, code: "something_new", message: "no such thing" }, t("en"), d)).toBe("The service refused: no such thing");
  });
});
