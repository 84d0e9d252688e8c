// The contract test's half in TypeScript (run by scripts/contract-test, with
// the service it started): an operation built from the types generated from
// the service's OpenAPI document is pushed to it and accepted.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { environment: "node", include: ["src/api/*.contract.ts"] },
});
