import { defineConfig } from "vitest/config";

// `npm test` runs every project: the contract's unit tests, the worker inside workerd,
// the SPA's event SDK, the local stack against real servers, then the browser
// end-to-end tests (after the stack's, as both use the fixed local ports).
export default defineConfig({
  test: {
    projects: ["contract", "worker", "web", "stack", "etl", "e2e"],
  },
});
