import { describe, expect, it } from "vitest";
import {
  acceptClientEvent,
  canonicalIsoTimestamp,
  jsonUtf8Length,
  nestsDeeperThan,
  type Stamp,
  serverEvent,
  utf8ByteLength,
} from "./events.ts";
import { LIMITS } from "./limits.ts";

const receivedAt = new Date("2026-11-25T09:12:03.481Z");
const stamp: Stamp = { receivedAt, username: "minji", source: "web" };
const valid = {
  id: "0193a0b2-7c1e-7d4a-9f00-1234567890ab",
  type: "search_query",
  ts: "2026-11-25T09:12:03.120Z",
  props: { query: "판다스 pandas", category: "data" },
};

const reasonOf = (raw: unknown) => {
  const verdict = acceptClientEvent(raw, stamp);
  return verdict.ok ? null : verdict.reason;
};

describe("acceptClientEvent", () => {
  it("stamps a valid event and keeps its props as sent", () => {
    const verdict = acceptClientEvent({ ...valid, username: "spoofed", received_at: "x" }, stamp);
    expect(verdict).toEqual({
      ok: true,
      event: { ...valid, username: "minji", received_at: "2026-11-25T09:12:03.481Z", source: "web" },
    });
    if (verdict.ok)
      expect(Object.keys(verdict.event)).toEqual(["id", "type", "ts", "username", "props", "received_at", "source"]);
  });

  it("normalizes ts to UTC and the id to lower case", () => {
    const verdict = acceptClientEvent({ ...valid, id: valid.id.toUpperCase(), ts: "2026-11-25T18:12:03+09:00" }, stamp);
    expect(verdict.ok && verdict.event.ts).toBe("2026-11-25T09:12:03.000Z");
    expect(verdict.ok && verdict.event.id).toBe(valid.id);
  });

  it("defaults missing props to an empty object only where none are required", () => {
    expect(reasonOf({ ...valid, type: "page_view", props: undefined })).toBe(
      "props.path: Invalid input: expected string, received undefined",
    );
  });

  it.each([
    [null, "event must be a JSON object"],
    [[valid], "event must be a JSON object"],
    [{ ...valid, id: "42" }, "id must be a UUID"],
    [{ ...valid, type: "purchase" }, expect.stringMatching(/^type must be one of page_view, search_query/)],
    [{ ...valid, type: "__proto__" }, expect.stringMatching(/^type must be one of/)],
    [{ ...valid, type: "login", props: {} }, "type login is emitted by the server only"],
    [
      { ...valid, type: "recommendation_request", props: { category: "ai" } },
      "type recommendation_request is emitted by the server only",
    ],
    [{ ...valid, ts: "yesterday" }, "ts must be an ISO 8601 timestamp with a time zone"],
    [{ ...valid, ts: "2026-11-25T09:12:03" }, "ts must be an ISO 8601 timestamp with a time zone"],
    [{ ...valid, ts: "2026-11-23T09:12:03Z" }, "ts is more than 24 hours away from the server's clock"],
    [{ ...valid, props: "q" }, "props must be a JSON object"],
    [{ ...valid, props: { query: "" } }, expect.stringMatching(/^props\.query: /)],
    [
      { ...valid, type: "video_open", props: { category: "AI!", video_id: "v1" } },
      "props.category: must be a lowercase slug",
    ],
    [{ ...valid, type: "course_open", props: { category: "ai" } }, expect.stringMatching(/^props\.course_id: /)],
  ])("rejects %j", (raw, reason) => {
    expect(reasonOf(raw)).toEqual(reason);
  });

  it("limits the size and depth of props", () => {
    const big = { query: "q", blob: "가".repeat(LIMITS.maxPropsBytes / 3) };
    expect(reasonOf({ ...valid, props: big })).toMatch(/^props are \d+ bytes, more than 8192$/);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(reasonOf({ ...valid, props: { query: "q", deep } })).toBe("props nest deeper than 16 levels");
  });

  it("names no path in props that are too big, so that reasons stay as bounded as props", () => {
    const hidden = { query: "q", ["k".repeat(1024 * 1024)]: { text: "\ud800" } };
    expect(reasonOf({ ...valid, props: hidden })).toMatch(/^props are \d+ bytes, more than 8192$/);
  });

  it("keeps prototype-pollution keys as plain data", () => {
    const raw = JSON.parse(
      `{"id":"${valid.id}","type":"page_view","ts":"${valid.ts}","props":{"path":"/","__proto__":{"polluted":1}}}`,
    );
    const verdict = acceptClientEvent(raw, stamp);
    expect(verdict.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    if (verdict.ok) expect(JSON.stringify(verdict.event.props)).toBe('{"path":"/","__proto__":{"polluted":1}}');
  });
});

describe("nestsDeeperThan", () => {
  it("counts objects and arrays", () => {
    expect(nestsDeeperThan({ a: [1] }, 2)).toBe(false);
    expect(nestsDeeperThan({ a: [{}] }, 2)).toBe(true);
    expect(nestsDeeperThan("flat", 0)).toBe(false);
  });
});

describe("serverEvent", () => {
  it("builds a server-stamped envelope", () => {
    const at = new Date("2026-11-25T00:00:00.000Z");
    const event = serverEvent("login_failed", { reason: "wrong_password" }, "minji", at);
    expect(event).toMatchObject({
      type: "login_failed",
      ts: at.toISOString(),
      received_at: at.toISOString(),
      source: "server",
    });
    expect(event.id).toMatch(/^[0-9a-f-]{14}7/);
  });

  it("throws on props that break the contract", () => {
    expect(() => serverEvent("recommendation_request", { category: "" }, null)).toThrow(
      /server event recommendation_request: props.category/,
    );
  });
});

describe("utf8ByteLength", () => {
  it("counts as TextEncoder does", () => {
    for (const text of ["", "abc", "é", "가나", "😀x", "\ud800", "a\udc00b", "\ud83d"]) {
      expect(utf8ByteLength(text)).toBe(new TextEncoder().encode(text).length);
    }
  });
});

describe("canonicalIsoTimestamp", () => {
  it("reads what toISOString writes, as Date.parse does", () => {
    const instants = [0, -1, 951_782_400_000, 4_107_542_399_999, -62_167_219_200_000, 253_402_300_799_999];
    // Years 0000 to 9999 at an uneven step, so that every month, day, hour and millisecond comes up.
    for (let i = 0; i < 20_000; i++) instants.push(-62_167_219_200_000 + i * 15_778_463_017);
    for (const ms of instants) {
      const text = new Date(ms).toISOString();
      expect(text).toHaveLength(24);
      expect(canonicalIsoTimestamp(text)).toBe(ms);
    }
  });

  it("refuses every text that toISOString would not have written", () => {
    for (const text of [
      "2026-02-29T00:00:00.000Z", // Date.parse rolls it over to March 1
      "2026-02-30T00:00:00.000Z",
      "1900-02-29T00:00:00.000Z",
      "2026-04-31T00:00:00.000Z",
      "2026-13-01T00:00:00.000Z",
      "2026-00-01T00:00:00.000Z",
      "2026-01-00T00:00:00.000Z",
      "2026-01-01T24:00:00.000Z",
      "2026-01-01T23:60:00.000Z",
      "2026-01-01T23:59:60.000Z",
      "2026-01-01T23:59:59.000+00:00",
      "2026-01-01T23:59:59Z",
      "2026-01-01T23:59:59.0000Z",
      "2026-01-01 23:59:59.000Z",
      "2026-01-01T23:59:59.00aZ",
      "+02026-01-01T23:59:59.000Z",
      "2026-1-01T23:59:59.000Z",
    ]) {
      expect(canonicalIsoTimestamp(text), text).toBeNull();
    }
    expect(canonicalIsoTimestamp(1_700_000_000_000)).toBeNull();
  });

  it("accepts leap days of leap years", () => {
    for (const text of ["2024-02-29T12:00:00.000Z", "2000-02-29T00:00:00.000Z", "0000-02-29T00:00:00.000Z"]) {
      expect(canonicalIsoTimestamp(text)).toBe(Date.parse(text));
      expect(new Date(Date.parse(text)).toISOString()).toBe(text);
    }
  });
});

describe("jsonUtf8Length", () => {
  const bytesOf = (value: unknown) => utf8ByteLength(JSON.stringify(value));

  it("counts the UTF-8 bytes of JSON.stringify for parsed JSON", () => {
    const values: unknown[] = [
      {},
      [],
      null,
      true,
      false,
      0,
      -0,
      1e21,
      1e-7,
      123.456,
      -5e-324,
      "",
      'quote " backslash \\ slash / tab \t nl \n cr \r bs \b ff \f nul \u0000 us \u001f del \u007f',
      "é 가나 😀 \ud800 a\udc00b \ud83d",
      { path: "/category/data", nested: { list: [1, "two", null, [], {}], flag: false } },
      { 'ké"y': ["\u2028\u2029"], 10: 1, 2: 2, b: 3, __proto__x: 4 },
      JSON.parse('{"__proto__":{"polluted":1},"path":"/"}'),
      [[[[[]]]]],
    ];
    for (const value of values) expect(jsonUtf8Length(value), JSON.stringify(value)).toBe(bytesOf(value));
  });

  it("leaves to JSON.stringify what only it can tell", () => {
    for (const value of [
      { a: undefined },
      [undefined],
      { toJSON: () => "x" },
      new Date(0),
      { a: Number.NaN },
      Symbol("s"),
      10n,
      () => 1,
      Object.assign(Object.create({ inherited: 1 }), { own: 2 }),
    ]) {
      expect(jsonUtf8Length(value)).toBeNull();
    }
  });
});
