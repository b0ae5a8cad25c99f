import type { ClientEvent } from "@growit/contract";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { FetchLike, TimersLike } from "./env.ts";
import { blobBody, response } from "./fakes.ts";
import { beacon, classify, type PostOptions, postEvents } from "./transport.ts";

const NOW = Date.parse("2026-05-01T12:00:00Z");
const EVENTS: ClientEvent[] = [
  {
    id: "01968a7e-0000-7000-8000-000000000001",
    type: "page_view",
    ts: "2026-05-01T12:00:00.000Z",
    props: { path: "/" },
  },
];
const timers: TimersLike = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
const SENT_AT = NOW + 1234;
const options = (fetch: FetchLike): PostOptions => ({
  fetch,
  timers,
  now: () => NOW,
  sentAt: SENT_AT,
  timeoutMs: 30_000,
});

describe("postEvents", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("POSTs {events, sent_at} as same-origin JSON", async () => {
    const fetch = vi.fn<FetchLike>(async () => response(202, { accepted: 1, rejected: [] }));
    await expect(postEvents("/api/events", EVENTS, options(fetch))).resolves.toEqual({
      kind: "accepted",
      accepted: 1,
      rejected: [],
    });
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url).toBe("/api/events");
    expect(init).toMatchObject({
      method: "POST",
      headers: { "content-type": "application/json" },
      credentials: "same-origin",
    });
    expect(init?.keepalive).toBeUndefined();
    expect(JSON.parse(init?.body ?? "")).toEqual({ events: EVENTS, sent_at: "2026-05-01T12:00:01.234Z" });
  });

  it("sets keepalive when asked", async () => {
    const fetch = vi.fn<FetchLike>(async () => response(202, { accepted: 1, rejected: [] }));
    await postEvents("/api/events", EVENTS, { ...options(fetch), keepalive: true });
    expect(fetch.mock.calls[0]?.[1].keepalive).toBe(true);
  });

  it("turns a network error into a retry", async () => {
    const fetch: FetchLike = async () => {
      throw new TypeError("Failed to fetch");
    };
    await expect(postEvents("/api/events", EVENTS, options(fetch))).resolves.toMatchObject({
      kind: "retry",
      status: null,
      error: expect.stringContaining("Failed to fetch"),
    });
  });

  it("aborts a request with no answer after the timeout and retries", async () => {
    const fetch: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) => init.signal?.addEventListener("abort", () => reject(new Error("aborted"))));
    const outcome = postEvents("/api/events", EVENTS, options(fetch));
    await vi.advanceTimersByTimeAsync(30_000);
    await expect(outcome).resolves.toMatchObject({ kind: "retry", error: "no answer within 30000 ms" });
  });
});

describe("classify", () => {
  it("reads accepted and per-index rejects from a 202", async () => {
    const body = { accepted: 1, rejected: [{ index: 1, reason: "props.path: must start with /" }] };
    await expect(classify(response(202, body), NOW)).resolves.toEqual({ kind: "accepted", ...body });
  });

  it("refuses (drops) on a 4xx other than 429, keeping the server's message", async () => {
    for (const status of [400, 403, 413, 415]) {
      await expect(classify(response(status, { error: "events is empty" }), NOW)).resolves.toEqual({
        kind: "refused",
        status,
        error: "events is empty",
      });
    }
  });

  it("retries on 429 and 5xx, with Retry-After in seconds or as a date", async () => {
    await expect(classify(response(429, { error: "slow down" }, { "Retry-After": "7" }), NOW)).resolves.toEqual({
      kind: "retry",
      status: 429,
      retryAfterMs: 7_000,
      error: "slow down",
    });
    const date = new Date(NOW + 90_000).toUTCString();
    await expect(
      classify(response(503, { error: "storage down", retryable: true }, { "retry-after": date }), NOW),
    ).resolves.toMatchObject({ kind: "retry", status: 503, retryAfterMs: 90_000 });
    await expect(classify(response(500), NOW)).resolves.toMatchObject({
      kind: "retry",
      retryAfterMs: undefined,
      error: "HTTP 500",
    });
  });
});

describe("beacon", () => {
  it("sends an application/json Blob of {events, sent_at}", async () => {
    const sendBeacon = vi.fn((_url: string, _data: Blob) => true);
    expect(beacon(sendBeacon, "/api/events", EVENTS, SENT_AT)).toBe(true);
    const blob = sendBeacon.mock.calls[0]?.[1] as Blob;
    expect(blob.type).toBe("application/json");
    await expect(blobBody(blob)).resolves.toEqual({ events: EVENTS, sent_at: "2026-05-01T12:00:01.234Z" });
  });

  it("reports false when sendBeacon is missing, refuses or throws", () => {
    expect(beacon(undefined, "/api/events", EVENTS, SENT_AT)).toBe(false);
    expect(beacon(() => false, "/api/events", EVENTS, SENT_AT)).toBe(false);
    expect(
      beacon(
        () => {
          throw new TypeError("not allowed");
        },
        "/api/events",
        EVENTS,
        SENT_AT,
      ),
    ).toBe(false);
  });
});
