import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../app-env.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses state-changing requests that a browser sent from another origin (CSRF).
 * Requests without Origin or Sec-Fetch-Site (curl, server-to-server) are let through:
 * they carry no ambient browser cookies to abuse.
 */
export const sameOrigin = createMiddleware<AppEnv>(async (c, next) => {
  if (!SAFE_METHODS.has(c.req.method)) {
    const origin = c.req.header("origin");
    const site = c.req.header("sec-fetch-site");
    const ownOrigin = new URL(c.req.url).origin;
    if ((origin && origin !== ownOrigin) || site === "cross-site") {
      throw new HTTPException(403, { message: `cross-origin ${c.req.method} refused (origin ${origin ?? site})` });
    }
  }
  await next();
});
