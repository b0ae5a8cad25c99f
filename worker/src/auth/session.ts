import type { Role } from "@growit/contract";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { sign, verify } from "hono/jwt";
import type { AppEnv, SessionUser } from "../app-env.ts";

export const SESSION_COOKIE = "growit_session";
/** How long a session lasts. */
export const SESSION_TTL_SECONDS = 7 * 24 * 60 * 60;
const ROLES: readonly Role[] = ["learner", "analyst"];

const isLocalhost = (url: string) => ["localhost", "127.0.0.1", "[::1]"].includes(new URL(url).hostname);

/** Signs a session token for `user` and sets it as an HttpOnly, SameSite=Lax cookie (Secure except on localhost). */
export async function startSession(c: Context<AppEnv>, user: SessionUser, now = Date.now()): Promise<void> {
  const iat = Math.floor(now / 1000);
  const token = await sign(
    { sub: user.username, role: user.role, iat, exp: iat + SESSION_TTL_SECONDS },
    c.env.SESSION_SECRET,
    "HS256",
  );
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "Lax",
    secure: !isLocalhost(c.req.url),
    path: "/",
    maxAge: SESSION_TTL_SECONDS,
  });
}

export function endSession(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: !isLocalhost(c.req.url) });
}

/** The user a session token names, or null when it is missing, expired, tampered with or malformed. */
export async function userFromToken(token: string | undefined, secret: string): Promise<SessionUser | null> {
  if (!token) return null;
  try {
    const payload = await verify(token, secret, "HS256");
    const role = payload.role as Role;
    if (typeof payload.sub !== "string" || !ROLES.includes(role)) return null;
    return { username: payload.sub, role };
  } catch {
    return null;
  }
}

/** Sets `c.var.user` from the session cookie; a bad cookie makes the caller anonymous, never an error. */
export const session = createMiddleware<AppEnv>(async (c, next) => {
  c.set("user", await userFromToken(getCookie(c, SESSION_COOKIE), c.env.SESSION_SECRET));
  await next();
});

/** The signed-in user, or a 401. */
export function requireUser(c: Context<AppEnv>): SessionUser {
  const user = c.get("user");
  if (!user) throw new HTTPException(401, { message: "sign in first: no valid session" });
  return user;
}

/** A guard for routes only `role` may use: 401 when anonymous, 403 for another role. */
export const requireRole = (role: Role) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const user = requireUser(c);
    if (user.role !== role) throw new HTTPException(403, { message: `${role}s only` });
    await next();
  });
