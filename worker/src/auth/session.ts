import type { Role } from "@growit/contract";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { sign, verify } from "hono/jwt";
import type { CookieOptions } from "hono/utils/cookie";
import type { AppEnv, SessionUser } from "../app-env.ts";
import type { Db } from "../db/client.ts";
import { misconfigured } from "../http/errors.ts";

export const SESSION_COOKIE = "growit_session";
/** How long a session lasts. */
export const SESSION_TTL_SECONDS = 7 * 24 * 60 * 60;
/** HS256 wants a key at least as long as its hash; a shorter one can be guessed offline from any token. */
const MIN_SESSION_SECRET_BYTES = 32;
const ROLES: readonly Role[] = ["learner", "analyst"];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const isLocalhost = (url: string) => ["localhost", "127.0.0.1", "[::1]"].includes(new URL(url).hostname);
/**
 * The cookie is Secure everywhere but on localhost (browsers keep no Secure cookie from plain
 * http), and a Secure one is `__Host-` prefixed: host-only and for the whole site, so that no
 * subdomain or plain-http page can plant a session. Readers take only the name of their origin.
 */
const cookieOptions = (c: Context<AppEnv>): CookieOptions =>
  isLocalhost(c.req.url) ? { path: "/", secure: false } : { prefix: "host", secure: true };

const strongEnough = (secret: string | undefined) =>
  new TextEncoder().encode(secret ?? "").length >= MIN_SESSION_SECRET_BYTES;

/** The secret to sign sessions with, or a 500 that says why there is none. */
function signingSecret(secret: string | undefined): string {
  if (!secret || !strongEnough(secret)) {
    throw misconfigured(`SESSION_SECRET must be at least ${MIN_SESSION_SECRET_BYTES} bytes, so no session is started`);
  }
  return secret;
}

/** Refuses a sign-up or login before it does any work when no session could be started for it. */
export const sessionsConfigured = createMiddleware<AppEnv>(async (c, next) => {
  signingSecret(c.env.SESSION_SECRET);
  await next();
});

/** Records a session for `user` in Postgres (which logging out deletes) and signs its token. */
export async function createSession(db: Db, secret: string, user: Omit<SessionUser, "sessionId">): Promise<string> {
  const key = signingSecret(secret);
  const sid = crypto.randomUUID();
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + SESSION_TTL_SECONDS;
  await db.query(
    `WITH expired AS (DELETE FROM app.sessions WHERE username = $2 AND expires_at <= now())
     INSERT INTO app.sessions (id, username, expires_at) VALUES ($1, $2, to_timestamp($3))`,
    [sid, user.username, exp],
  );
  return sign({ sub: user.username, role: user.role, sid, iat, exp }, key, "HS256");
}

/** Starts a session for `user`: an HttpOnly, SameSite=Lax cookie holding its token. */
export async function startSession(c: Context<AppEnv>, user: Omit<SessionUser, "sessionId">): Promise<void> {
  const token = await createSession(c.get("db"), c.env.SESSION_SECRET, user);
  setCookie(c, SESSION_COOKIE, token, {
    ...cookieOptions(c),
    httpOnly: true,
    sameSite: "Lax",
    maxAge: SESSION_TTL_SECONDS,
  });
}

/** Revokes the caller's session on the server and clears the cookie. */
export async function endSession(c: Context<AppEnv>): Promise<void> {
  const user = c.get("user");
  if (user?.sessionId) await c.get("db").query("DELETE FROM app.sessions WHERE id = $1", [user.sessionId]);
  deleteCookie(c, SESSION_COOKIE, cookieOptions(c));
}

/**
 * Who a session token says is calling, or null when it is missing, expired, tampered with,
 * malformed, or signed with a secret too short to trust. The signature alone is checked here;
 * `liveUser` also asks Postgres. A token signed before sessions were recorded has no session id.
 */
async function userFromToken(token: string | undefined, secret: string): Promise<SessionUser | null> {
  if (!token || !strongEnough(secret)) return null;
  try {
    const payload = await verify(token, secret, "HS256");
    const role = payload.role as Role;
    const { sub, sid } = payload;
    if (typeof sub !== "string" || !ROLES.includes(role)) return null;
    if (sid !== undefined && (typeof sid !== "string" || !UUID.test(sid))) return null;
    return { username: sub, role, sessionId: sid ?? null };
  } catch {
    return null;
  }
}

/** Sets `c.var.user` from the session cookie's signature; a bad cookie makes the caller anonymous, never an error. */
export const session = createMiddleware<AppEnv>(async (c, next) => {
  const token = getCookie(c, SESSION_COOKIE, cookieOptions(c).prefix);
  c.set("user", await userFromToken(token, c.env.SESSION_SECRET));
  await next();
});

/**
 * The caller as Postgres knows them now, for account and analyst routes: a 401 unless their
 * session is still recorded (not logged out, not expired) and their account still exists; the
 * role is the account's current one, whatever the token says.
 */
export async function liveUser(c: Context<AppEnv>): Promise<SessionUser> {
  const claimed = c.get("user");
  const [current] = claimed?.sessionId
    ? await c.get("db").query<{ username: string; role: Role }>(
        `SELECT u.username, u.role FROM app.sessions s JOIN app.users u ON u.username = s.username
          WHERE s.id = $1 AND s.expires_at > now()`,
        [claimed.sessionId],
      )
    : [];
  if (!claimed?.sessionId || !current) throw new HTTPException(401, { message: "sign in first: no valid session" });
  const user = { ...current, sessionId: claimed.sessionId };
  c.set("user", user);
  c.set("liveUser", user);
  return user;
}

/** A guard for routes that need a live session (401 without one), checked before the body is read. */
export const requireLiveUser = createMiddleware<AppEnv>(async (c, next) => {
  await liveUser(c);
  await next();
});

/**
 * The caller requireLiveUser confirmed, for the handler after it. Read from what liveUser recorded,
 * not cast from `user` (which may be the token's word alone): a handler without the guard fails
 * loudly. A guard typing the caller as present would make the handler's context unfit for every
 * helper that takes the app's.
 */
export function confirmedUser(c: Context<AppEnv>): SessionUser {
  const user = c.get("liveUser");
  if (!user) throw new Error(`${c.req.method} ${c.req.path}: no requireLiveUser before this handler`);
  return user;
}

/** A guard for routes only `role` may use: 401 without a live session, 403 for another role. */
export const requireRole = (role: Role) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const user = await liveUser(c);
    if (user.role !== role) throw new HTTPException(403, { message: `${role}s only` });
    await next();
  });
