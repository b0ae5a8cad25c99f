// The fixed local addresses and defaults of the embedded stack. Tests, scripts and the README
// ("Run it") rely on these values.
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ChildSpec } from "./children.ts";

export const LOCAL_HOST = "127.0.0.1";

/** The repository root (this file lives in stack/src/). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export const S3 = {
  host: LOCAL_HOST,
  port: 9000,
  endpoint: `http://${LOCAL_HOST}:9000`,
  bucket: "growit",
  accessKeyId: "S3RVER",
  secretAccessKey: "S3RVER",
  region: "us-east-1",
} as const;

export const EMBEDDED_PG = {
  host: LOCAL_HOST,
  port: 5433,
  url: `postgres://postgres@${LOCAL_HOST}:5433/postgres`,
} as const;

export const NEON_RELAY = {
  host: LOCAL_HOST,
  port: 5480,
  /** Where it listens (host:port, no scheme); NEON_WS_PROXY adds the secret of each start. */
  address: `${LOCAL_HOST}:5480`,
} as const;

export const WORKER = {
  host: LOCAL_HOST,
  port: 8787,
  url: `http://${LOCAL_HOST}:8787`,
  healthUrl: `http://${LOCAL_HOST}:8787/api/health`,
} as const;

/**
 * `wrangler dev` serving the worker on `host:port`, with the route that fires its crons
 * (`--test-scheduled`) and without telemetry; `more` adds flags.
 */
export const wranglerDev = (host: string, port: number, more: string[] = []): ChildSpec => ({
  name: "wrangler dev",
  command: join(REPO_ROOT, "node_modules/.bin/wrangler"),
  args: [
    "dev",
    "--ip",
    host,
    "--port",
    String(port),
    "--test-scheduled",
    "--show-interactive-dev-session=false",
    ...more,
  ],
  cwd: REPO_ROOT,
  env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
});

/** Where local data lives: `.data/` under the repo root, or GROWIT_DATA_DIR. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.GROWIT_DATA_DIR?.trim();
  return override ? resolve(override) : join(REPO_ROOT, ".data");
}

export const s3DataDir = (env: NodeJS.ProcessEnv = process.env): string => join(dataDir(env), "s3");
export const pgDataDir = (env: NodeJS.ProcessEnv = process.env): string => join(dataDir(env), "pg");

/** Host and port a Postgres URL points at (port defaults to 5432). */
export function postgresTarget(databaseUrl: string): { host: string; port: number } {
  const url = new URL(databaseUrl);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!host) throw new Error("DATABASE_URL has no host");
  return { host, port: url.port ? Number(url.port) : 5432 };
}
