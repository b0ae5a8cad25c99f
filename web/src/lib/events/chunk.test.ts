import type { ClientEvent } from "@growit/contract";
import { describe, expect, it } from "vitest";
import { bodyBytes, chunkEvents, takeChunk } from "./chunk.ts";
import { CONFIG } from "./config.ts";
import { requestBody } from "./transport.ts";

const utf8 = new TextEncoder();
const SENT_AT = Date.parse("2026-05-01T12:00:05.000Z");
const size = (events: readonly ClientEvent[], sentAt = SENT_AT) => utf8.encode(requestBody(events, sentAt)).length;

function events(count: number, propsBytes = 100): ClientEvent[] {
  // Multi-byte characters: limits are in UTF-8 bytes, not string length.
  const query = "한".repeat(Math.ceil(propsBytes / 3));
  return Array.from({ length: count }, (_, i) => ({
    id: `0196${String(i).padStart(4, "0")}-0000-7000-8000-000000000000`,
    type: "search_query",
    ts: "2026-05-01T12:00:00.000Z",
    props: { query },
  }));
}

const BEACON = { maxBytes: CONFIG.beaconMaxBytes, maxEvents: CONFIG.maxEventsPerRequest };
const REQUEST = { maxBytes: CONFIG.requestMaxBytes, maxEvents: CONFIG.maxEventsPerRequest };

describe("bodyBytes", () => {
  it("is the UTF-8 size of the JSON body", () => {
    for (const n of [0, 1, 2, 7]) expect(bodyBytes(events(n), SENT_AT)).toBe(size(events(n)));
    // A clock past year 9999 writes a longer sent_at.
    const far = Date.parse("+010000-01-01T00:00:00.000Z");
    expect(bodyBytes(events(2), far)).toBe(size(events(2), far));
  });
});

describe("chunkEvents", () => {
  it("keeps every beacon chunk under 64 KiB and at most 500 events, in order, losing nothing", () => {
    const all = events(400, 900);
    const chunks = chunkEvents(all, BEACON, SENT_AT);
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) {
      expect(size(chunk)).toBeLessThan(64 * 1024);
      expect(chunk.length).toBeLessThanOrEqual(500);
    }
    expect(chunks.flat()).toEqual(all);
  });

  it("fills chunks: adding the next event would break the byte limit", () => {
    const all = events(400, 900);
    const chunks = chunkEvents(all, BEACON, SENT_AT);
    for (const [i, chunk] of chunks.slice(0, -1).entries()) {
      const next = chunks[i + 1]?.[0];
      if (next) expect(size([...chunk, next])).toBeGreaterThan(CONFIG.beaconMaxBytes);
    }
  });

  it("caps requests at 500 events and 1 MiB", () => {
    const small = chunkEvents(events(1_234, 10), REQUEST, SENT_AT);
    expect(small.map((c) => c.length)).toEqual([500, 500, 234]);
    const big = chunkEvents(events(600, 4_000), REQUEST, SENT_AT);
    for (const chunk of big) expect(size(chunk)).toBeLessThanOrEqual(1024 * 1024);
    expect(big.length).toBe(3);
    expect(big.flat().length).toBe(600);
  });

  it("puts an event too big for any chunk in a chunk of its own", () => {
    const [huge] = events(1, 70_000);
    const all = [...events(2), huge as ClientEvent, ...events(2)];
    expect(chunkEvents(all, BEACON, SENT_AT).map((c) => c.length)).toEqual([2, 1, 2]);
    expect(takeChunk([huge as ClientEvent], BEACON, SENT_AT)).toHaveLength(1);
    expect(chunkEvents([], BEACON, SENT_AT)).toEqual([]);
  });
});
