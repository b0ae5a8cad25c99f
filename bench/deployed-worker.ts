import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { S3Config } from "@growit/contract";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { type Unstable_Config, unstable_readConfig } from "wrangler";
import { REPO_ROOT } from "../stack/src/local.ts";
import { IN_MEMORY_RATE_LIMIT, type InMemoryRateLimitOptions } from "./in-memory-rate-limit.ts";

/** The plugin's file, which Miniflare imports itself (a path stands for a package name). */
const IN_MEMORY_RATE_LIMIT_PLUGIN = fileURLToPath(new URL("./in-memory-rate-limit.ts", import.meta.url));

/** The bundle's SESSION_SECRET, so that a test can sign the session a browser would carry. */
export const DEPLOYED_SESSION_SECRET = "the deployed test worker's session secret";

export interface DeployedWorkerOptions {
  port: number;
  /** Where the worker stores bronze. */
  s3: S3Config;
  /** Where `wrangler deploy --dry-run` writes the bundle. */
  bundleDir: string;
  /** BRONZE_SEAL_KEY: sealing is part of each bronze write in production. */
  sealKey: string;
  /** A Postgres and the Neon relay to it (NEON_WS_PROXY), for more than ingestion. */
  database?: { url: string; wsProxy: string };
  /** Receives what workerd prints (logs, uncaught errors) instead of this process's stdout and stderr. */
  onOutput?: (text: string) => void;
}

/**
 * The worker as `wrangler deploy` would ship it (the same esbuild bundle), run in workerd
 * through Miniflare and reached on a socket of its own, with no dev proxy or entry worker in
 * front: what production's per-request path looks like, as near as this machine gets. Without
 * `database` it has no Postgres: enough for ingestion.
 */
export async function startDeployedWorker(
  options: DeployedWorkerOptions,
): Promise<{ url: string; dispose: () => Promise<void> }> {
  const { bundleDir, s3, database, onOutput } = options;
  execFileSync(join(REPO_ROOT, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", bundleDir], {
    cwd: REPO_ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    stdio: "ignore",
  });
  const config = unstable_readConfig({ config: join(REPO_ROOT, "wrangler.jsonc") });
  // Miniflare 5 takes its options in a new shape; these are in v4's, which it converts as they
  // were meant (e.g. no dev registry), as the Workers Vitest integration does.
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      scriptPath: join(bundleDir, "index.js"),
      // Module names are paths from here: the bundle may be outside the working directory.
      modulesRoot: bundleDir,
      compatibilityDate: config.compatibility_date,
      compatibilityFlags: config.compatibility_flags,
      // The write limits as wrangler.jsonc sets them, so the bundle checks every write as deployed;
      // counted in memory in the worker's isolate rather than by Miniflare 5's Durable Object on
      // disk, which costs more per request than the worker (see in-memory-rate-limit.ts).
      unsafeBindings: config.ratelimits.map(
        ({ name, namespace_id, simple }: Unstable_Config["ratelimits"][number]) => ({
          name,
          type: IN_MEMORY_RATE_LIMIT,
          plugin: { package: IN_MEMORY_RATE_LIMIT_PLUGIN, name: IN_MEMORY_RATE_LIMIT },
          options: {
            namespace: namespace_id,
            limit: simple.limit,
            period: simple.period,
          } satisfies InMemoryRateLimitOptions,
        }),
      ),
      bindings: {
        ...(config.vars as Record<string, string>),
        S3_ENDPOINT: s3.endpoint,
        S3_REGION: s3.region,
        S3_BUCKET: s3.bucket,
        S3_ACCESS_KEY_ID: s3.accessKeyId,
        S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        DATABASE_URL: database?.url ?? "postgres://unused-by-ingest@127.0.0.1:1/none",
        ...(database ? { NEON_WS_PROXY: database.wsProxy } : {}),
        SESSION_SECRET: DEPLOYED_SESSION_SECRET,
        BRONZE_SEAL_KEY: options.sealKey,
      },
      // Requests reach the worker's own socket, as on Cloudflare, not Miniflare's entry worker,
      // a second isolate in front that serves local development (it cost the bundle about a
      // third of its CPU per request). The entry's own socket is left on any free port.
      host: "127.0.0.1",
      port: 0,
      unsafeDirectSockets: [{ host: "127.0.0.1", port: options.port }],
      // What workerd prints (console output, uncaught errors) comes as one structured log a line.
      ...(onOutput && { handleStructuredLogs: ({ message }) => onOutput(`${message}\n`) }),
    }),
  );
  await mf.ready;
  const url = await mf.unsafeGetDirectURL();
  return { url: url.href.replace(/\/$/, ""), dispose: () => mf.dispose() };
}
