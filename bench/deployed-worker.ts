import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { unstable_readConfig } from "wrangler";
import { REPO_ROOT, S3 } from "../stack/src/local.ts";

/**
 * The worker as `wrangler deploy` would ship it (the same esbuild bundle), run in workerd
 * through Miniflare with no dev proxy in front: what production's per-request path
 * looks like, as near as this machine gets.
 */
export async function startDeployedWorker(port: number): Promise<{ url: string; dispose: () => Promise<void> }> {
  const outdir = join(REPO_ROOT, ".data", "bench", "worker-bundle");
  execFileSync(join(REPO_ROOT, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", outdir], {
    cwd: REPO_ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    stdio: "ignore",
  });
  const config = unstable_readConfig({ config: join(REPO_ROOT, "wrangler.toml") });
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(outdir, "index.js"),
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags,
    bindings: {
      ...(config.vars as Record<string, string>),
      S3_ACCESS_KEY_ID: S3.accessKeyId,
      S3_SECRET_ACCESS_KEY: S3.secretAccessKey,
      DATABASE_URL: "postgres://unused-by-ingest@127.0.0.1:1/none",
      SESSION_SECRET: "bench",
      // Sealing is part of each bronze write in production.
      BRONZE_SEAL_KEY: "bench",
    },
    host: "127.0.0.1",
    port,
  });
  const url = await mf.ready;
  return { url: url.href.replace(/\/$/, ""), dispose: () => mf.dispose() };
}
