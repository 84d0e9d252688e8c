/**
 * The console's vocabulary: every request and answer type is the service's own,
 * generated from its /openapi.json into `src/api/openapi.ts`. Nothing here is
 * written by hand but the names.
 */
import type { components, paths } from "../../api/openapi";
import type { Conflict, ConflictValue, FieldKey } from "../../bindings";

type S = components["schemas"];

export type ConsoleSignIn = S["ConsoleSignIn"];
export type ConsoleSession = S["ConsoleSession"];
export type Overview = S["Overview"];
export type DeviceCounts = S["DeviceCounts"];
export type Problem = S["Problem"];
export type DeviceInfo = S["DeviceInfo"];
export type DeviceState = S["DeviceState"];
export type DeviceDetail = S["DeviceDetail"];
export type AuditEntry = S["AuditEntry"];
export type CodeInfo = S["CodeInfo"];
export type IssuedCode = S["IssuedCode"];
export type NewCodeRequest = S["NewCodeRequest"];
export type UserInfo = S["UserInfo"];
export type NewUserRequest = S["NewUserRequest"];
export type UserChange = S["UserChange"];
/** A role, as the service's requests take it. */
export type Role = NewCodeRequest["role"];
export type OrgInfo = S["OrgInfo"];
export type NewOrgRequest = S["NewOrgRequest"];
/**
 * The document gives a case's conflicts (and a settle request's key) as bare
 * objects; their shape is core's `Conflict` and `FieldKey`, generated for the
 * desktop by ts-rs from the same Rust types (`src/bindings`). These two
 * functions are the only places the console reads them as such.
 */
export type CaseConflicts = Omit<S["CaseConflicts"], "conflicts" | "reference"> & { conflicts: Conflict[]; reference: string };
export type { Conflict, ConflictValue, FieldKey };

export function asCaseConflicts(list: S["CaseConflicts"][]): CaseConflicts[] {
  return list.map((c) => ({ ...c, reference: c.reference ?? c.case_id.slice(-8), conflicts: c.conflicts as unknown as Conflict[] }));
}

export function settleRequest(key: FieldKey, keep: ConflictValue["op"]): SettleRequest {
  return { key: key as unknown as SettleRequest["key"], keep };
}
export type SettleRequest = S["SettleRequest"];
export type SettleResult = S["SettleResult"];
export type ErrorBody = S["ErrorBody"];
export type ErrorCode = S["ErrorCode"];
export type Refusal = S["Refusal"];

export type { paths };
