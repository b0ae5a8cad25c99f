import { describe, expect, it } from "vitest";
import { leadingBomLength, MAX_BRONZE_LINE_BYTES, parseBronzeLine } from "./bronze-line.ts";
import { acceptClientEvent, utf8ByteLength } from "./events.ts";
import { LIMITS, MAX_EVENT_AGE_MS } from "./limits.ts";

const stored = {
  id: "0193a0b2-7c1e-7d4a-9f00-1234567890ab",
  type: "search_query",
  ts: "2026-11-25T09:12:03.120Z",
  username: "minji",
  props: { query: "pandas", category: "data" },
  received_at: "2026-11-25T09:12:03.481Z",
  source: "web",
};
const line = (fields: Record<string, unknown>) => JSON.stringify({ ...stored, ...fields });
const reasonOf = (text: string) => {
  const verdict = parseBronzeLine(text);
  return verdict.ok ? null : verdict.reason;
};

describe("parseBronzeLine", () => {
  it("reads a stored envelope back, canonical as the worker writes it", () => {
    expect(parseBronzeLine(JSON.stringify(stored))).toEqual({ ok: true, event: stored, canonical: true });
    expect(parseBronzeLine(line({ username: null, type: "login", props: {}, source: "server" })).ok).toBe(true);
  });

  it("normalizes id and timestamps, and says the line was not in normal form", () => {
    const verdict = parseBronzeLine(line({ id: stored.id.toUpperCase(), ts: "2026-11-25T18:12:03.120+09:00" }));
    expect(verdict).toEqual({ ok: true, event: stored, canonical: false });
  });

  it("normalizes a canonical-looking date that does not exist, as Date.parse reads it", () => {
    const verdict = parseBronzeLine(line({ ts: "2026-11-31T00:00:00.000Z", received_at: "2026-11-30T23:59:59.999Z" }));
    expect(verdict).toEqual({
      ok: true,
      event: { ...stored, ts: "2026-12-01T00:00:00.000Z", received_at: "2026-11-30T23:59:59.999Z" },
      canonical: false,
    });
  });

  it("keeps the client's ts as stored, normalized like ts", () => {
    const clientTs = "2026-11-25T11:12:01.000Z";
    expect(parseBronzeLine(line({ client_ts: clientTs }))).toEqual({
      ok: true,
      event: { ...stored, client_ts: clientTs },
      canonical: true,
    });
    expect(parseBronzeLine(line({ client_ts: "2026-11-25T20:12:01+09:00" }))).toEqual({
      ok: true,
      event: { ...stored, client_ts: clientTs },
      canonical: false,
    });
  });

  it("takes a line with keys the envelope does not have as not in normal form, and drops them", () => {
    expect(parseBronzeLine(line({ extra: 1 }))).toEqual({ ok: true, event: stored, canonical: false });
    expect(parseBronzeLine(line({ client_ts: stored.ts, sent_at: stored.ts }))).toEqual({
      ok: true,
      event: { ...stored, client_ts: stored.ts },
      canonical: false,
    });
  });

  it("accepts an event as old as the horizon before it was received, or a little after", () => {
    const received = Date.parse(stored.received_at);
    for (const at of [received - MAX_EVENT_AGE_MS, received + LIMITS.maxFutureSkewMs]) {
      expect(parseBronzeLine(line({ ts: new Date(at).toISOString() })).ok).toBe(true);
    }
  });

  it("takes any line the worker can write, and refuses one longer than MAX_BRONZE_LINE_BYTES, counted in UTF-8", () => {
    // The largest event a client can send: props of exactly LIMITS.maxPropsBytes, each escaped
    // control character 6 bytes of JSON, under the longest username an account may have.
    const base = { path: "/", pad: "" };
    const room = LIMITS.maxPropsBytes - utf8ByteLength(JSON.stringify(base));
    const props = { ...base, pad: `${"\u0001".repeat(Math.floor(room / 6))}${"x".repeat(room % 6)}` };
    expect(utf8ByteLength(JSON.stringify(props))).toBe(LIMITS.maxPropsBytes);
    const receivedAt = new Date(stored.received_at);
    const accepted = acceptClientEvent(
      { id: stored.id, type: "page_view", ts: stored.ts, props },
      { receivedAt, username: "u".repeat(32), source: "web", sentAt: null },
    );
    if (!accepted.ok) throw new Error(accepted.reason);
    const written = JSON.stringify(accepted.event);
    expect(utf8ByteLength(written)).toBeLessThan(MAX_BRONZE_LINE_BYTES / 4);
    expect(parseBronzeLine(written).ok).toBe(true);

    // JSON allows any whitespace between tokens: a line padded to the bound is read, one byte more is not.
    const padded = (bytes: number) =>
      `${JSON.stringify(stored).slice(0, -1)}${" ".repeat(bytes - JSON.stringify(stored).length)}}`;
    expect(parseBronzeLine(padded(MAX_BRONZE_LINE_BYTES)).ok).toBe(true);
    const tooLong = `line is longer than ${MAX_BRONZE_LINE_BYTES} bytes (MAX_BRONZE_LINE_BYTES)`;
    expect(reasonOf(padded(MAX_BRONZE_LINE_BYTES + 1))).toBe(tooLong);
    // Fewer UTF-16 units than the bound, more UTF-8 bytes (3 for each of these characters).
    const korean = line({ username: "한".repeat(MAX_BRONZE_LINE_BYTES / 3) });
    expect(korean.length).toBeLessThan(MAX_BRONZE_LINE_BYTES);
    expect(reasonOf(korean)).toBe(tooLong);
  });

  it("measures a byte order mark opening an object, and nothing else", () => {
    const bytes = (...values: number[]) => Uint8Array.from(values);
    expect(leadingBomLength(bytes(0xef, 0xbb, 0xbf, 0x7b))).toBe(3);
    expect(leadingBomLength(bytes(0xef, 0xbb, 0xbf))).toBe(3);
    expect(leadingBomLength(bytes(0xef, 0xbb))).toBe(0);
    expect(leadingBomLength(bytes(0x7b, 0xef, 0xbb, 0xbf))).toBe(0);
    expect(leadingBomLength(bytes())).toBe(0);
  });

  it.each([
    ["{not json", expect.stringMatching(/^not JSON: /)],
    ["[]", "event must be a JSON object"],
    [line({ id: "x" }), "id must be a UUID"],
    [line({ type: "purchase" }), expect.stringMatching(/^type must be one of page_view/)],
    [line({ source: "cli" }), "source must be web or server"],
    [line({ type: "login", props: {} }), "type login is emitted by the server only"],
    [line({ username: "" }), "username must be a non-empty, well-formed string or null"],
    [line({ username: 7 }), "username must be a non-empty, well-formed string or null"],
    [line({ username: "minji\ud800" }), "username must be a non-empty, well-formed string or null"],
    [line({ ts: "2026-11-25" }), "ts must be an ISO 8601 timestamp with a time zone"],
    [line({ received_at: undefined }), "received_at must be an ISO 8601 timestamp with a time zone"],
    [line({ ts: "2026-10-26T09:12:03.480Z" }), expect.stringMatching(/\(LIMITS\.maxEventAgeDays\)$/)],
    [line({ ts: "2026-11-25T09:22:03.482Z" }), expect.stringMatching(/\(LIMITS\.maxFutureSkewMs\)$/)],
    [line({ client_ts: "yesterday" }), "client_ts must be an ISO 8601 timestamp with a time zone"],
    [line({ client_ts: null }), "client_ts must be an ISO 8601 timestamp with a time zone"],
    [line({ props: { query: "pandas", x: "\ud800" } }), expect.stringMatching(/^props\.x: .*lone surrogate/)],
    [line({ props: { query: "pandas", "\udc00": 1 } }), expect.stringMatching(/^props: a key .*lone surrogate/)],
    [
      line({ props: { query: "pandas", n: 0 } }).replace('"n":0', '"n":1e400'),
      expect.stringMatching(/^props\.n: number /),
    ],
    [line({ props: undefined }), "props must be a JSON object"],
    [line({ props: { category: "data" } }), expect.stringMatching(/^props\.query: /)],
  ])("rejects %s", (text, reason) => {
    expect(reasonOf(text)).toEqual(reason);
  });
});
