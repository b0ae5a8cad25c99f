import { describe, expect, it } from "vitest";
import { backoffDelay, parseRetryAfter } from "./backoff.ts";

const BASE = 1_000;
const CAP = 5 * 60_000;

describe("backoffDelay", () => {
  it("stays within [0, min(cap, base * 2^n)] for every attempt and random value", () => {
    for (let attempt = 0; attempt < 40; attempt++) {
      const ceiling = Math.min(CAP, BASE * 2 ** attempt);
      for (const r of [0, 0.25, 0.5, 0.999_999]) {
        const delay = backoffDelay(attempt, () => r);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(ceiling);
      }
    }
  });

  it("doubles from 1 s and reaches the 5 minute cap", () => {
    const top = (attempt: number) => backoffDelay(attempt, () => 0.999_999_999);
    expect([0, 1, 2, 3].map(top)).toEqual([999, 1999, 3999, 7999]);
    expect(top(8)).toBe(255_999);
    expect(top(9)).toBe(CAP - 1);
    expect(top(1_000)).toBe(CAP - 1);
  });

  it("is fully jittered: random() = 0 means retry at once", () => {
    expect(backoffDelay(5, () => 0)).toBe(0);
    expect(backoffDelay(5, () => 0.5)).toBe(16_000);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-05-01T12:00:00Z");

  it("reads delay-seconds", () => {
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
  });

  it("reads an HTTP date relative to now, and a past date as now", () => {
    expect(parseRetryAfter("Fri, 01 May 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Fri, 01 May 2026 11:00:00 GMT", now)).toBe(0);
  });

  it("ignores a missing or unreadable header", () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("-5", now)).toBeUndefined();
  });
});
