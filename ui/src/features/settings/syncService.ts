import type { CommandError } from "../../bindings";
import { problem, type Problem } from "../../components/problem";

/** The DOM id of the new address's field. */
export const SERVER_FIELD = "new_server";

/** What the form may send: a full http(s) address other than the one in use, or what is wrong with it. */
export function checkServiceAddress(value: string, current: string | null): { server: string } | { problem: Problem } {
  const server = value.trim();
  if (!server) return { problem: problem("settings.service.err.required") };
  if (!/^https?:\/\/\S+$/i.test(server)) return { problem: problem("first.err.server") };
  const same = (a: string) => a.replace(/\/+$/, "").toLowerCase();
  if (current !== null && same(server) === same(current)) return { problem: problem("settings.service.err.same") };
  return { server };
}

/** A refused move: beside the address when the shell says it was the address
 * (not one, nobody answers there, the service there does not know this
 * laptop), in the form's alert otherwise. */
export function moveRefusal(e: CommandError): { problem: Problem } | { failure: CommandError } {
  const field = e.code === "invalid" ? e.fields?.find((f) => f.field === "server") : undefined;
  if (field) return { problem: problem("settings.service.err.refused", { reason: field.message }) };
  return { failure: e };
}
