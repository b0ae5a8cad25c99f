import { S3 } from "@growit/contract";
import { type Context, Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { openDb } from "../db/client.ts";
import { json } from "../http/responses.ts";
import { logError, requestFields } from "../log.ts";
import { s3ConfigFromEnv } from "../storage/s3.ts";

/** What anyone may learn of a check: whether it passed and how long it took, never why it failed. */
const Check = z.object({ ok: z.boolean(), ms: z.number() });
type Check = z.infer<typeof Check>;

const CHECK_TIMEOUT_MS = 3_000;

const Health = z.object({
  status: z.string().describe('"ok", or "unavailable: " and the parts that fail'),
  checks: z.object({ s3: Check, postgres: Check }),
});
const healthDoc = describeRoute({
  summary: "Whether the worker, S3 and Postgres answer",
  tags: ["operations"],
  responses: { 200: json("all answer", Health), 503: json("some part does not answer", Health) },
});

/** Runs the check `name` of the request `c` answers. */
async function timed(c: Context, name: string, work: () => Promise<unknown>): Promise<Check> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([work(), timeout]);
    return { ok: true, ms: Date.now() - started };
  } catch (error) {
    // The reason names endpoints, buckets and hosts: it goes to the operator's log only.
    // DatabaseUnavailable wraps the driver's error; the underlying one says more.
    const reason = (error as Error).cause ?? error;
    logError("health check failed", reason, { ...requestFields(c), check: name });
    return { ok: false, ms: Date.now() - started };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/**
 * `GET /api/health`: the worker answers, and so do S3 and Postgres (503 naming whichever does
 * not). Anyone may call it, so it says which part failed and nothing about where that part is.
 */
export const healthRoute = new Hono<AppEnv>().get("/", healthDoc, async (c) => {
  const [s3, postgres] = await Promise.all([
    timed(c, "s3", () =>
      new S3(s3ConfigFromEnv(c.env), { attempts: 1, baseDelayMs: 0, timeoutMs: CHECK_TIMEOUT_MS }).ping(),
    ),
    timed(c, "postgres", async () => {
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
