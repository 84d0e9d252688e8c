export type * from "./case";
export type * from "./commands";
export type * from "./error";
export type * from "./json";
export type * from "./screening";
export type * from "./session";
export type * from "./sync";
