// Sessions through the worker's real entry point (SELF), except where a test needs a secret of
// its own (Browser(env): the app with that environment, its own database and bucket).
import { env } from "cloudflare:test";
import { type S3, uuidv7 } from "@growit/contract";
import { Hono } from "hono";
import { sign } from "hono/jwt";
import { beforeAll, describe, expect, it } from "vitest";
import { Browser, bronzeEvents, selfBucket, signedIn, signUp, sql, testEnv, uniqueName } from "../../test/fixtures.ts";
import type { AppEnv } from "../app-env.ts";
import { confirmedUser, SESSION_COOKIE } from "./session.ts";

const NO_SESSION = { error: "sign in first: no valid session" };
const withCookie = (cookie: string) => Object.assign(new Browser(), { cookie });
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

describe("the session cookie", () => {
  it("is HttpOnly and SameSite=Lax for 7 days, named growit_session on http://localhost", async () => {
    const response = await signUp(new Browser(), uniqueName());
    expect(response.headers.get("set-cookie")).toMatch(
      /^growit_session=[\w-]+\.[\w-]+\.[\w-]+; Max-Age=604800; Path=\/; HttpOnly; SameSite=Lax$/,
    );
  });

  it("is __Host- prefixed and Secure elsewhere, and each origin reads only its own name", async () => {
    const browser = new Browser();
    const response = await browser.request("https://growit.example/api/auth/signup", {
      json: { username: uniqueName(), password: "0123456789", full_name: "X" },
    });
    expect(response.headers.get("set-cookie")).toMatch(
      /^__Host-growit_session=[\w-]+\.[\w-]+\.[\w-]+; Max-Age=604800; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
    const token = browser.cookie.replace(/^__Host-growit_session=/, "");
    expect((await browser.request("https://growit.example/api/me")).status).toBe(200);
    // A plain-named cookie on a secure origin could have been planted over http or by a subdomain.
    expect((await withCookie(`growit_session=${token}`).request("https://growit.example/api/me")).status).toBe(401);
    expect((await withCookie(`__Host-growit_session=${token}`).request("/api/me")).status).toBe(401);

    const logout = await browser.request("https://growit.example/api/auth/logout", { method: "POST" });
    expect(logout.headers.get("set-cookie")).toBe("__Host-growit_session=; Max-Age=0; Path=/; Secure");
  });
});

describe("server-side sessions", () => {
  it("revokes the session at logout: the old cookie no longer works", async () => {
    const browser = new Browser();
    await signUp(browser, uniqueName());
    const stolen = browser.cookie;
    expect((await browser.request("/api/auth/logout", { method: "POST" })).status).toBe(200);
    const replay = withCookie(stolen);
    expect((await replay.request("/api/me")).status).toBe(401);
    const patch = await replay.request("/api/me", { method: "PATCH", json: { full_name: "Mallory" } });
    expect(patch.status).toBe(401);
    expect(await patch.json()).toEqual(NO_SESSION);
  });

  it("applies a role change on the next request, without a new login", async () => {
    const browser = new Browser();
    const username = uniqueName();
    await signUp(browser, username);
    expect((await browser.request("/api/status")).status).toBe(403);
    await sql(env, "UPDATE app.users SET role = 'analyst' WHERE username = $1", [username]);
    expect((await browser.request("/api/status")).status).toBe(200);
    await sql(env, "UPDATE app.users SET role = 'learner' WHERE username = $1", [username]);
    expect((await browser.request("/api/status")).status).toBe(403);
  });

  it("refuses the sessions of a deleted account on account and analyst routes", async () => {
    const { browser, username } = await signedIn("analyst");
    expect((await browser.request("/api/status")).status).toBe(200);
    expect((await browser.request("/api/me")).status).toBe(200);
    await sql(env, "DELETE FROM app.users WHERE username = $1", [username]);
    expect((await browser.request("/api/status")).status).toBe(401);
    expect((await browser.request("/api/me")).status).toBe(401);
  });

  it("lets analysts through analyst routes, refuses learners with 403 and anonymous callers with 401", async () => {
    expect((await (await signedIn("analyst")).browser.request("/api/status")).status).toBe(200);
    const learner = await (await signedIn("learner")).browser.request("/api/status");
    expect(learner.status).toBe(403);
    expect(await learner.json()).toEqual({ error: "analysts only" });
    expect((await new Browser().request("/api/status")).status).toBe(401);
  });

  it("refuses a correctly signed token whose session was never started", async () => {
    const { username } = await signedIn("learner");
    const forged = await sign(
      { sub: username, role: "analyst", sid: crypto.randomUUID(), exp: inAnHour() },
      env.SESSION_SECRET,
      "HS256",
    );
    expect((await withCookie(`${SESSION_COOKIE}=${forged}`).request("/api/status")).status).toBe(401);
  });

  it("trusts a token without a session id (signed before sessions were recorded) on ingest only", async () => {
    const { username } = await signedIn("learner");
    const legacy = await sign({ sub: username, role: "learner", exp: inAnHour() }, env.SESSION_SECRET, "HS256");
    const browser = withCookie(`${SESSION_COOKIE}=${legacy}`);
    expect((await browser.request("/api/me")).status).toBe(401);
    const id = uuidv7();
    const response = await browser.request("/api/events", {
      json: { events: [{ id, type: "page_view", ts: new Date().toISOString(), props: { path: "/" } }] },
    });
    expect(response.status).toBe(202);
    expect((await bronzeEvents(selfBucket())).find((event) => event.id === id)).toMatchObject({ username });
  });

  it("refuses expired, tampered, foreign and malformed tokens", async () => {
    const browser = new Browser();
    const username = uniqueName();
    await signUp(browser, username);
    const [header, payload, signature] = browser.cookie.replace(`${SESSION_COOKIE}=`, "").split(".");
    const claims = JSON.parse(atob((payload ?? "").replace(/-/g, "+").replace(/_/g, "/")));
    const elevated = btoa(JSON.stringify({ ...claims, role: "analyst" }))
      .replace(/=+$/, "")
      .replace(/\+/g, "-")
      .replace(/\//g, "_");
    const expired = await sign({ ...claims, iat: 1, exp: 2 }, env.SESSION_SECRET, "HS256");
    const wrongKey = await sign({ ...claims, exp: inAnHour() }, "not the secret, though long enough", "HS256");
    const unknownRole = await sign({ ...claims, role: "admin" }, env.SESSION_SECRET, "HS256");
    const badSid = await sign({ ...claims, sid: "1" }, env.SESSION_SECRET, "HS256");
    for (const token of [
      `${header}.${elevated}.${signature}`,
      expired,
      wrongKey,
      unknownRole,
      badSid,
      "garbage",
      `${header}.${payload}.`,
    ]) {
      const response = await withCookie(`${SESSION_COOKIE}=${token}`).request("/api/me");
      expect(response.status, token).toBe(401);
      expect(await response.json()).toEqual(NO_SESSION);
    }
  });
});

describe("a SESSION_SECRET shorter than 32 bytes", () => {
  let weak: Env;
  let s3: S3;
  beforeAll(async () => {
    const own = await testEnv("weak-secret");
    weak = { ...own.env, SESSION_SECRET: "0123456789abcdef0123456789abcde" };
    s3 = own.s3;
  });

  it("starts no session and says the server is misconfigured", async () => {
    const username = uniqueName();
    const browser = new Browser(weak);
    const misconfigured = {
      error: "server misconfiguration: SESSION_SECRET must be at least 32 bytes, so no session is started",
    };
    const signup = await signUp(browser, username);
    expect(signup.status).toBe(500);
    expect(await signup.json()).toEqual(misconfigured);
    const login = await browser.request("/api/auth/login", { json: { username, password: "0123456789" } });
    expect(login.status).toBe(500);
    expect(await login.json()).toEqual(misconfigured);
    expect(browser.cookie).toBe("");
    expect(await sql(weak, "SELECT 1 FROM app.users WHERE username = $1", [username])).toEqual([]);
  });

  it("trusts no token signed with it", async () => {
    const token = await sign(
      { sub: "mallory", role: "learner", sid: crypto.randomUUID(), exp: inAnHour() },
      weak.SESSION_SECRET,
      "HS256",
    );
    const browser = Object.assign(new Browser(weak), { cookie: `${SESSION_COOKIE}=${token}` });
    const id = uuidv7();
    const response = await browser.request("/api/events", {
      json: { events: [{ id, type: "page_view", ts: new Date().toISOString(), props: { path: "/" } }] },
    });
    expect(response.status).toBe(202);
    expect((await bronzeEvents(s3)).find((event) => event.id === id)).toMatchObject({ username: null });
  });
});

describe("confirmedUser", () => {
  it("fails a handler that no requireLiveUser guards, whoever the token says is calling", async () => {
    // Route logic alone: no guard runs, so the caller is the token's word, which must not pass.
    const app = new Hono<AppEnv>().get("/", (c) => {
      c.set("user", { username: "someone", role: "learner", sessionId: uuidv7() });
      return c.json(confirmedUser(c));
    });
    const response = await app.request("/");
    expect(response.status).toBe(500);
  });
});
