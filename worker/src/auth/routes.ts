import { type Account, hashPassword, verifyPassword } from "@growit/contract";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { recordServerEvent } from "../bronze/server-events.ts";
import { sqlState } from "../db/client.ts";
import { parseBody } from "../http/validate.ts";
import { ACCOUNT_COLUMNS, checkInterests, FULL_NAME, INTERESTS, PASSWORD, USERNAME } from "./accounts.ts";
import { endSession, startSession } from "./session.ts";
import { clearLoginFailures, loginRetryAfter, recordLoginFailure } from "./throttle.ts";

const SignUp = z.object({
  username: USERNAME,
  password: PASSWORD,
  full_name: FULL_NAME,
  interests: INTERESTS.default([]),
});
const LogIn = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });

// Verifying against this when the user does not exist keeps both failures equally slow.
const UNKNOWN_USER_HASH = hashPassword("an account that does not exist");
const UNIQUE_VIOLATION = "23505";

/** The client a throttle counts against: the address Cloudflare (or wrangler dev) saw. */
const clientOf = (request: Request) => request.headers.get("cf-connecting-ip") ?? "unknown";

export const authRoutes = new Hono<AppEnv>()
  .post("/signup", async (c) => {
    const form = await parseBody(c.req.raw, SignUp);
    const db = c.get("db");
    await checkInterests(db, form.interests);
    const passwordHash = await hashPassword(form.password);
    let account: Account | undefined;
    try {
      [account] = await db.query<Account>(
        `INSERT INTO app.users (username, password_hash, full_name, interests, role)
         VALUES ($1, $2, $3, $4, 'learner') RETURNING ${ACCOUNT_COLUMNS}`,
        [form.username, passwordHash, form.full_name, form.interests],
      );
    } catch (error) {
      if (sqlState(error) === UNIQUE_VIOLATION)
        throw new HTTPException(409, { message: `username ${form.username} is taken` });
      throw error;
    }
    if (!account) throw new Error(`signup of ${form.username} returned no row`);
    await startSession(c, { username: account.username, role: account.role });
    await recordServerEvent(c.env, "signup", {}, account.username);
    return c.json(account, 201);
  })
  .post("/login", async (c) => {
    const { username, password } = await parseBody(c.req.raw, LogIn);
    const db = c.get("db");
    const client = clientOf(c.req.raw);
    const retryAfter = await loginRetryAfter(db, username, client);
    if (retryAfter > 0) {
      await recordServerEvent(c.env, "login_failed", { reason: "throttled" }, null);
      return c.json({ error: `too many failed logins; try again in ${retryAfter} s` }, 429, {
        "Retry-After": String(retryAfter),
      });
    }
    const [row] = await db.query<Account & { password_hash: string }>(
      `SELECT ${ACCOUNT_COLUMNS}, password_hash FROM app.users WHERE username = $1`,
      [username],
    );
    const ok = await verifyPassword(password, row?.password_hash ?? (await UNKNOWN_USER_HASH));
    if (!row || !ok) {
      await recordLoginFailure(db, username, client);
      // Only a real account's name goes into the event, so typos do not become mart users.
      await recordServerEvent(
        c.env,
        "login_failed",
        { reason: row ? "wrong_password" : "unknown_user" },
        row?.username ?? null,
      );
      return c.json({ error: "wrong username or password" }, 401);
    }
    await clearLoginFailures(db, username);
    const { password_hash: _, ...account } = row;
    await startSession(c, { username: account.username, role: account.role });
    await recordServerEvent(c.env, "login", {}, account.username);
    return c.json(account);
  })
  .post("/logout", async (c) => {
    const user = c.get("user");
    endSession(c);
    if (user) await recordServerEvent(c.env, "logout", {}, user.username);
    return c.json({ ok: true });
  });
