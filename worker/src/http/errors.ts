import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";

/** 503 for a dependency that failed: the client keeps what it sent and retries later. */
export const retryLater = (c: Context, error: string, retryAfterSeconds = 1) =>
  c.json({ error, retryable: true }, 503, { "Retry-After": String(retryAfterSeconds) });

/** Every error leaves as JSON; an unexpected one as a bare 500 with no internals. */
export function errorResponse(error: Error, c: Context): Response {
  if (error instanceof HTTPException) {
    if (error.status !== 503) return c.json({ error: error.message }, error.status);
    console.error(`${c.req.method} ${c.req.path}: ${error.message}:`, (error.cause as Error | undefined)?.message);
    return retryLater(c, error.message);
  }
  console.error(`${c.req.method} ${c.req.path}: unexpected error:`, error);
  return c.json({ error: "internal error" }, 500);
}
