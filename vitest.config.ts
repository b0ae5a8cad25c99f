import { defineConfig } from "vitest/config";

// `npm test` runs every project: the contract's unit tests, the worker inside workerd,
// the local stack against real servers.
export default defineConfig({
  test: {
    projects: ["contract", "worker", "stack"],
  },
});
