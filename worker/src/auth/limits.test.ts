// The login and sign-up throttles through the worker's real entry point (SELF). Each test uses
// usernames and client addresses of its own, since every file shares SELF's database.
import { describe, expect, it } from "vitest";
import { Browser, logIn, PASSWORD, signUp, uniqueName } from "../../test/fixtures.ts";
import { AUTH_LIMITS } from "./limits.ts";

const WRONG = "wrong password!";
/** A new browser connecting from `address`. */
const at = (address: string) => Object.assign(new Browser(), { address });
/** An IPv4 address no other test uses. */
const newAddress = () => new Browser().address;
/** The /64 of a new IPv6 address no other test uses. */
const newNet = () => `2001:db8:${[...crypto.getRandomValues(new Uint16Array(2))].map((n) => n.toString(16)).join(":")}`;

async function newAccount(): Promise<string> {
  const username = uniqueName();
  expect((await signUp(new Browser(), username)).status).toBe(201);
  return username;
}

const retryAfter = (response: Response) => Number(response.headers.get("retry-after"));

// Each key derivation takes a while, and these tests make many.
describe("login throttling", { timeout: 30_000 }, () => {
  it("lets at most 5 of 30 concurrent wrong logins for one username from one client reach the password check", async () => {
    const username = await newAccount();
    const address = newAddress();
    const answers = await Promise.all(Array.from({ length: 30 }, () => logIn(at(address), username, WRONG)));
    const statuses = answers.map((response) => response.status).sort();
    expect(statuses).toEqual([...Array(5).fill(401), ...Array(25).fill(429)]);
    for (const response of answers.filter((answer) => answer.status === 429)) {
      expect(retryAfter(response)).toBeGreaterThan(AUTH_LIMITS.loginPerUserAndClient.windowSeconds - 60);
      expect(await response.json()).toEqual({
        error: `too many failed logins; try again in ${retryAfter(response)} s`,
        retryable: true,
        retry_after: retryAfter(response),
      });
    }
  });

  it("stops one client after 5 failures for a username, but not the learner on another client", async () => {
    const username = await newAccount();
    const attacker = newAddress();
    for (let i = 0; i < 5; i++) expect((await logIn(at(attacker), username, WRONG)).status).toBe(401);
    // Even the right password: the attempt is refused before any password is checked.
    expect((await logIn(at(attacker), username, PASSWORD)).status).toBe(429);
    const learner = new Browser();
    expect((await logIn(learner, username, PASSWORD)).status).toBe(200);
    expect((await learner.request("/api/me")).status).toBe(200);
  });

  it("counts an unknown username like a real one", async () => {
    const username = uniqueName();
    const address = newAddress();
    for (let i = 0; i < 5; i++) expect((await logIn(at(address), username, WRONG)).status).toBe(401);
    const throttled = await logIn(at(address), username, WRONG);
    expect(throttled.status).toBe(429);
    expect(retryAfter(throttled)).toBeGreaterThan(0);
  });

  it("forgets a client's failures for a username once it logs in", async () => {
    const username = await newAccount();
    const address = newAddress();
    for (let i = 0; i < 4; i++) await logIn(at(address), username, WRONG);
    expect((await logIn(at(address), username, PASSWORD)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await logIn(at(address), username, WRONG)).status).toBe(401);
  });

  it("stops a client after 30 failures across usernames", async () => {
    const address = newAddress();
    const { free } = AUTH_LIMITS.loginPerClient;
    // In batches, so as not to open too many connections at once.
    for (let done = 0; done < free; done += 10) {
      const batch = Array.from({ length: Math.min(10, free - done) }, () => logIn(at(address), uniqueName(), WRONG));
      expect((await Promise.all(batch)).map((response) => response.status)).toEqual(batch.map(() => 401));
    }
    expect((await logIn(at(address), uniqueName(), WRONG)).status).toBe(429);
    expect((await logIn(new Browser(), uniqueName(), WRONG)).status).toBe(401);
  });

  it("slows attempts for one username from many clients with a growing delay, never a lock", async () => {
    const username = await newAccount();
    const { free, firstDelaySeconds } = AUTH_LIMITS.loginPerUser;
    for (let i = 0; i < free; i++) expect((await logIn(new Browser(), username, WRONG)).status).toBe(401);
    const first = await logIn(new Browser(), username, PASSWORD);
    expect(first.status).toBe(429);
    expect(retryAfter(first)).toBeLessThanOrEqual(firstDelaySeconds);
    await new Promise((resolve) => setTimeout(resolve, retryAfter(first) * 1000 + 100));
    expect((await logIn(new Browser(), username, WRONG)).status).toBe(401);
    const second = await logIn(new Browser(), username, PASSWORD);
    expect(second.status).toBe(429);
    expect(retryAfter(second)).toBeGreaterThan(firstDelaySeconds);
    expect(retryAfter(second)).toBeLessThanOrEqual(2 * firstDelaySeconds);
  });

  it("keys a client by cf-connecting-ip, never by x-forwarded-for", async () => {
    const username = await newAccount();
    const address = newAddress();
    for (let i = 0; i < 5; i++) {
      const forwarded = { "x-forwarded-for": `192.0.2.${i}` };
      expect((await logIn(at(address), username, WRONG, forwarded)).status).toBe(401);
    }
    expect((await logIn(at(address), username, WRONG, { "x-forwarded-for": "192.0.2.99" })).status).toBe(429);
  });

  it("keys an IPv6 client by its /64", async () => {
    const username = await newAccount();
    const net = newNet();
    for (let i = 1; i <= 5; i++) expect((await logIn(at(`${net}::${i}`), username, WRONG)).status).toBe(401);
    expect((await logIn(at(`${net}:ffff:1:2:3`), username, WRONG)).status).toBe(429);
    expect((await logIn(at(`${newNet()}::1`), username, PASSWORD)).status).toBe(200);
  });
});

describe("sign-up throttling", { timeout: 60_000 }, () => {
  it("allows 60 sign-ups an hour from one client; refused fields do not count", async () => {
    const address = newAddress();
    const { free } = AUTH_LIMITS.signupPerClient;
    for (let i = 0; i < 5; i++)
      expect((await signUp(at(address), uniqueName(), { password: "short" })).status).toBe(400);
    // In batches, so as not to open too many connections at once.
    for (let done = 0; done < free; done += 10) {
      const batch = Array.from({ length: Math.min(10, free - done) }, () => signUp(at(address), uniqueName()));
      expect((await Promise.all(batch)).map((response) => response.status)).toEqual(batch.map(() => 201));
    }
    const refused = await signUp(at(address), uniqueName());
    expect(refused.status).toBe(429);
    expect(retryAfter(refused)).toBeGreaterThan(AUTH_LIMITS.signupPerClient.windowSeconds - 60);
    expect(await refused.json()).toEqual({
      error: `too many sign-ups from this address; try again in ${retryAfter(refused)} s`,
      retryable: true,
      retry_after: retryAfter(refused),
    });
  });
});
