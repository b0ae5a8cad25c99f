import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";
import { clientAddress } from "../auth/client-address.ts";
import { tryAgainLater } from "./errors.ts";

/** The period of the WRITES_PER_* limits in wrangler.jsonc: a refused caller waits at most this long. */
export const WRITE_LIMIT_PERIOD_SECONDS = 60;

/**
 * Limits writes per caller with the Workers Rate Limiting bindings: a signed-in caller by username
 * (WRITES_PER_SESSION), an anonymous one by client address (WRITES_PER_CLIENT), so that learners
 * who share an address (a school's) and sign in never share a budget. Checked before the body is
 * read, so a refused request costs next to nothing. Past the limit: 429 with Retry-After, which
 * the event SDK waits out before it sends the batch again.
 */
export const writeLimit = createMiddleware<AppEnv>(async (c, next) => {
  const user = c.get("user");
  const { success } = user
    ? await c.env.WRITES_PER_SESSION.limit({ key: user.username })
    : await c.env.WRITES_PER_CLIENT.limit({ key: clientAddress(c.req.raw) });
  if (!success) {
    const error = `too many writes from this ${user ? "account" : "address"}; wait ${WRITE_LIMIT_PERIOD_SECONDS} s`;
    return tryAgainLater(c, 429, error, WRITE_LIMIT_PERIOD_SECONDS);
  }
  await next();
});

/** The period of EXPORTS_PER_ACCOUNT in wrangler.jsonc. */
export const EXPORT_LIMIT_PERIOD_SECONDS = 60;

/**
 * Counts a download of one's own data against the account's limit (EXPORTS_PER_ACCOUNT), since
 * each export reads every file holding the learner's events; a person needs a few a minute at
 * most. Returns the 429 to answer past it (with Retry-After), else null.
 */
export async function exportLimit(c: Context<AppEnv>, username: string): Promise<Response | null> {
  const { success } = await c.env.EXPORTS_PER_ACCOUNT.limit({ key: username });
  if (success) return null;
  const error = `too many exports from this account; wait ${EXPORT_LIMIT_PERIOD_SECONDS} s`;
  return tryAgainLater(c, 429, error, EXPORT_LIMIT_PERIOD_SECONDS);
}
