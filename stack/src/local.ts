// The fixed local addresses and defaults of the embedded stack (moved together by
// GROWIT_STACK_PORT_OFFSET). Tests, scripts and the README ("Run it") rely on these values.
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ChildSpec } from "./children.ts";

export const LOCAL_HOST = "127.0.0.1";

/**
 * GROWIT_STACK_PORT_OFFSET (default 0) moves every port below, so that a benchmark or an e2e
 * test can run its own stack beside another checkout's on one machine.
 */
const OFFSET = Number(process.env.GROWIT_STACK_PORT_OFFSET ?? 0);
const S3_PORT = 9000 + OFFSET;
const PG_PORT = 5433 + OFFSET;
const RELAY_PORT = 5480 + OFFSET;
const WORKER_PORT = 8787 + OFFSET;

/** The repository root (this file lives in stack/src/). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export const S3 = {
  host: LOCAL_HOST,
  port: S3_PORT,
  endpoint: `http://${LOCAL_HOST}:${S3_PORT}`,
  bucket: "growit",
  accessKeyId: "S3RVER",
  secretAccessKey: "S3RVER",
  region: "us-east-1",
} as const;

export const EMBEDDED_PG = {
  host: LOCAL_HOST,
  port: PG_PORT,
  url: `postgres://postgres@${LOCAL_HOST}:${PG_PORT}/postgres`,
} as const;

export const NEON_RELAY = {
  host: LOCAL_HOST,
  port: RELAY_PORT,
  /** Where it listens (host:port, no scheme); NEON_WS_PROXY adds the secret of each start. */
  address: `${LOCAL_HOST}:${RELAY_PORT}`,
} as const;

export const WORKER = {
  host: LOCAL_HOST,
  port: WORKER_PORT,
  url: `http://${LOCAL_HOST}:${WORKER_PORT}`,
  healthUrl: `http://${LOCAL_HOST}:${WORKER_PORT}/api/health`,
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
