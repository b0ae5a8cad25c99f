import { Account, ERASURE, ErasureRequested, verifyPassword } from "@growit/contract";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { ACCOUNT_COLUMNS, checkInterests, FULL_NAME, findAccount, INTERESTS } from "../auth/accounts.ts";
import { clientAddress } from "../auth/client-address.ts";
import { admitLogin, loginSucceeded, tooMany } from "../auth/limits.ts";
import { confirmedUser, endSession, liveUser, requireLiveUser } from "../auth/session.ts";
import { writeLimit } from "../http/rate-limit.ts";
import { json, later, refused } from "../http/responses.ts";
import { jsonBody } from "../http/validate.ts";
import { meExportRoute } from "./export.ts";

const Patch = z
  .object({ full_name: FULL_NAME.optional(), interests: INTERESTS.optional() })
  .refine((patch) => patch.full_name !== undefined || patch.interests !== undefined, "give full_name or interests");

const Erase = z.object({ password: z.string().min(1).max(256) });

const gone = () => new HTTPException(401, { message: "this account no longer exists" });

const signedOut = refused("no live session, or the account no longer exists");
const getDoc = describeRoute({
  summary: "The signed-in account",
  tags: ["account"],
  responses: { 200: json("the account", Account), 401: signedOut },
});
const patchDoc = describeRoute({
  summary: "Changes the signed-in account's name or interests",
  tags: ["account"],
  responses: {
    200: json("the account as changed", Account),
    400: refused("a field is invalid, or an interest is no category"),
    401: signedOut,
    429: later("too many writes from this caller"),
  },
});

const deleteDoc = describeRoute({
  summary: "Deletes the signed-in account, ends its sessions and requests the erasure of its data",
  tags: ["account"],
  responses: {
    202: json("the account is deleted; the ETL erases its data by complete_by", ErasureRequested),
    400: refused("no password given"),
    401: signedOut,
    403: refused("the password is wrong; nothing was deleted"),
    429: later("too many wrong passwords, or writes, from this caller"),
  },
});

/**
 * Deletes the account with its sessions (they cascade) and its login throttles, and records the
 * erasure request, in one statement: a request is recorded exactly when its account is gone.
 */
const ERASE_ACCOUNT = `WITH account AS (DELETE FROM app.users WHERE username = $1 RETURNING username, created_at),
  counters AS (DELETE FROM app.attempt_counters WHERE key::jsonb ? $1)
  INSERT INTO app.erasures (username, account_created_at) SELECT username, created_at FROM account
  RETURNING requested_at`;

// requireLiveUser sets the caller before the body is read, so a signed-out caller gets 401 whatever it sends.
export const meRoutes = new Hono<AppEnv>()
  .get("/", getDoc, async (c) => {
    const account = await findAccount(c.get("db"), (await liveUser(c)).username);
    if (!account) throw gone();
    return c.json(account, 200);
  })
  .patch("/", patchDoc, writeLimit, requireLiveUser, jsonBody(Patch), async (c) => {
    const { username } = confirmedUser(c);
    const patch = c.req.valid("json");
    const db = c.get("db");
    if (patch.interests) await checkInterests(db, patch.interests);
    const [account] = await db.query<Account>(
      `UPDATE app.users SET full_name = coalesce($2, full_name), interests = coalesce($3, interests)
        WHERE username = $1 RETURNING ${ACCOUNT_COLUMNS}`,
      [username, patch.full_name ?? null, patch.interests ?? null],
    );
    if (!account) throw gone();
    return c.json(account, 200);
  })
  .delete("/", deleteDoc, writeLimit, requireLiveUser, jsonBody(Erase), async (c) => {
    const { username } = confirmedUser(c);
    const { password } = c.req.valid("json");
    const db = c.get("db");
    // The password is re-entered under the login throttles, so a stolen session cannot guess it.
    const client = clientAddress(c.req.raw);
    const retryAfter = await admitLogin(db, username, client);
    if (retryAfter > 0) return tooMany(c, "wrong passwords", retryAfter);
    const [row] = await db.query<{ password_hash: string }>("SELECT password_hash FROM app.users WHERE username = $1", [
      username,
    ]);
    if (!row) throw gone();
    if (!(await verifyPassword(password, row.password_hash))) {
      throw new HTTPException(403, { message: "the password is wrong; the account was not deleted" });
    }
    await loginSucceeded(db, username, client);
    const [erasure] = await db.query<{ requested_at: string }>(ERASE_ACCOUNT, [username]);
    if (!erasure) throw gone();
    await endSession(c);
    const requestedAt = new Date(erasure.requested_at);
    const completeBy = new Date(requestedAt.getTime() + ERASURE.erasureDueHours * 3_600_000);
    return c.json(
      { status: "pending", requested_at: requestedAt.toISOString(), complete_by: completeBy.toISOString() } as const,
      202,
    );
  })
  .route("/export", meExportRoute);
