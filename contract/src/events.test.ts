import { describe, expect, it } from "vitest";
import {
  acceptClientEvent,
  canonicalIsoTimestamp,
  EVENT_TYPES,
  eventTime,
  eventTimeProblem,
  jsonTextProblem,
  jsonUtf8Length,
  nestsDeeperThan,
  propsProblem,
  type Stamp,
  serverEvent,
  utf8ByteLength,
} from "./events.ts";
import { LIMITS, MAX_EVENT_AGE_MS } from "./limits.ts";

const receivedAt = new Date("2026-11-25T09:12:03.481Z");
const stamp: Stamp = { receivedAt, username: "minji", source: "web", sentAt: null };
const HOUR_MS = 60 * 60 * 1000;
const iso = (ms: number) => new Date(ms).toISOString();
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
      event: {
        ...valid,
        client_ts: valid.ts,
        username: "minji",
        received_at: "2026-11-25T09:12:03.481Z",
        source: "web",
      },
    });
    if (verdict.ok)
      expect(Object.keys(verdict.event)).toEqual([
        "id",
        "type",
        "ts",
        "client_ts",
        "username",
        "props",
        "received_at",
        "source",
      ]);
  });

  it("normalizes ts to UTC and the id to lower case", () => {
    const verdict = acceptClientEvent({ ...valid, id: valid.id.toUpperCase(), ts: "2026-11-25T18:12:03+09:00" }, stamp);
    expect(verdict.ok && verdict.event.ts).toBe("2026-11-25T09:12:03.000Z");
    expect(verdict.ok && verdict.event.client_ts).toBe("2026-11-25T09:12:03.000Z");
    expect(verdict.ok && verdict.event.id).toBe(valid.id);
  });

  it("corrects ts by how far the client's clock was off when it sent, and keeps the client's ts", () => {
    // The client's clock is 2 h fast: its event happened 5 s before it sent the batch, which took 361 ms.
    const sentAt = receivedAt.getTime() - 361 + 2 * HOUR_MS;
    const clientTs = "2026-11-25T20:11:58.120+09:00"; // sentAt − 5 s, in the client's own zone
    const verdict = acceptClientEvent({ ...valid, ts: clientTs }, { ...stamp, sentAt });
    expect(verdict.ok && [verdict.event.ts, verdict.event.client_ts]).toEqual([
      iso(receivedAt.getTime() - 5000),
      "2026-11-25T11:11:58.120Z",
    ]);
  });

  it("accepts an event as old as the horizon, once corrected, and refuses it older", () => {
    const oldest = receivedAt.getTime() - MAX_EVENT_AGE_MS;
    expect(reasonOf({ ...valid, ts: iso(oldest) })).toBeNull();
    expect(reasonOf({ ...valid, ts: iso(oldest - 1) })).toMatch(/LIMITS\.maxEventAgeDays/);
    // A clock a day slow: a ts past the horizon by that clock, within it once corrected.
    const slow = { ...stamp, sentAt: receivedAt.getTime() - 24 * HOUR_MS };
    expect(acceptClientEvent({ ...valid, ts: iso(oldest - 60_000) }, slow).ok).toBe(true);
  });

  it("tolerates a ts a little in the future, and corrects one further ahead when the batch says when it was sent", () => {
    const ahead = receivedAt.getTime() + 20 * 60_000;
    expect(reasonOf({ ...valid, ts: iso(receivedAt.getTime() + LIMITS.maxFutureSkewMs) })).toBeNull();
    expect(reasonOf({ ...valid, ts: iso(ahead) })).toMatch(/LIMITS\.maxFutureSkewMs/);
    const verdict = acceptClientEvent({ ...valid, ts: iso(ahead) }, { ...stamp, sentAt: ahead + 1000 });
    expect(verdict.ok && verdict.event.ts).toBe(iso(receivedAt.getTime() - 1000));
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
    [
      { ...valid, ts: "2026-10-25T09:12:03Z" },
      `ts is more than ${LIMITS.maxEventAgeDays} days before the event was received (LIMITS.maxEventAgeDays)`,
    ],
    [
      { ...valid, ts: "2026-11-25T09:30:00Z" },
      "ts is more than 10 minutes after the event was received (LIMITS.maxFutureSkewMs)",
    ],
    [{ ...valid, props: { query: "q", x: "\ud800" } }, expect.stringMatching(/^props\.x: .*lone surrogate/)],
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

describe("eventTime", () => {
  const received = receivedAt.getTime();

  it("is the client's ts when the batch did not say when it was sent", () => {
    expect(eventTime(received - 5000, received, null)).toBe(received - 5000);
    expect(eventTime(received + 3 * HOUR_MS, received, null)).toBe(received + 3 * HOUR_MS);
  });

  it("moves ts by the client clock's error: a clock 2 h fast lands within the request's latency of the truth", () => {
    const latency = 250;
    const sentTruly = received - latency;
    const happened = sentTruly - 30_000;
    const at = eventTime(happened + 2 * HOUR_MS, received, sentTruly + 2 * HOUR_MS);
    expect(at).toBe(happened + latency);
    expect(eventTime(happened - 3 * HOUR_MS, received, sentTruly - 3 * HOUR_MS)).toBe(happened + latency);
  });

  it("takes an event stamped after its batch was sent as made when it was received", () => {
    expect(eventTime(received + 60_000, received, received - 1000)).toBe(received);
    expect(eventTime(received - 1000, received, received - 1000)).toBe(received);
  });
});

describe("eventTimeProblem", () => {
  const received = receivedAt.getTime();

  it("accepts the horizon and the future tolerance, both included", () => {
    expect(eventTimeProblem(received, received)).toBeNull();
    expect(eventTimeProblem(received - MAX_EVENT_AGE_MS, received)).toBeNull();
    expect(eventTimeProblem(received + LIMITS.maxFutureSkewMs, received)).toBeNull();
  });

  it("names the limit an event time is beyond", () => {
    expect(eventTimeProblem(received - MAX_EVENT_AGE_MS - 1, received)).toBe(
      "ts is more than 30 days before the event was received (LIMITS.maxEventAgeDays)",
    );
    expect(eventTimeProblem(received + LIMITS.maxFutureSkewMs + 1, received)).toBe(
      "ts is more than 10 minutes after the event was received (LIMITS.maxFutureSkewMs)",
    );
  });
});

describe("jsonTextProblem", () => {
  it("accepts well-formed text of every plane, finite numbers and plain data", () => {
    for (const value of [
      { query: "pandas 판다스 🐼", pair: "\ud83d\udc3c", empty: "", nul: "\u0000" },
      JSON.parse('{"\ud83d\udc3c":["\ud83d\udc3c", 1e308, -5e-324, 0, null, true]}'),
      [],
      null,
    ]) {
      expect(jsonTextProblem(value, "props")).toBeNull();
    }
  });

  it.each([
    [
      "a high surrogate alone",
      { x: "\ud800" },
      "props.x: text must be well-formed Unicode (it holds a lone surrogate)",
    ],
    ["a low surrogate alone", { x: "\udc00" }, "props.x: text must be well-formed Unicode (it holds a lone surrogate)"],
    ["a low surrogate amid text", { x: "a\udc00b" }, expect.stringMatching(/^props\.x: .*lone surrogate/)],
    ["a pair in the wrong order", { x: "\udc00\ud800" }, expect.stringMatching(/^props\.x: .*lone surrogate/)],
    [
      "a lone surrogate in a nested value",
      { a: { b: ["ok", "\ud83d"] } },
      expect.stringMatching(/^props\.a\.b\[1\]: /),
    ],
    [
      "a lone surrogate in a key",
      { "k\ud800": 1 },
      "props: a key must be well-formed Unicode (one holds a lone surrogate)",
    ],
    ["a lone low surrogate in a nested key", { a: { "\udc00": 1 } }, expect.stringMatching(/^props\.a: a key /)],
    [
      "a number JSON parsed as Infinity",
      JSON.parse('{"n":1e400}'),
      "props.n: number is out of the range JSON can carry",
    ],
    ["-Infinity in an array", { n: [-Infinity] }, "props.n[0]: number is out of the range JSON can carry"],
    ["NaN", { n: Number.NaN }, "props.n: number is out of the range JSON can carry"],
  ])("refuses %s", (_, value, reason) => {
    expect(jsonTextProblem(value, "props")).toEqual(reason);
  });

  it("is what acceptClientEvent refuses, for text JSON.parse made from escapes", () => {
    const raw = JSON.parse(
      `{"id":"${valid.id}","type":"page_view","ts":"${valid.ts}","props":{"path":"/","x":"\\ud800"}}`,
    );
    expect(reasonOf(raw)).toBe("props.x: text must be well-formed Unicode (it holds a lone surrogate)");
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
    const recId = "01a237ed-7261-760d-93df-a47cc98d3e52";
    expect(() => serverEvent("recommendation_request", { category: "", rec_id: recId, course_ids: [] }, null)).toThrow(
      /server event recommendation_request: props.category/,
    );
    expect(() => serverEvent("recommendation_request", { category: "web", course_ids: [] } as never, null)).toThrow(
      /props.rec_id/,
    );
  });
});

describe("attribution props", () => {
  const id = "01a237ed-7261-760d-93df-a47cc98d3e52";
  it("takes UUIDs as anonymous_id and session_id on every type, and nothing else there", () => {
    for (const type of EVENT_TYPES) {
      expect(propsProblem(type, { anonymous_id: "browser-1" }), type).toMatch(/^props\.anonymous_id: must be a UUID/);
      expect(propsProblem(type, { session_id: 7 }), type).toMatch(/^props\.session_id/);
    }
    expect(propsProblem("page_view", { path: "/", anonymous_id: id, session_id: id })).toBeNull();
  });

  it("ties an open to its recommendation (1-based position) or its search", () => {
    const open = { category: "web", course_id: "c1" };
    expect(propsProblem("course_open", { ...open, rec_id: id, position: 1 })).toBeNull();
    expect(propsProblem("course_open", { ...open, rec_id: id, position: 0 })).toMatch(/^props\.position/);
    expect(propsProblem("course_open", { ...open, rec_id: id, position: 1.5 })).toMatch(/^props\.position/);
    expect(propsProblem("course_open", { ...open, search_id: "s" })).toMatch(/^props\.search_id/);
    expect(propsProblem("video_open", { category: "web", video_id: "v1", search_id: id })).toBeNull();
    expect(propsProblem("search_query", { query: "sql", results: 0, search_id: id })).toBeNull();
    expect(propsProblem("recommendation_request", { category: "web", rec_id: id, course_ids: ["c1", ""] })).toMatch(
      /^props\.course_ids\.1/,
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
