// The per-request script nonce of the Content-Security-Policy (scripts/edge.ts makes it,
// entry.server.tsx provides it). In the browser it is "": browsers hide nonce attributes from
// scripts, and the scripts already running need none.
import { createContext, useContext } from "react";

export const NonceContext = createContext("");

export function useNonce(): string {
  return useContext(NonceContext);
}
