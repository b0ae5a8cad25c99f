import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// `npm run test:soak` only: not a project of the root config, so `npm test` never runs it.
export default defineConfig({
  test: {
    name: "soak",
    root: fileURLToPath(new URL(".", import.meta.url)),
    environment: "node",
    include: ["*.test.ts"],
    fileParallelism: false,
    // The load (60 s by default), the drain, the ETL and reading everything back.
    testTimeout: 30 * 60_000,
    hookTimeout: 5 * 60_000,
    teardownTimeout: 2 * 60_000,
  },
});
