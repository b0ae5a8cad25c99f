import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineProject } from "vitest/config";
import { SELF_BUCKET } from "./test/self-bucket.ts";

export default defineProject({
  plugins: [
    // Bindings from the global setups' real servers, so that a request through the worker's real
    // entry point (SELF) reaches real S3 and Postgres.
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: "../wrangler.jsonc" },
      miniflare: {
        bindings: {
          S3_ENDPOINT: inject("s3WireEndpoint"),
          S3_BUCKET: SELF_BUCKET,
          S3_ACCESS_KEY_ID: "S3RVER",
          S3_SECRET_ACCESS_KEY: "S3RVER",
          DATABASE_URL: inject("selfDatabaseUrl"),
          NEON_WS_PROXY: inject("neonWsProxy"),
          SESSION_SECRET: "test-secret-of-at-least-thirty-two-bytes",
          BRONZE_SEAL_KEY: "test-seal-key",
        },
      },
    })),
  ],
  test: {
    name: "worker",
    include: ["src/**/*.test.ts"],
    globalSetup: ["test/s3-global-setup.ts", "test/postgres-global-setup.ts"],
    // Most tests go through workerd to real S3 and Postgres; beside the rest of `npm test` on a
    // small machine, vitest's default of 5 s cuts some short.
    testTimeout: 30_000,
  },
});
