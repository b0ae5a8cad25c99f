import { Account, DECOY_HASH, ERASURE, hashPassword, verifyPassword } from "@growit/contract";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { recordServerEvent } from "../bronze/server-events.ts";
import { type Db, sqlState } from "../db/client.ts";
import { json, later, refused } from "../http/responses.ts";
import { jsonBody } from "../http/validate.ts";
import { ACCOUNT_COLUMNS, checkInterests, FULL_NAME, findAccount, INTERESTS, PASSWORD, USERNAME } from "./accounts.ts";
import { clientAddress } from "./client-address.ts";
import { admitLogin, admitSignup, loginSucceeded, tooMany } from "./limits.ts";
import { endSession, sessionsConfigured, startSession } from "./session.ts";

const SignUp = z.object({
  username: USERNAME,
  password: PASSWORD,
  full_name: FULL_NAME,
  interests: INTERESTS.default([]),
});
const LogIn = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });
const LoggedOut = z.object({ ok: z.literal(true) });

const misconfigured = refused("server misconfiguration: no session can be started");
const signUpDoc = describeRoute({
  summary: "Creates a learner's account and starts its session",
  tags: ["account"],
  responses: {
    201: json("the new account; the session cookie is set", Account),
    400: refused("a field is invalid, or an interest is no category"),
    409: refused("the username is taken, or was erased within the horizon"),
    429: later("too many sign-ups from this address"),
    500: misconfigured,
  },
});
const logInDoc = describeRoute({
  summary: "Starts a session",
  tags: ["account"],
  responses: {
    200: json("the account; the session cookie is set", Account),
    400: refused("a field is missing"),
    401: refused("wrong username or password"),
    429: later("too many failed logins"),
    500: misconfigured,
  },
});
const logOutDoc = describeRoute({
  summary: "Ends the caller's session, on the server too",
  tags: ["account"],
  responses: { 200: json("the session is over and its cookie cleared", LoggedOut) },
});

const UNIQUE_VIOLATION = "23505";

const taken = (username: string) => new HTTPException(409, { message: `username ${username} is taken` });

/**
 * A 409 while `username` was erased within ERASURE.nameBlockedDays: late events naming it may still
 * arrive, and must not be taken for a new account's.
 */
async function refuseErasedName(db: Db, username: string): Promise<void> {
  const [erased] = await db.query<{ free_from: string }>(
    `SELECT max(requested_at) + make_interval(days => $2) AS free_from FROM app.erasures
      WHERE username = $1 HAVING max(requested_at) + make_interval(days => $2) > now()`,
    [username, ERASURE.nameBlockedDays],
  );
  if (erased) {
    const from = new Date(erased.free_from).toISOString();
    throw new HTTPException(409, { message: `username ${username} was erased recently; it can be taken from ${from}` });
  }
}

export const authRoutes = new Hono<AppEnv>()
  .post("/signup", signUpDoc, sessionsConfigured, jsonBody(SignUp), async (c) => {
    const form = c.req.valid("json");
    const db = c.get("db");
    await checkInterests(db, form.interests);
    const retryAfter = await admitSignup(db, clientAddress(c.req.raw));
    if (retryAfter > 0) return tooMany(c, "sign-ups from this address", retryAfter);
    // The key derivation comes last: only a sign-up that can succeed pays for it.
    if (await findAccount(db, form.username)) throw taken(form.username);
    await refuseErasedName(db, form.username);
    const passwordHash = await hashPassword(form.password);
    let account: Account | undefined;
    try {
      [account] = await db.query<Account>(
        `INSERT INTO app.users (username, password_hash, full_name, interests, role)
         VALUES ($1, $2, $3, $4, 'learner') RETURNING ${ACCOUNT_COLUMNS}`,
        [form.username, passwordHash, form.full_name, form.interests],
      );
    } catch (error) {
      // Another sign-up took the name after the check above.
      if (sqlState(error) === UNIQUE_VIOLATION) throw taken(form.username);
      throw error;
    }
    if (!account) throw new Error(`signup of ${form.username} returned no row`);
    await startSession(c, { username: account.username, role: account.role });
    await recordServerEvent(c, "signup", {}, account.username);
    return c.json(account, 201);
  })
  .post("/login", logInDoc, sessionsConfigured, jsonBody(LogIn), async (c) => {
    const { username, password } = c.req.valid("json");
    const db = c.get("db");
    const client = clientAddress(c.req.raw);
    const retryAfter = await admitLogin(db, username, client);
    if (retryAfter > 0) {
      await recordServerEvent(c, "login_failed", { reason: "throttled" }, null);
      return tooMany(c, "failed logins", retryAfter);
    }
    const [row] = await db.query<Account & { password_hash: string }>(
      `SELECT ${ACCOUNT_COLUMNS}, password_hash FROM app.users WHERE username = $1`,
      [username],
    );
    // An unknown username costs the same key derivation as a wrong password, and stays counted.
    const ok = await verifyPassword(password, row?.password_hash ?? DECOY_HASH);
    if (!row || !ok) {
      // Only a real account's name goes into the event, so typos do not become mart users.
      await recordServerEvent(
        c,
        "login_failed",
        { reason: row ? "wrong_password" : "unknown_user" },
        row?.username ?? null,
      );
      return c.json({ error: "wrong username or password" }, 401);
    }
    await loginSucceeded(db, username, client);
    const { password_hash: _, ...account } = row;
    await startSession(c, { username: account.username, role: account.role });
    await recordServerEvent(c, "login", {}, account.username);
    return c.json(account, 200);
  })
  .post("/logout", logOutDoc, async (c) => {
    const user = c.get("user");
    await endSession(c);
    if (user) await recordServerEvent(c, "logout", {}, user.username);
    return c.json({ ok: true } as const, 200);
  });
