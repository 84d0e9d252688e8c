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

/** The refusals the shell names by a word, in the screen's own words. */
const REFUSALS = {
  unreachable: "settings.service.err.unreachable",
  unknown_device: "settings.service.err.unknownDevice",
  not_the_service: "settings.service.err.notTheService",
} as const;

/** A refused move: beside the address when the shell says it was the address
 * (not one, nobody answers there, the service there does not know this
 * laptop) — in the user's language when the shell names the refusal, else
 * with the shell's words — and in the form's alert otherwise. */
export function moveRefusal(e: CommandError): { problem: Problem } | { failure: CommandError } {
  const field = e.code === "invalid" ? e.fields?.find((f) => f.field === "server") : undefined;
  if (!field) return { failure: e };
  const known = Object.hasOwn(REFUSALS, field.message) ? REFUSALS[field.message as keyof typeof REFUSALS] : undefined;
  return { problem: known ? problem(known) : problem("settings.service.err.refused", { reason: field.message }) };
}
