import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

// Integration tests run against a real s3rver (port 9020) and a scratch database on the real
// PostgreSQL named by TEST_DATABASE_URL, both from test/global-setup.ts. Files share them, so
// they run one at a time.
export default defineProject({
  root: fileURLToPath(new URL(".", import.meta.url)),
  test: {
    name: "etl",
    environment: "node",
    include: ["src/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
