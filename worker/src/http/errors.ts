import type { RetryLater } from "@growit/contract";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { logError, requestFields } from "../log.ts";

/** A 429 or 503 to wait out: the body's `retry_after` says what `Retry-After` says. */
export const tryAgainLater = <S extends 429 | 503>(c: Context, status: S, error: string, seconds: number) => {
  const body: RetryLater = { error, retryable: true, retry_after: seconds };
  return c.json(body, status, { "Retry-After": String(seconds) });
};

/** 503 for a dependency that failed: the client keeps what it sent and retries later. */
export const retryLater = (c: Context, error: string, retryAfterSeconds = 1) =>
  tryAgainLater(c, 503, error, retryAfterSeconds);

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
