import { createContext, useContext } from "react";
import type { Client } from "./api/client";
import type { ConsoleSession } from "./api/schema";

export interface SessionContext {
  session: ConsoleSession;
  client: Client;
  /** A sync administrator may change things; a supervisor reads, and settles conflicts. */
  canManage: boolean;
}

export const Session = createContext<SessionContext | null>(null);

export function useSession(): SessionContext {
  const s = useContext(Session);
  if (!s) throw new Error("useSession outside a signed-in console");
  return s;
}
