// The worker's log lines are objects, not built strings: Workers Logs indexes each field of an
// object logged alone (msg, route, key, error, …), so lines can be filtered and grouped by them.
import type { Context } from "hono";
import { routePath } from "hono/route";

type LogFields = Record<string, unknown>;

/** The message of a thrown value, which need not be an Error (a WebSocket's ErrorEvent has one too). */
const errorMessage = (error: unknown): string =>
  typeof error === "object" && error !== null && "message" in error ? String(error.message) : String(error);

/**
 * Which request a line is about: `route` as registered (e.g. `GET /api/exports/:key{.+}`, few distinct
 * values to group by) and the `path` asked for.
 */
export const requestFields = (c: Context): LogFields => ({
  // The last route matched is the handler's; the ones before it, middleware's.
  route: `${c.req.method} ${routePath(c, -1)}`,
  path: c.req.path,
});

export function logInfo(msg: string, fields: LogFields = {}): void {
  console.log({ msg, ...fields });
}

/** `error` becomes the line's `error` field, its message. */
export function logError(msg: string, error: unknown, fields: LogFields = {}): void {
  console.error({ msg, ...fields, error: errorMessage(error) });
}
