import type { Failure } from "./client";
import type { ConsoleKey } from "../i18n/ConsoleI18n";
import type { Vars } from "../../i18n/translate";

type T = (key: ConsoleKey, vars?: Vars) => string;

/** A failure in plain words, in the page's language. */
export function failureText(f: Failure, t: T, duration: (ms: number) => string): string {
  switch (f.kind) {
    case "network":
      return t("err.network");
    case "session":
      return t(f.code === "session_expired" ? "err.session_expired" : "err.unauthorized");
    case "unexpected":
      return t("err.unexpected", { status: f.status });
    case "refused":
      switch (f.code) {
        case "forbidden":
          return t("err.forbidden");
        case "csrf":
          return t("err.csrf");
        case "not_found":
          return t("err.not_found");
        case "unavailable":
          return t("err.unavailable");
        case "rate_limited":
          return t("err.rate_limited", { time: duration(Math.max(60, f.retryAfterSecs ?? 60) * 1000) });
        case "bad_request":
          return t("err.bad_request", { message: f.message });
        default:
          return f.message ? t("err.refused", { message: f.message }) : t("err.unexpected", { status: f.status });
      }
  }
}
