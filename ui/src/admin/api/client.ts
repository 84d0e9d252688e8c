/**
 * The console's one door to the service: JSON over fetch with the session cookie
 * (`credentials: "same-origin"`), the CSRF token on every request that changes
 * something, and every failure turned into a `Failure` the pages say in words.
 * Paths, bodies and answers are typed by the generated `paths`.
 */
import type { ErrorBody, ErrorCode, paths } from "./schema";

export type Method = "get" | "post" | "patch" | "delete";
export type ApiPath = keyof paths;

type Op<P extends ApiPath, M extends Method> = NonNullable<paths[P][M]>;
type JsonOf<R> = R extends { content: { "application/json": infer J } } ? J : undefined;
/** The answer of a success (200, else 201; 204 is `undefined`). */
export type Answer<P extends ApiPath, M extends Method> =
  Op<P, M> extends { responses: infer R } ? (200 extends keyof R ? JsonOf<R[200]> : 201 extends keyof R ? JsonOf<R[201]> : undefined) : never;
/** The JSON body the operation takes, or `undefined`. */
export type BodyOf<P extends ApiPath, M extends Method> =
  Op<P, M> extends { requestBody?: infer RB } ? ([NonNullable<RB>] extends [never] ? undefined : JsonOf<NonNullable<RB>>) : undefined;
/** The methods a path answers. */
export type MethodsOf<P extends ApiPath> = { [M in Method]: [NonNullable<paths[P][M]>] extends [never] ? never : M }[Method];

/** Why a request did not give its answer, as the pages say it. */
export type Failure =
  /** Nothing answered: the network, or the service is down. */
  | { kind: "network" }
  /** The session cookie is gone or ended: back to sign-in. */
  | { kind: "session"; code: "session_expired" | "unauthorized" }
  /** The service answered with an `ErrorBody`. */
  | {
      kind: "refused";
      status: number;
      code: ErrorCode | string;
      message: string;
      field: string | null;
      retryAfterSecs: number | null;
    }
  /** An answer that is not one of the service's (a proxy's error page…). */
  | { kind: "unexpected"; status: number };

export class ApiError extends Error {
  constructor(readonly failure: Failure) {
    super(failure.kind === "refused" ? `${failure.code}: ${failure.message}` : failure.kind);
    this.name = "ApiError";
  }
}

const isErrorBody = (b: unknown): b is ErrorBody =>
  typeof b === "object" && b !== null && typeof (b as { code?: unknown }).code === "string";

/** The failure an answer with this status and (parsed) body means. Pure. */
export function failureFrom(status: number, body: unknown): Failure {
  if (status === 401) {
    const code = isErrorBody(body) ? body.code : "unauthorized";
    if (code === "session_expired" || code === "unauthorized") return { kind: "session", code };
  }
  if (isErrorBody(body)) {
    const b = body as ErrorBody & { field?: string | null };
    return {
      kind: "refused",
      status,
      code: b.code,
      message: typeof b.message === "string" ? b.message : "",
      field: typeof b.field === "string" && b.field !== "" ? b.field : null,
      retryAfterSecs: typeof b.retry_after_secs === "number" ? b.retry_after_secs : null,
    };
  }
  if (status === 401) return { kind: "session", code: "unauthorized" };
  return { kind: "unexpected", status };
}

/** The path with its `{name}` segments filled (each encoded) and the query appended. */
export function fillPath(path: string, params?: Record<string, string>, query?: Record<string, string | number>): string {
  const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = params?.[name];
    if (v === undefined) throw new Error(`missing path parameter ${name}`);
    return encodeURIComponent(v);
  });
  const q = query ? new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString() : "";
  return q ? `${filled}?${q}` : filled;
}

export interface RequestOptions<B> {
  params?: Record<string, string>;
  query?: Record<string, string | number>;
  body?: B;
  signal?: AbortSignal;
  /** A 401 here is not the end of a session (the sign-in, the first session check). */
  quiet?: boolean;
}

export interface ClientOptions {
  /** The CSRF token of the current session, or null when there is none. */
  csrfToken: () => string | null;
  /** A request found the session ended (not for `quiet` requests). */
  onSessionEnd: (code: "session_expired" | "unauthorized") => void;
  fetch?: typeof fetch;
}

export type Client = ReturnType<typeof createClient>;

export function createClient(options: ClientOptions) {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  async function request<P extends ApiPath, M extends MethodsOf<P>>(
    method: M,
    path: P,
    opts: RequestOptions<BodyOf<P, M>> = {},
  ): Promise<Answer<P, M>> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (opts.body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "get") {
      const token = options.csrfToken();
      if (token) headers["X-CSRF-Token"] = token;
    }
    let res: Response;
    try {
      res = await doFetch(fillPath(path, opts.params, opts.query), {
        method: method.toUpperCase(),
        headers,
        credentials: "same-origin",
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: opts.signal,
        cache: "no-store",
      });
    } catch (e) {
      if (e instanceof DOMException && e.name === "AbortError") throw e;
      throw new ApiError({ kind: "network" });
    }
    const text = await res.text().catch(() => "");
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
    }
    if (res.ok) {
      if (res.status !== 204 && text && body === undefined) throw new ApiError({ kind: "unexpected", status: res.status });
      return body as Answer<P, M>;
    }
    const failure = failureFrom(res.status, body);
    if (failure.kind === "session" && !opts.quiet) options.onSessionEnd(failure.code);
    throw new ApiError(failure);
  }
  return { request };
}

/** The failure of anything thrown by a request. */
export function failureOf(e: unknown): Failure {
  if (e instanceof ApiError) return e.failure;
  return { kind: "unexpected", status: 0 };
}
