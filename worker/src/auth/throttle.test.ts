// The counters' rules against real Postgres, with policies of seconds so that windows and
// delays can run out within a test. (limits.test.ts has the auth policies through SELF.)
import { beforeAll, describe, expect, it } from "vitest";
import { testEnv, withDb } from "../../test/fixtures.ts";
import { admit, type Counter, limitPer, settle, type ThrottlePolicy } from "./throttle.ts";

let env: Env;
beforeAll(async () => {
  ({ env } = await testEnv("throttle"));
});

const counter = (policy: ThrottlePolicy): Counter => ({ key: crypto.randomUUID(), policy });
const attempt = (...counters: Counter[]) => withDb(env, (db) => admit(db, counters));
const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000 + 100));

describe("admit", () => {
  it("counts an attempt against every counter or, when one is not due, against none", async () => {
    const strict = counter(limitPer(1, 60));
    const loose = counter(limitPer(3, 60));
    expect(await attempt(strict, loose)).toBe(0);
    expect(await attempt(strict, loose)).toBeGreaterThan(55);
    expect(await attempt(strict, loose)).toBeGreaterThan(55);
    // The refused attempts were not counted against the loose counter.
    expect(await attempt(loose)).toBe(0);
    expect(await attempt(loose)).toBe(0);
    expect(await attempt(loose)).toBeGreaterThan(55);
  });

  it("starts a counter again when its window ends", async () => {
    const short = counter(limitPer(1, 1));
    expect(await attempt(short)).toBe(0);
    expect(await attempt(short)).toBe(1);
    await sleep(1);
    expect(await attempt(short)).toBe(0);
    expect(await attempt(short)).toBe(1);
  });

  it("doubles the delay with each attempt up to its maximum", async () => {
    const slowed = counter({ free: 1, windowSeconds: 3600, firstDelaySeconds: 1, maxDelaySeconds: 2 });
    expect(await attempt(slowed)).toBe(0);
    expect(await attempt(slowed)).toBe(1);
    await sleep(1);
    expect(await attempt(slowed)).toBe(0);
    expect(await attempt(slowed)).toBe(2);
    await sleep(2);
    expect(await attempt(slowed)).toBe(0);
    expect(await attempt(slowed)).toBe(2);
  });

  it("admits no more than its free attempts of many concurrent ones", async () => {
    const limited = counter(limitPer(3, 60));
    const waits = await Promise.all(Array.from({ length: 12 }, () => attempt(limited)));
    expect(waits.filter((wait) => wait === 0)).toHaveLength(3);
  });
});

describe("settle", () => {
  it("takes an attempt back from refunded counters and forgets cleared ones", async () => {
    const refunded = counter(limitPer(2, 60));
    const cleared = counter(limitPer(2, 60));
    expect(await attempt(refunded, cleared)).toBe(0);
    expect(await attempt(refunded, cleared)).toBe(0);
    await withDb(env, (db) => settle(db, { refunded: [refunded], cleared: [cleared] }));
    expect(await attempt(refunded)).toBe(0);
    expect(await attempt(refunded)).toBeGreaterThan(55);
    expect(await attempt(cleared)).toBe(0);
    expect(await attempt(cleared)).toBe(0);
  });
});
