import type { S3 } from "@growit/contract";
import { sign } from "hono/jwt";
import { beforeAll, describe, expect, it } from "vitest";
import { Browser, bronzeEvents, testEnv } from "../../test/fixtures.ts";
import { app } from "../app.ts";
import { openDb } from "../db/client.ts";

let env: Env;
let s3: S3;
beforeAll(async () => {
  ({ env, s3 } = await testEnv("auth"));
});

/** A unique username per test, so tests share the database without colliding. */
const newName = () => `u${crypto.randomUUID().slice(0, 8)}`;
const signUp = (browser: Browser, username: string, extra: Record<string, unknown> = {}) =>
  browser.request("/api/auth/signup", {
    json: { username, password: "correct horse battery", full_name: "김민지", interests: ["data", "ai"], ...extra },
  });

async function storedUser(username: string) {
  const db = openDb(env);
  try {
    const [row] = await db.query<{ password_hash: string; role: string }>(
      "SELECT password_hash, role FROM app.users WHERE username = $1",
      [username],
    );
    return row;
  } finally {
    await db.close();
  }
}

describe("accounts", () => {
  it("signs up, reads and edits the profile, logs out and in again", async () => {
    const browser = new Browser(env);
    const username = newName();
    const signup = await signUp(browser, username);
    expect(signup.status).toBe(201);
    expect(await signup.json()).toEqual({
      username,
      full_name: "김민지",
      interests: ["data", "ai"],
      role: "learner",
      created_at: expect.any(String),
    });

    expect(await (await browser.request("/api/me")).json()).toMatchObject({ username, role: "learner" });
    const patched = await browser.request("/api/me", {
      method: "PATCH",
      json: { full_name: "Minji Kim", interests: ["cloud"] },
    });
    expect(await patched.json()).toMatchObject({ full_name: "Minji Kim", interests: ["cloud"] });

    expect((await browser.request("/api/auth/logout", { method: "POST" })).status).toBe(200);
    expect((await browser.request("/api/me")).status).toBe(401);

    const login = await browser.request("/api/auth/login", { json: { username, password: "correct horse battery" } });
    expect(login.status).toBe(200);
    expect(await login.json()).toMatchObject({ username, full_name: "Minji Kim" });
    expect((await browser.request("/api/me")).status).toBe(200);
  });

  it("sets an HttpOnly, SameSite=Lax session cookie with an expiry, Secure off localhost", async () => {
    const local = await signUp(new Browser(env), newName());
    expect(local.headers.get("set-cookie")).toMatch(
      /^growit_session=[\w-]+\.[\w-]+\.[\w-]+; Max-Age=604800; Path=\/; HttpOnly; SameSite=Lax$/,
    );
    const remote = await app.request(
      "https://growit.example/api/auth/signup",
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: newName(), password: "0123456789", full_name: "X" }),
      },
      env,
    );
    expect(remote.headers.get("set-cookie")).toMatch(/; HttpOnly; Secure; SameSite=Lax$/);
  });

  it("stores a salted PBKDF2 hash with its iterations, never the password", async () => {
    const username = newName();
    await signUp(new Browser(env), username);
    const { password_hash } = (await storedUser(username)) ?? { password_hash: "" };
    expect(password_hash).toMatch(/^pbkdf2-sha256\$100000\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(password_hash).not.toContain("correct horse battery");
  });

  it("refuses a taken username with 409 and bad fields with 400 naming them", async () => {
    const username = newName();
    await signUp(new Browser(env), username);
    const again = await signUp(new Browser(env), username);
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ error: `username ${username} is taken` });

    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ username: "A!" }, /^username: must be 3 to 32/],
      [{ password: "short" }, /^password: must be at least 10 characters$/],
      [{ full_name: "  " }, /^full_name: must not be empty$/],
      [{ interests: ["data", "astrology"] }, /^interests: unknown category astrology$/],
      [{ interests: "data" }, /^interests: /],
    ];
    for (const [fields, message] of cases) {
      const response = await signUp(new Browser(env), newName(), fields);
      expect(response.status, JSON.stringify(fields)).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(message);
    }
  });

  it("refuses a wrong password and an unknown user alike, without a session", async () => {
    const username = newName();
    await signUp(new Browser(env), username);
    for (const attempt of [
      { username, password: "wrong password!" },
      { username: newName(), password: "whatever123" },
    ]) {
      const browser = new Browser(env);
      const response = await browser.request("/api/auth/login", { json: attempt });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: "wrong username or password" });
      expect(browser.cookie).toBe("");
    }
  });

  it("throttles after 5 failed logins for a username, with Retry-After", async () => {
    const username = newName();
    await signUp(new Browser(env), username);
    const attempt = (password: string, ip: string) =>
      new Browser(env).request("/api/auth/login", {
        json: { username, password },
        headers: { "cf-connecting-ip": ip },
      });
    for (let i = 0; i < 5; i++) expect((await attempt("wrong password!", `10.0.0.${i}`)).status).toBe(401);
    const throttled = await attempt("correct horse battery", "10.0.1.1");
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(890);
    expect(((await throttled.json()) as { error: string }).error).toMatch(
      /^too many failed logins; try again in \d+ s$/,
    );
  });

  it("throttles a client that fails 5 times across usernames", async () => {
    const ip = `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    const attempt = (username: string) =>
      new Browser(env).request("/api/auth/login", {
        json: { username, password: "nope nope nope" },
        headers: { "cf-connecting-ip": ip },
      });
    for (let i = 0; i < 5; i++) expect((await attempt(newName())).status).toBe(401);
    expect((await attempt(newName())).status).toBe(429);
  });

  it("refuses expired and tampered tokens", async () => {
    const browser = new Browser(env);
    const username = newName();
    await signUp(browser, username);
    const [header, payload, signature] = browser.cookie.replace("growit_session=", "").split(".");
    const forged = JSON.parse(atob((payload ?? "").replace(/-/g, "+").replace(/_/g, "/")));
    const elevated = btoa(JSON.stringify({ ...forged, role: "analyst" }))
      .replace(/=+$/, "")
      .replace(/\+/g, "-")
      .replace(/\//g, "_");
    const expired = await sign({ sub: username, role: "learner", iat: 1, exp: 2 }, env.SESSION_SECRET, "HS256");
    const wrongKey = await sign(
      { sub: username, role: "analyst", exp: Date.now() / 1000 + 60 },
      "not the secret",
      "HS256",
    );
    for (const token of [`${header}.${elevated}.${signature}`, expired, wrongKey, "garbage", `${header}.${payload}.`]) {
      const response = await app.request("/api/me", { headers: { cookie: `growit_session=${token}` } }, env);
      expect(response.status, token).toBe(401);
      expect(await response.json()).toEqual({ error: "sign in first: no valid session" });
    }
  });

  it("refuses state-changing requests from another origin", async () => {
    const response = await new Browser(env).request("/api/auth/signup", {
      json: { username: newName(), password: "0123456789", full_name: "X" },
      headers: { origin: "https://evil.example" },
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: string }).error).toMatch(/^cross-origin POST refused/);
    const sameSite = await new Browser(env).request("/api/auth/signup", {
      json: { username: newName(), password: "0123456789", full_name: "X" },
      headers: { origin: "http://localhost" },
    });
    expect(sameSite.status).toBe(201);
  });

  it("stores injection and script strings verbatim and harmlessly", async () => {
    const browser = new Browser(env);
    const username = newName();
    const fullName = `Robert'); DROP TABLE app.users;-- <script>alert(1)</script>`;
    await signUp(browser, username, { full_name: fullName });
    expect(await (await browser.request("/api/me")).json()).toMatchObject({ full_name: fullName });
    expect(await storedUser(username)).toMatchObject({ role: "learner" });
  });

  it("records signup, login, login_failed and logout as server events with the right username", async () => {
    const browser = new Browser(env);
    const username = newName();
    await signUp(browser, username);
    await browser.request("/api/auth/logout", { method: "POST" });
    await browser.request("/api/auth/login", { json: { username, password: "wrong password!" } });
    await browser.request("/api/auth/login", { json: { username, password: "correct horse battery" } });
    const mine = (await bronzeEvents(s3)).filter((e) => e.username === username);
    expect(mine.map((e) => [e.type, e.props, e.source])).toEqual([
      ["signup", {}, "server"],
      ["logout", {}, "server"],
      ["login_failed", { reason: "wrong_password" }, "server"],
      ["login", {}, "server"],
    ]);
    expect(JSON.stringify(mine)).not.toContain("correct horse battery");
    expect(JSON.stringify(mine)).not.toContain("wrong password!");
  });
});
