import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { logError, requestFields } from "../log.ts";

/** 503 for a dependency that failed: the client keeps what it sent and retries later. */
export const retryLater = (c: Context, error: string, retryAfterSeconds = 1) =>
  c.json({ error, retryable: true }, 503, { "Retry-After": String(retryAfterSeconds) });

/** The deployment is set up wrong (e.g. a weak secret): a 500 whose text says so, for whoever runs it. */
export const misconfigured = (problem: string) =>
  new HTTPException(500, { message: `server misconfiguration: ${problem}` });

/** Every error leaves as JSON; an unexpected one as a bare 500 with no internals. */
export function errorResponse(error: Error, c: Context): Response {
  if (error instanceof HTTPException) {
    if (error.status < 500) return c.json({ error: error.message }, error.status);
    const cause = (error.cause as Error | undefined)?.message;
    logError("request failed", error, { ...requestFields(c), status: error.status, ...(cause ? { cause } : {}) });
    return error.status === 503 ? retryLater(c, error.message) : c.json({ error: error.message }, error.status);
  }
  logError("unexpected error", error, { ...requestFields(c), stack: error.stack });
  return c.json({ error: "internal error" }, 500);
}
