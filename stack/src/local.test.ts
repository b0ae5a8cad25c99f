import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  dataDir,
  EMBEDDED_PG,
  NEON_RELAY,
  pgDataDir,
  postgresTarget,
  REPO_ROOT,
  S3,
  s3DataDir,
  WORKER,
  wranglerDev,
} from "./local.ts";

describe("local addresses", () => {
  it("match the README's", () => {
    expect(S3.endpoint).toBe("http://127.0.0.1:9000");
    expect(S3.bucket).toBe("growit");
    expect([S3.accessKeyId, S3.secretAccessKey, S3.region]).toEqual(["S3RVER", "S3RVER", "us-east-1"]);
    expect(EMBEDDED_PG.url).toBe("postgres://postgres@127.0.0.1:5433/postgres");
    expect(NEON_RELAY.address).toBe("127.0.0.1:5480");
    expect(WORKER.url).toBe("http://127.0.0.1:8787");
  });

  it("keeps data under .data/ unless GROWIT_DATA_DIR is set", () => {
    expect(dataDir({})).toBe(join(REPO_ROOT, ".data"));
    expect(dataDir({ GROWIT_DATA_DIR: "/tmp/x" })).toBe("/tmp/x");
    expect(s3DataDir({ GROWIT_DATA_DIR: "/tmp/x" })).toBe("/tmp/x/s3");
    expect(pgDataDir({ GROWIT_DATA_DIR: "/tmp/x" })).toBe("/tmp/x/pg");
  });

  it("parses a Postgres target", () => {
    expect(postgresTarget("postgres://u:p@db.example:6543/x")).toEqual({ host: "db.example", port: 6543 });
    expect(postgresTarget("postgresql://u@localhost/x")).toEqual({ host: "localhost", port: 5432 });
  });

  it("runs wrangler dev on the address asked for, with the cron route and without telemetry", () => {
    const spec = wranglerDev("127.0.0.1", 8797, ["--env-file", "/tmp/worker.env"]);
    expect(spec.args).toEqual([
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      "8797",
      "--test-scheduled",
      "--show-interactive-dev-session=false",
      "--env-file",
      "/tmp/worker.env",
    ]);
    expect([spec.command, spec.cwd]).toEqual([join(REPO_ROOT, "node_modules/.bin/wrangler"), REPO_ROOT]);
    expect([spec.env?.WRANGLER_SEND_METRICS, spec.env?.CLOUDFLARE_CF_FETCH_ENABLED]).toEqual(["false", "false"]);
  });
});
