// Through the worker's entry point (SELF), with the limits wrangler.jsonc gives its bindings. The
// budget a test means to exhaust is first spent through the binding itself (thousands of requests
// through SELF would take minutes); the requests that meet the limit go through SELF.
import { env } from "cloudflare:test";
import { uuidv7 } from "@growit/contract";
import { describe, expect, it } from "vitest";
import { Browser, bronzeEvents, selfBucket } from "../../test/fixtures.ts";
import { clientAddress } from "../auth/client-address.ts";
import { WRITE_LIMIT_PERIOD_SECONDS } from "./rate-limit.ts";

/** The limits docs/api.md documents, per WRITE_LIMIT_PERIOD_SECONDS. */
const PER_SESSION = 600;
const PER_CLIENT = 6_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Miniflare counts in fixed windows aligned to the epoch: start with at least `needMs` of one
 * left, waiting for the next if need be, so that the count cannot start afresh halfway through a
 * test.
 */
async function freshWindow(needMs = 10_000): Promise<void> {
  const periodMs = WRITE_LIMIT_PERIOD_SECONDS * 1000;
  const left = periodMs - (Date.now() % periodMs);
  if (left < needMs) await sleep(left + 100);
}

/**
 * For the tests that spend a whole client's budget, which takes spend() a good part of a window:
 * most of a window, and the time to wait for one.
 */
const WHOLE_BUDGET_WINDOW_MS = 45_000;
const WHOLE_BUDGET_TIMEOUT_MS = 120_000;

/**
 * Spends `times` of the key's budget. Each call is a round trip to the Durable Object that holds
 * Miniflare's counts (since Miniflare 5): one at a time, a budget of thousands takes longer than
 * the window freshWindow() leaves, so they go a hundred at a time.
 */
async function spend(limiter: RateLimit, key: string, times: number): Promise<void> {
  for (let spent = 0; spent < times; ) {
    const batch = Math.min(100, times - spent);
    const results = await Promise.all(Array.from({ length: batch }, () => limiter.limit({ key })));
    const allowed = results.filter(({ success }) => success).length;
    spent += allowed;
    if (allowed < batch) throw new Error(`${key}: budget ran out after ${spent} of ${times}`);
  }
}

const from = (address: string) => ({ "cf-connecting-ip": address });
const anEvent = () => ({ id: uuidv7(), type: "page_view", ts: new Date().toISOString(), props: { path: "/limits" } });

const storedIds = async () => new Set((await bronzeEvents(selfBucket())).map((event) => event.id));

async function expectRefused(response: Response, who: "address" | "account") {
  expect(response.status).toBe(429);
  expect(response.headers.get("retry-after")).toBe(String(WRITE_LIMIT_PERIOD_SECONDS));
  expect(await response.json()).toEqual({
    error: `too many writes from this ${who}; wait ${WRITE_LIMIT_PERIOD_SECONDS} s`,
    retryable: true,
    retry_after: WRITE_LIMIT_PERIOD_SECONDS,
  });
}

describe("write rate limits", () => {
  it("let an anonymous address send its budget of events, then answer 429 and store nothing", {
    timeout: WHOLE_BUDGET_TIMEOUT_MS,
  }, async () => {
    await freshWindow(WHOLE_BUDGET_WINDOW_MS);
    const address = "198.51.100.21";
    await spend(env.WRITES_PER_CLIENT, address, PER_CLIENT - 1);
    const browser = new Browser();
    const last = anEvent();
    const allowed = await browser.request("/api/events", { json: { events: [last] }, headers: from(address) });
    expect(allowed.status).toBe(202);

    const refused = anEvent();
    await expectRefused(
      await browser.request("/api/events", { json: { events: [refused] }, headers: from(address) }),
      "address",
    );
    const stored = await storedIds();
    expect(stored.has(last.id)).toBe(true);
    expect(stored.has(refused.id)).toBe(false);

    // Another address has a budget of its own.
    const other = await browser.request("/api/events", {
      json: { events: [anEvent()] },
      headers: from("198.51.100.22"),
    });
    expect(other.status).toBe(202);
  });

  it("count an IPv6 client by its /64", { timeout: WHOLE_BUDGET_TIMEOUT_MS }, async () => {
    await freshWindow(WHOLE_BUDGET_WINDOW_MS);
    const block = clientAddress(new Request("http://worker/", { headers: from("2001:db8:5:6::1") }));
    await spend(env.WRITES_PER_CLIENT, block, PER_CLIENT);
    const response = await new Browser().request("/api/events", {
      json: { events: [anEvent()] },
      headers: from("2001:db8:5:6:aaaa:bbbb:cccc:dddd"),
    });
    await expectRefused(response, "address");
  });

  it("count a signed-in learner by username, apart from the address, for events and profile edits", async () => {
    await freshWindow();
    const address = "198.51.100.23";
    const learner = new Browser();
    const username = `rl${crypto.randomUUID().slice(0, 8)}`;
    const signup = await learner.request("/api/auth/signup", {
      json: { username, password: "correct horse battery", full_name: "Rate Limit" },
      headers: from(address),
    });
    expect(signup.status).toBe(201);
    await spend(env.WRITES_PER_SESSION, username, PER_SESSION - 1);
    const allowed = await learner.request("/api/events", { json: { events: [anEvent()] }, headers: from(address) });
    expect(allowed.status).toBe(202);

    await expectRefused(
      await learner.request("/api/events", { json: { events: [anEvent()] }, headers: from(address) }),
      "account",
    );
    await expectRefused(
      await learner.request("/api/me", { method: "PATCH", json: { full_name: "Renamed" }, headers: from(address) }),
      "account",
    );
    // Anonymous learners at the same address (a school's) are not held back by this one.
    const neighbour = await new Browser().request("/api/events", {
      json: { events: [anEvent()] },
      headers: from(address),
    });
    expect(neighbour.status).toBe(202);
  });
});
