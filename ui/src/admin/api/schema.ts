/**
 * The console's vocabulary: every request and answer type is the service's own,
 * generated from its /openapi.json into `src/api/openapi.ts`. Nothing here is
 * written by hand but the names.
 */
import type { components, paths } from "../../api/openapi";

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
export type OrgInfo = S["OrgInfo"];
export type NewOrgRequest = S["NewOrgRequest"];
export type CaseConflicts = S["CaseConflicts"];
export type Conflict = S["Conflict"];
export type ConflictValue = S["ConflictValue"];
export type FieldKey = S["FieldKey"];
export type SettleRequest = S["SettleRequest"];
export type SettleResult = S["SettleResult"];
export type ErrorBody = S["ErrorBody"];
export type ErrorCode = S["ErrorCode"];
export type Refusal = S["Refusal"];

export type { paths };
