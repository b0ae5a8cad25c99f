import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonTextProblem, utf8ByteLength } from "./events.ts";
import { REJECTED_VALUE_BYTES, RejectBudget, rejectRecord } from "./rejects.ts";

const FIELDS = {
  reason: "event must be a JSON object",
  rejected_at: "2026-11-25T09:12:03.481Z",
  stage: "worker",
  index: 0,
} as const;
/** What rejectRecord keeps of `value`: the record's fields beyond FIELDS. */
const keptOf = (value: unknown) => {
  const { reason, rejected_at, stage, index, ...kept } = rejectRecord(FIELDS, value);
  expect({ reason, rejected_at, stage, index }).toEqual(FIELDS);
  return kept;
};
const nested = (depth: number): unknown => (depth === 0 ? "leaf" : { child: nested(depth - 1) });

describe("rejectRecord", () => {
  it("makes the reason well-formed, since it may quote what was refused", () => {
    expect(rejectRecord({ ...FIELDS, reason: "not JSON: Unexpected token '\ud800'" }, "\ud800\udc00")).toEqual({
      ...FIELDS,
      reason: "not JSON: Unexpected token '\ufffd'",
      event: "\ud800\udc00",
    });
  });

  it("keeps a value whose text fits as it is", () => {
    const value = { type: "page_view", props: { path: "/", tags: ["판다스", "🐼", 1.5, null, true] } };
    expect(keptOf(value)).toEqual({ event: value });
    expect(keptOf("{not json")).toEqual({ event: "{not json" });
    expect(keptOf(null)).toEqual({ event: null });
  });

  it("replaces lone surrogates in strings and keys with U+FFFD, and keeps __proto__ a plain key", () => {
    const value = JSON.parse('{"a\\ud800":["x\\udc00y",{"__proto__":"\\udbff"}],"pair":"\\ud83d\\udc3c"}');
    const { event } = keptOf(value);
    expect(event).toEqual(JSON.parse('{"a\\ufffd":["x\\ufffdy",{"__proto__":"\\ufffd"}],"pair":"🐼"}'));
    expect(Object.getPrototypeOf((event as { "a\ufffd": unknown[] })["a\ufffd"][1])).toBe(Object.prototype);
    expect(JSON.stringify(event)).not.toMatch(/\\u/);
    expect(keptOf("\ud800 line")).toEqual({ event: "\ufffd line" });
  });

  it("keeps no value nesting deeper than 64 levels, and keeps one at 64", () => {
    expect(keptOf(nested(64))).toEqual({ event: nested(64) });
    expect(keptOf(nested(65))).toEqual({ event: null });
  });

  it("keeps a text of exactly the limit whole and cuts one a byte longer, with its size", () => {
    const fits = "x".repeat(REJECTED_VALUE_BYTES);
    expect(keptOf(fits)).toEqual({ event: fits });
    expect(keptOf(`${fits}y`)).toEqual({ event: fits, truncated: true, bytes: REJECTED_VALUE_BYTES + 1 });
  });

  it("keeps the start of a long value's JSON text as a string", () => {
    const value = { props: { path: `/${"a".repeat(REJECTED_VALUE_BYTES)}` } };
    const text = JSON.stringify(value);
    expect(keptOf(value)).toEqual({
      event: text.slice(0, REJECTED_VALUE_BYTES),
      truncated: true,
      bytes: text.length,
    });
  });

  it("cuts a 10 MiB line to the limit", () => {
    const line = `{"props":{"path":"/${"é".repeat(5 * 1024 * 1024)}"}}`;
    const kept = keptOf(line);
    expect(kept).toMatchObject({ truncated: true, bytes: utf8ByteLength(line) });
    expect(utf8ByteLength(kept.event as string)).toBeLessThanOrEqual(REJECTED_VALUE_BYTES);
    expect(line.startsWith(kept.event as string)).toBe(true);
  });

  it("never cuts a character, and never leaves a lone surrogate", () => {
    // Texts of 1- to 4-byte characters and lone surrogates around the limit, so that cuts land everywhere.
    const piece = fc.constantFrom("a", "é", "한", "🐼", "\ud800", "\udc00");
    const wellFormed = (text: string) => text.replace(/\p{Cs}/gu, "\ufffd");
    fc.assert(
      fc.property(fc.array(piece, { minLength: 5000, maxLength: 7000 }), (pieces) => {
        const text = pieces.join("");
        const kept = keptOf(text);
        const stored = kept.event as string;
        expect(jsonTextProblem(stored, "event")).toBeNull();
        const bytes = utf8ByteLength(text);
        if (bytes <= REJECTED_VALUE_BYTES) expect(kept).toEqual({ event: wellFormed(text) });
        else {
          expect(kept).toEqual({ event: wellFormed(text.slice(0, stored.length)), truncated: true, bytes });
          // The longest start that fits: the character after it would not.
          const next = String.fromCodePoint(text.codePointAt(stored.length) as number);
          expect(utf8ByteLength(stored)).toBeLessThanOrEqual(REJECTED_VALUE_BYTES);
          expect(utf8ByteLength(stored) + utf8ByteLength(next)).toBeGreaterThan(REJECTED_VALUE_BYTES);
        }
      }),
      // No shrinking: it would take minutes over arrays this long, and the failing text is printed anyway.
      { seed: 12, numRuns: 200, endOnFailure: true },
    );
  });
});

describe("RejectBudget", () => {
  const record = (budget: RejectBudget, value: unknown) => {
    const { reason, rejected_at, stage, index, ...kept } = budget.record(FIELDS, value);
    return kept;
  };

  it("keeps REJECTED_VALUE_BYTES of values across one request's rejects, then only their sizes", () => {
    const budget = new RejectBudget();
    const quarter = "q".repeat(REJECTED_VALUE_BYTES / 4);
    expect(record(budget, quarter)).toEqual({ event: quarter });
    expect(record(budget, { tag: "판다스" })).toEqual({ event: { tag: "판다스" } });
    const left = REJECTED_VALUE_BYTES - quarter.length - utf8ByteLength(JSON.stringify({ tag: "판다스" }));
    const long = "l".repeat(REJECTED_VALUE_BYTES);
    expect(record(budget, long)).toEqual({ event: long.slice(0, left), truncated: true, bytes: long.length });
    expect(record(budget, "more")).toEqual({ event: "", truncated: true, bytes: 4 });
    expect(record(budget, nested(65))).toEqual({ event: null });
  });

  it("gives each request a budget of its own", () => {
    const long = "l".repeat(REJECTED_VALUE_BYTES);
    expect(record(new RejectBudget(), long)).toEqual({ event: long });
    expect(record(new RejectBudget(), long)).toEqual({ event: long });
  });
});
