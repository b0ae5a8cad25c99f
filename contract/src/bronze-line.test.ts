import { describe, expect, it } from "vitest";
import { parseBronzeLine } from "./bronze-line.ts";

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

  it.each([
    ["{not json", expect.stringMatching(/^not JSON: /)],
    ["[]", "event must be a JSON object"],
    [line({ id: "x" }), "id must be a UUID"],
    [line({ type: "purchase" }), expect.stringMatching(/^type must be one of page_view/)],
    [line({ source: "cli" }), "source must be web or server"],
    [line({ type: "login", props: {} }), "type login is emitted by the server only"],
    [line({ username: "" }), "username must be a non-empty string or null"],
    [line({ username: 7 }), "username must be a non-empty string or null"],
    [line({ ts: "2026-11-25" }), "ts must be an ISO 8601 timestamp with a time zone"],
    [line({ received_at: undefined }), "received_at must be an ISO 8601 timestamp with a time zone"],
    [line({ ts: "2026-11-23T09:12:03.120Z" }), "ts is more than 24 hours away from the server's clock"],
    [line({ props: undefined }), "props must be a JSON object"],
    [line({ props: { category: "data" } }), expect.stringMatching(/^props\.query: /)],
  ])("rejects %s", (text, reason) => {
    expect(reasonOf(text)).toEqual(reason);
  });
});
