import { Hono } from "hono";
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../app-env.ts";
import { errorResponse } from "../http/errors.ts";
import { requireRole, SESSION_COOKIE, session, userFromToken } from "./session.ts";

const SECRET = "test-secret";
const env = { SESSION_SECRET: SECRET } as Env;
const guarded = new Hono<AppEnv>()
  .use(session)
  .get("/analysts", requireRole("analyst"), (c) => c.json({ hello: c.get("user")?.username }))
  .onError(errorResponse);

const tokenFor = (role: string, exp = Math.floor(Date.now() / 1000) + 60) =>
  sign({ sub: "minji", role, exp }, SECRET, "HS256");
const asCookie = (token: string) => ({ headers: { cookie: `${SESSION_COOKIE}=${token}` } });

describe("requireRole", () => {
  it("lets the role through", async () => {
    const response = await guarded.request("/analysts", asCookie(await tokenFor("analyst")), env);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ hello: "minji" });
  });

  it("refuses another role with 403 and anonymous callers with 401", async () => {
    const learner = await guarded.request("/analysts", asCookie(await tokenFor("learner")), env);
    expect(learner.status).toBe(403);
    expect(await learner.json()).toEqual({ error: "analysts only" });
    const anonymous = await guarded.request("/analysts", {}, env);
    expect(anonymous.status).toBe(401);
  });
});

describe("userFromToken", () => {
  it("refuses unknown roles and expired tokens", async () => {
    expect(await userFromToken(await tokenFor("admin"), SECRET)).toBeNull();
    expect(await userFromToken(await tokenFor("learner", 1), SECRET)).toBeNull();
    expect(await userFromToken(await tokenFor("learner"), SECRET)).toEqual({ username: "minji", role: "learner" });
  });
});
