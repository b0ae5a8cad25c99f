import type { Account } from "@growit/contract";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { ACCOUNT_COLUMNS, checkInterests, FULL_NAME, findAccount, INTERESTS } from "../auth/accounts.ts";
import { liveUser } from "../auth/session.ts";
import { writeLimit } from "../http/rate-limit.ts";
import { parseBody } from "../http/validate.ts";

const Patch = z
  .object({ full_name: FULL_NAME.optional(), interests: INTERESTS.optional() })
  .refine((patch) => patch.full_name !== undefined || patch.interests !== undefined, "give full_name or interests");

const gone = () => new HTTPException(401, { message: "this account no longer exists" });

export const meRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const account = await findAccount(c.get("db"), (await liveUser(c)).username);
    if (!account) throw gone();
    return c.json(account);
  })
  .patch("/", writeLimit, async (c) => {
    const { username } = await liveUser(c);
    const patch = await parseBody(c.req.raw, Patch);
    const db = c.get("db");
    if (patch.interests) await checkInterests(db, patch.interests);
    const [account] = await db.query<Account>(
      `UPDATE app.users SET full_name = coalesce($2, full_name), interests = coalesce($3, interests)
        WHERE username = $1 RETURNING ${ACCOUNT_COLUMNS}`,
      [username, patch.full_name ?? null, patch.interests ?? null],
    );
    if (!account) throw gone();
    return c.json(account);
  });
