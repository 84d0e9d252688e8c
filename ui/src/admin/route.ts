/** Hash routes: the service serves only /admin/ and its assets. */
import { useEffect, useState } from "react";

export type Route =
  | { page: "overview" }
  | { page: "devices" }
  | { page: "device"; id: string }
  | { page: "enrollment" }
  | { page: "users" }
  | { page: "orgs" }
  | { page: "conflicts" }
  | { page: "audit" }
  | { page: "unknown" };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, "").replace(/\/+$/, "") || "/overview";
  const parts = path.split("/").filter(Boolean);
  const [first, second, ...rest] = parts;
  if (rest.length) return { page: "unknown" };
  if (first === "devices" && second) return { page: "device", id: decodeURIComponent(second) };
  if (second) return { page: "unknown" };
  switch (first) {
    case "overview":
    case "devices":
    case "enrollment":
    case "users":
    case "orgs":
    case "conflicts":
    case "audit":
      return { page: first };
    default:
      return { page: "unknown" };
  }
}

export const href = (r: Route): string =>
  r.page === "device" ? `#/devices/${encodeURIComponent(r.id)}` : r.page === "unknown" ? "#/overview" : `#/${r.page}`;

export function useRoute(): Route {
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const on = () => setHash(window.location.hash);
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return parseRoute(hash);
}
