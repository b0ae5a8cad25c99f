import { Account } from "@growit/contract";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { ACCOUNT_COLUMNS, checkInterests, FULL_NAME, findAccount, INTERESTS } from "../auth/accounts.ts";
import { liveUser } from "../auth/session.ts";
import { writeLimit } from "../http/rate-limit.ts";
import { json, later, refused } from "../http/responses.ts";
import { jsonBody } from "../http/validate.ts";
import { meExportRoute } from "./export.ts";

const Patch = z
  .object({ full_name: FULL_NAME.optional(), interests: INTERESTS.optional() })
  .refine((patch) => patch.full_name !== undefined || patch.interests !== undefined, "give full_name or interests");

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

export const meRoutes = new Hono<AppEnv>()
  .get("/", getDoc, async (c) => {
    const account = await findAccount(c.get("db"), (await liveUser(c)).username);
    if (!account) throw gone();
    return c.json(account, 200);
  })
  .patch("/", patchDoc, writeLimit, jsonBody(Patch), async (c) => {
    const { username } = await liveUser(c);
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
  .route("/export", meExportRoute);
