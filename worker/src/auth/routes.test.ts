// Sign-up, login and logout through the worker's real entry point (SELF), against its own
// Postgres and bucket, which every test file shares: each test uses names of its own.
import { env } from "cloudflare:test";
import { DECOY_HASH, verifyPassword } from "@growit/contract";
import { describe, expect, it } from "vitest";
import { Browser, bronzeEvents, logIn, PASSWORD, selfBucket, signUp, sql, uniqueName } from "../../test/fixtures.ts";

const storedUser = async (username: string) =>
  (
    await sql<{ password_hash: string; role: string }>(
      env,
      "SELECT password_hash, role FROM app.users WHERE username = $1",
      [username],
    )
  )[0];

/** How long `work` takes, in ms. */
async function elapsed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/** Wrong logins timed, a known and an unknown username each: odd, so that the median is one of them. */
const PAIRS = 21;

describe("accounts", () => {
  it("signs up, reads and edits the profile, logs out and in again", async () => {
    const browser = new Browser();
    const username = uniqueName();
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
    // Signed out, the session is checked before the body is read: 401 whatever the body.
    expect((await browser.request("/api/me", { method: "PATCH", json: { interests: "not a list" } })).status).toBe(401);
    expect((await browser.request("/api/me", { method: "DELETE", json: {} })).status).toBe(401);

    const login = await logIn(browser, username, PASSWORD);
    expect(login.status).toBe(200);
    expect(await login.json()).toMatchObject({ username, full_name: "Minji Kim" });
    expect((await browser.request("/api/me")).status).toBe(200);
  });

  it("stores a salted PBKDF2 hash with its iterations, never the password", async () => {
    const username = uniqueName();
    await signUp(new Browser(), username);
    const { password_hash } = (await storedUser(username)) ?? { password_hash: "" };
    expect(password_hash).toMatch(/^pbkdf2-sha256\$100000\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(password_hash).not.toContain(PASSWORD);
  });

  it("refuses a taken username with 409 and bad fields with 400 naming them", async () => {
    const username = uniqueName();
    await signUp(new Browser(), username);
    const again = await signUp(new Browser(), username);
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
      const response = await signUp(new Browser(), uniqueName(), fields);
      expect(response.status, JSON.stringify(fields)).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(message);
    }
  });

  it("refuses a wrong password and an unknown username alike: status, body, no session", async () => {
    const username = uniqueName();
    await signUp(new Browser(), username);
    for (const [name, password] of [
      [username, "wrong password!"],
      [uniqueName(), "whatever123"],
    ] as const) {
      const browser = new Browser();
      const response = await logIn(browser, name, password);
      expect(response.status, name).toBe(401);
      expect(await response.json()).toEqual({ error: "wrong username or password" });
      expect(browser.cookie).toBe("");
    }
  });

  it("takes as long for an unknown username as for a wrong password: both derive a key", async () => {
    // An account per attempt, so that both kinds of attempt start their throttle counters afresh
    // and differ in the password check alone.
    const accounts = Array.from({ length: PAIRS }, () => uniqueName());
    for (const username of accounts) await signUp(new Browser(), username);
    const derivations: number[] = [];
    for (let i = 0; i < 5; i++) derivations.push(await elapsed(() => verifyPassword("x", DECOY_HASH)));
    const derivation = median(derivations);
    const known: number[] = [];
    const unknown: number[] = [];
    const wrongLogin = (username: string) =>
      elapsed(async () => (await logIn(new Browser(), username, "wrong password!")).text());
    // Interleaved, each from a browser of its own, so that no throttle is reached.
    for (let i = 0; i < PAIRS; i++) {
      known.push(await wrongLogin(accounts[i] as string));
      unknown.push(await wrongLogin(uniqueName()));
    }
    // Each pair ran back to back, so its difference leaves out what a busy machine adds to both;
    // the median leaves out the pairs one disturbance hit on one side. Without a derivation, the
    // unknown username would be a whole derivation faster in most pairs.
    const differences = unknown.map((ms, i) => ms - (known[i] as number));
    expect(median(differences), JSON.stringify({ derivation, known, unknown })).toBeGreaterThan(-derivation / 2);
  });

  it("refuses state-changing requests from another origin", async () => {
    const response = await new Browser().request("/api/auth/signup", {
      json: { username: uniqueName(), password: "0123456789", full_name: "X" },
      headers: { origin: "https://evil.example" },
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: string }).error).toMatch(/^cross-origin POST refused/);
    const sameSite = await new Browser().request("/api/auth/signup", {
      json: { username: uniqueName(), password: "0123456789", full_name: "X" },
      headers: { origin: "http://localhost" },
    });
    expect(sameSite.status).toBe(201);
  });

  it("stores injection and script strings verbatim and harmlessly", async () => {
    const browser = new Browser();
    const username = uniqueName();
    const fullName = `Robert'); DROP TABLE app.users;-- <script>alert(1)</script>`;
    await signUp(browser, username, { full_name: fullName });
    expect(await (await browser.request("/api/me")).json()).toMatchObject({ full_name: fullName });
    expect(await storedUser(username)).toMatchObject({ role: "learner" });
  });

  it("records signup, login, login_failed and logout as server events with the right username", async () => {
    const browser = new Browser();
    const username = uniqueName();
    await signUp(browser, username);
    await browser.request("/api/auth/logout", { method: "POST" });
    await logIn(browser, username, "wrong password!");
    await logIn(browser, username, PASSWORD);
    const mine = (await bronzeEvents(selfBucket())).filter((e) => e.username === username);
    expect(mine.map((e) => [e.type, e.props, e.source])).toEqual([
      ["signup", {}, "server"],
      ["logout", {}, "server"],
      ["login_failed", { reason: "wrong_password" }, "server"],
      ["login", {}, "server"],
    ]);
    expect(JSON.stringify(mine)).not.toContain(PASSWORD);
    expect(JSON.stringify(mine)).not.toContain("wrong password!");
  });
});
