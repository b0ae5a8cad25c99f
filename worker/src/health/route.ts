import { S3 } from "@growit/contract";
import { Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import { openDb } from "../db/client.ts";
import { s3ConfigFromEnv } from "../storage/s3.ts";

interface Check {
  ok: boolean;
  ms: number;
  error?: string;
}

const CHECK_TIMEOUT_MS = 3_000;

async function timed(work: () => Promise<unknown>): Promise<Check> {
  const started = Date.now();
  let timer: number | null = null;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([work(), timeout]);
    return { ok: true, ms: Date.now() - started };
  } catch (error) {
    // DatabaseUnavailable wraps the driver's error; the health check shows the underlying one.
    const reason = (error as Error).cause ?? error;
    return { ok: false, ms: Date.now() - started, error: (reason as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** `GET /api/health`: the worker answers, and so do S3 and Postgres (503 naming whichever does not). */
export const healthRoute = new Hono<AppEnv>().get("/", async (c) => {
  const [s3, postgres] = await Promise.all([
    timed(() => new S3(s3ConfigFromEnv(c.env), { attempts: 1, baseDelayMs: 0, timeoutMs: CHECK_TIMEOUT_MS }).ping()),
    timed(async () => {
      const db = openDb(c.env);
      try {
        await db.query("select 1");
      } finally {
        await db.close();
      }
    }),
  ]);
  const failing = Object.entries({ s3, postgres })
    .filter(([, check]) => !check.ok)
    .map(([name]) => name);
  const body = { status: failing.length ? `unavailable: ${failing.join(", ")}` : "ok", checks: { s3, postgres } };
  return c.json(body, failing.length ? 503 : 200);
});
