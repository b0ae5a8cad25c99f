import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

// The stack tests bind the fixed local ports (9000, 5433, 5480, 8787) or
// neighbours of them, so test files must not run in parallel.
// Real-Postgres tests need TEST_DATABASE_URL (a role that may CREATE DATABASE).
export default defineProject({
  root: fileURLToPath(new URL(".", import.meta.url)),
  test: {
    name: "stack",
    environment: "node",
    include: ["src/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
