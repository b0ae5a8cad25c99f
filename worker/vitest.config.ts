import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineProject } from "vitest/config";

export default defineProject({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "../wrangler.toml" },
      miniflare: {
        bindings: {
          S3_ACCESS_KEY_ID: "S3RVER",
          S3_SECRET_ACCESS_KEY: "S3RVER",
          DATABASE_URL: "postgres://postgres@127.0.0.1:1/postgres",
          SESSION_SECRET: "test-secret",
          BRONZE_SEAL_KEY: "test-seal-key",
        },
      },
    }),
  ],
  test: {
    name: "worker",
    include: ["src/**/*.test.ts"],
    globalSetup: ["test/s3-global-setup.ts", "test/postgres-global-setup.ts"],
  },
});
