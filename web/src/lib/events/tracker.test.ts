import type { ClientEvent } from "@growit/contract";
import { acceptClientEvent, DAY_MS, LIMITS, MAX_EVENT_AGE_MS, SESSION_IDLE_MS } from "@growit/contract";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CONFIG } from "./config.ts";
import { blobBody, blobEvents, drain, FakeBrowser, type FakeTab } from "./fakes.ts";

const T0 = Date.parse("2026-05-01T12:00:00.000Z");
const CAP = 5 * 60_000;

let browser: FakeBrowser;
let tab: FakeTab;

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
  vi.setSystemTime(T0);
  browser = new FakeBrowser();
  tab = browser.openTab("a");
  await drain();
});

afterEach(() => {
  tab.close();
  vi.useRealTimers();
});

const views = (n: number, from = 0) => {
  for (let i = 0; i < n; i++) tab.tracker.track("page_view", { path: `/p/${from + i}` });
};
const paths = (events: readonly ClientEvent[]) => events.map((e) => (e.props as { path: string }).path);
const iso = (ms: number) => new Date(ms).toISOString();
const advance = async (ms: number) => {
  await vi.advanceTimersByTimeAsync(ms);
  await drain();
};

describe("track", () => {
  it("queues a contract-shaped event with a UUIDv7 id, the client's ts and the browser's attribution ids", async () => {
    tab.tracker.track("video_open", { category: "ai", video_id: "v1" });
    await drain();
    expect(tab.tracker.stats()).toEqual({ queued: 1, dropped: 0, rejected: 0, sender: true });
    await tab.tracker.flush();
    const [sent] = browser.server.requests[0]?.events ?? [];
    const ids = tab.tracker.attribution();
    expect(sent).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      type: "video_open",
      ts: "2026-05-01T12:00:00.000Z",
      props: { category: "ai", video_id: "v1", anonymous_id: ids.anonymous_id, session_id: ids.session_id },
    });
  });

  it("gives every tab of the browser one anonymous id, and a new session id after 30 idle minutes", async () => {
    const other = browser.openTab("b");
    const first = tab.tracker.attribution();
    expect(other.tracker.attribution()).toEqual(first);
    await advance(SESSION_IDLE_MS + 1);
    const later = other.tracker.attribution();
    expect(later.anonymous_id).toBe(first.anonymous_id);
    expect(later.session_id).not.toBe(first.session_id);
    expect(tab.tracker.attribution()).toEqual(later);
    other.close();
  });

  it("refuses oversized props with console.error instead of queueing them", async () => {
    tab.tracker.track("search_query", { query: "x".repeat(9_000) });
    await drain();
    expect(tab.tracker.stats().queued).toBe(0);
    expect(tab.console.error).toHaveBeenCalledWith(expect.stringContaining("search_query not tracked"));
  });
});

describe("batching", () => {
  it("sends at once when 20 events are queued", async () => {
    views(20);
    await drain();
    expect(browser.server.requests).toHaveLength(1);
    const [request] = browser.server.requests;
    expect(paths(request?.events ?? [])).toEqual(Array.from({ length: 20 }, (_, i) => `/p/${i}`));
    expect(request?.url).toBe("/api/events");
    expect(request?.sentAt).toBe(iso(T0));
    expect(request?.init).toMatchObject({
      method: "POST",
      headers: { "content-type": "application/json" },
      credentials: "same-origin",
    });
    expect(tab.tracker.stats().queued).toBe(0);
  });

  it("holds 19 events until 5 s after the first", async () => {
    views(19);
    await advance(4_999);
    expect(browser.server.requests).toHaveLength(0);
    await advance(1);
    expect(browser.server.requests).toHaveLength(1);
    expect(browser.server.requests[0]?.events).toHaveLength(19);
  });

  it("counts the 5 s from the first unsent event, not the last", async () => {
    views(1);
    await advance(3_000);
    views(1, 1);
    await advance(2_000);
    expect(browser.server.requests.map((r) => paths(r.events))).toEqual([["/p/0", "/p/1"]]);
  });

  it("never resends accepted events", async () => {
    views(20);
    await drain();
    views(3, 20);
    await advance(10_000);
    await tab.tracker.flush();
    const sent = browser.server.sentIds();
    expect(new Set(sent).size).toBe(sent.length);
    expect(sent).toHaveLength(23);
  });

  it("does not put an event in flight into a second request", async () => {
    browser.server.hold();
    views(20);
    await drain();
    void tab.tracker.flush();
    void tab.tracker.flush();
    await drain();
    expect(browser.server.requests).toHaveLength(1);
    browser.server.releaseAll();
    await drain();
    expect(browser.server.sentIds()).toHaveLength(20);
  });
});

describe("retries", () => {
  it("retries network errors and 5xx with full-jitter backoff: 1 s doubling, capped at 5 minutes", async () => {
    browser.random = () => 0.999_999_999; // the top of every jitter window
    browser.server.reply(...Array.from({ length: 12 }, () => "network-error" as const), { status: 500 });
    views(20);
    await drain();
    for (let i = 0; i < 13; i++) await advance(CAP);
    const gaps = browser.server.requests.slice(1).map((r, i) => r.at - (browser.server.requests[i]?.at ?? 0));
    expect(gaps.slice(0, 14)).toEqual([
      999,
      1_999,
      3_999,
      7_999,
      15_999,
      31_999,
      63_999,
      127_999,
      255_999,
      CAP - 1,
      CAP - 1,
      CAP - 1,
      CAP - 1,
    ]);
    expect(tab.tracker.stats().queued).toBe(0);
    expect(new Set(browser.server.sentIds()).size).toBe(20);
  });

  it("draws each delay within [0, min(cap, base * 2^n)]", async () => {
    let draws = 0;
    browser.random = () => [0, 0.3, 0.7, 0.999][draws++ % 4] ?? 0;
    browser.server.reply(...Array.from({ length: 8 }, () => ({ status: 503 })));
    views(20);
    await drain();
    for (let i = 0; i < 10; i++) await advance(CAP);
    const gaps = browser.server.requests.slice(1).map((r, i) => r.at - (browser.server.requests[i]?.at ?? 0));
    expect(gaps).toHaveLength(8);
    gaps.forEach((gap, n) => {
      expect(gap).toBeGreaterThanOrEqual(0);
      expect(gap).toBeLessThanOrEqual(Math.min(CAP, 1_000 * 2 ** n));
    });
    expect(gaps[0]).toBe(0); // random() = 0: full jitter may retry at once
  });

  it("honours Retry-After (seconds) on 429 as a minimum", async () => {
    browser.random = () => 0;
    browser.server.reply({ status: 429, body: { error: "slow down" }, headers: { "Retry-After": "30" } });
    views(20);
    await drain();
    await advance(29_999);
    expect(browser.server.requests).toHaveLength(1);
    await advance(1);
    expect(browser.server.requests).toHaveLength(2);
    expect(tab.tracker.stats().queued).toBe(0);
  });

  it("honours Retry-After as an HTTP date on 503", async () => {
    browser.random = () => 0;
    const date = new Date(T0 + 120_000).toUTCString();
    browser.server.reply({ status: 503, body: { error: "down", retryable: true }, headers: { "retry-after": date } });
    views(20);
    await drain();
    await advance(119_999);
    expect(browser.server.requests).toHaveLength(1);
    await advance(1);
    expect(browser.server.requests).toHaveLength(2);
  });

  it("keeps the backoff when it is longer than Retry-After", async () => {
    browser.random = () => 0.999_999_999;
    browser.server.reply(...Array.from({ length: 5 }, () => "network-error" as const), {
      status: 503,
      headers: { "Retry-After": "1" },
    });
    views(20);
    await drain();
    for (let i = 0; i < 7; i++) await advance(CAP);
    const [a, b] = browser.server.requests.slice(-2);
    // The 6th failure (attempt 5) waits up to 32 s, more than the 1 s asked for.
    expect((b?.at ?? 0) - (a?.at ?? 0)).toBe(31_999);
  });

  it("does not flush on new events while backing off", async () => {
    browser.random = () => 0.999_999_999;
    browser.server.reply("network-error", "network-error");
    views(20);
    await drain();
    await advance(999); // second attempt fails: next in 1,999 ms
    expect(browser.server.requests).toHaveLength(2);
    views(40, 20);
    await advance(1_000);
    expect(browser.server.requests).toHaveLength(2);
    await advance(999);
    expect(browser.server.sentIds()).toHaveLength(40 + 60);
    expect(tab.tracker.stats().queued).toBe(0);
  });

  it("resets the backoff and flushes on the online event", async () => {
    browser.random = () => 0.999_999_999;
    browser.server.reply(...Array.from({ length: 6 }, () => "network-error" as const));
    views(20);
    await drain();
    for (let i = 0; i < 6; i++) await advance(CAP); // 6 failures, then success
    expect(browser.server.requests).toHaveLength(7);
    browser.server.reply("network-error", "network-error");
    views(20, 20);
    await drain();
    expect(browser.server.requests).toHaveLength(8);
    tab.window.dispatchEvent(new Event("online"));
    await drain();
    expect(browser.server.requests).toHaveLength(9); // at once, not after the backoff
    await advance(999); // attempt 0 again: at most 1 s
    expect(browser.server.requests).toHaveLength(10);
    expect(tab.tracker.stats().queued).toBe(0);
  });
});

describe("server verdicts", () => {
  it("drops a chunk refused with a 4xx (not 429) and reports the server's message", async () => {
    browser.server.reply({ status: 400, body: { error: 'body must be a JSON object with an "events" array' } });
    views(20);
    await drain();
    await advance(60 * 60_000);
    expect(browser.server.requests).toHaveLength(1);
    expect(tab.console.error).toHaveBeenCalledWith(
      expect.stringContaining('(HTTP 400): body must be a JSON object with an "events" array'),
    );
    expect(tab.tracker.stats()).toMatchObject({ queued: 0, rejected: 20 });
  });

  it("drops per-index rejects of a 202 with console.warn and never resends the chunk", async () => {
    browser.server.reply({
      status: 202,
      body: {
        accepted: 18,
        rejected: [
          { index: 3, reason: "props.path: bad" },
          { index: 7, reason: "too old" },
        ],
      },
    });
    views(20);
    await drain();
    await advance(60_000);
    expect(browser.server.requests).toHaveLength(1);
    expect(tab.console.warn).toHaveBeenCalledWith(
      "events: the server rejected 2 of 20 events:",
      expect.arrayContaining([
        {
          event: expect.objectContaining({ props: expect.objectContaining({ path: "/p/3" }) }),
          reason: "props.path: bad",
        },
      ]),
    );
    expect(tab.tracker.stats()).toMatchObject({ queued: 0, rejected: 2 });
  });
});

describe("offline queue", () => {
  it("holds at most 1,000 events, dropping the oldest and counting them across reloads", async () => {
    tab.online = false;
    views(1_005);
    await drain();
    expect(tab.tracker.stats()).toMatchObject({ queued: 1_000, dropped: 5 });
    expect(browser.server.requests).toHaveLength(0);
    tab.close();
    tab = browser.openTab("reloaded");
    tab.online = false;
    await drain();
    expect(tab.tracker.stats()).toMatchObject({ queued: 1_000, dropped: 5 });
  });

  it("holds at most 1 MiB serialized", async () => {
    tab.online = false;
    for (let i = 0; i < 400; i++) tab.tracker.track("search_query", { query: `${i} ${"q".repeat(4_000)}` });
    await drain();
    const stored = browser.storage.items.get(CONFIG.queueKey) ?? "";
    expect(new TextEncoder().encode(stored).length).toBeLessThanOrEqual(1024 * 1024);
    const { queued, dropped } = tab.tracker.stats();
    expect(queued + dropped).toBe(400);
    expect(dropped).toBeGreaterThan(100);
  });

  it("sends what an earlier visit left, at start", async () => {
    tab.online = false;
    views(5);
    await drain();
    tab.close();
    await advance(60_000);
    tab = browser.openTab("next visit");
    await advance(0); // older than the batch delay: due at once
    expect(browser.server.requests).toHaveLength(1);
    expect(paths(browser.server.requests[0]?.events ?? [])).toEqual(["/p/0", "/p/1", "/p/2", "/p/3", "/p/4"]);
  });

  it("survives a corrupted stored queue", async () => {
    tab.close();
    browser.storage.items.set(CONFIG.queueKey, "{corrupt");
    tab = browser.openTab("b");
    await drain();
    views(20);
    await drain();
    expect(browser.server.sentIds()).toHaveLength(20);
  });

  it("sends three days of offline events once each on reconnecting, stamped with sent_at, dropping none", async () => {
    tab.online = false;
    for (let hour = 0; hour < 72; hour++) {
      views(10, hour * 10);
      await advance(60 * 60_000);
    }
    expect(browser.server.requests).toHaveLength(0);
    expect(tab.tracker.stats()).toMatchObject({ queued: 720, dropped: 0 });
    tab.online = true;
    tab.window.dispatchEvent(new Event("online"));
    await drain();
    const { requests } = browser.server;
    expect(requests.length).toBeGreaterThan(1);
    expect(paths(requests.flatMap((r) => r.events))).toEqual(Array.from({ length: 720 }, (_, i) => `/p/${i}`));
    expect(new Set(browser.server.sentIds()).size).toBe(720);
    for (const request of requests) {
      expect(request.sentAt).toBe(iso(T0 + 72 * 60 * 60_000));
      // The server takes every event, each at its own time.
      for (const event of request.events) {
        const stamp = { receivedAt: new Date(request.at), username: null, source: "web", sentAt: request.at } as const;
        expect(acceptClientEvent(event, stamp)).toMatchObject({ ok: true, event: { ts: event.ts } });
      }
    }
    expect(requests[0]?.events[0]?.ts).toBe(iso(T0));
    expect(tab.tracker.stats()).toMatchObject({ queued: 0, dropped: 0, rejected: 0 });
    await advance(60 * 60_000);
    expect(browser.server.sentIds()).toHaveLength(720);
  });

  it("drops and counts queued events older than the horizon instead of sending them", async () => {
    tab.online = false;
    views(2);
    await advance(1);
    views(1, 2); // exactly as old as the horizon when sent: kept
    await advance(DAY_MS);
    views(2, 3);
    await advance(MAX_EVENT_AGE_MS - DAY_MS);
    expect(tab.tracker.stats()).toMatchObject({ queued: 5, dropped: 0 });
    tab.online = true;
    tab.window.dispatchEvent(new Event("online"));
    await drain();
    expect(browser.server.requests.map((r) => paths(r.events))).toEqual([["/p/2", "/p/3", "/p/4"]]);
    expect(tab.tracker.stats()).toMatchObject({ queued: 0, dropped: 2 });
    expect(tab.console.warn).toHaveBeenCalledWith(
      `events: dropped 2 queued events older than ${LIMITS.maxEventAgeDays} days, which the server would refuse`,
    );
    tab.close();
    tab = browser.openTab("reloaded");
    await drain();
    expect(tab.tracker.stats().dropped).toBe(2);
  });

  it("never beacons an event older than the horizon, and stamps beacons with sent_at", async () => {
    tab.online = false;
    views(2);
    await advance(MAX_EVENT_AGE_MS + 1);
    views(1, 2);
    await drain();
    tab.online = true;
    tab.window.dispatchEvent(new Event("pagehide"));
    expect(tab.beacons).toHaveLength(1);
    expect(await blobBody(tab.beacons[0] as Blob)).toMatchObject({ sent_at: iso(Date.now()) });
    expect(paths(await blobEvents(tab.beacons[0] as Blob))).toEqual(["/p/2"]);
    await tab.tracker.flush();
    expect(browser.server.requests).toHaveLength(0);
    expect(tab.tracker.stats()).toMatchObject({ queued: 0, dropped: 2 });
  });

  it("flushes at once on the online event in the middle of a long backoff, with that moment's sent_at", async () => {
    browser.random = () => 0;
    browser.server.reply({ status: 503, body: { error: "down", retryable: true }, headers: { "Retry-After": "3600" } });
    views(20);
    await drain();
    await advance(10 * 60_000);
    expect(browser.server.requests).toHaveLength(1); // backing off for an hour
    tab.window.dispatchEvent(new Event("online"));
    await drain();
    expect(browser.server.requests.map((r) => [r.at, r.sentAt])).toEqual([
      [T0, iso(T0)],
      [T0 + 10 * 60_000, iso(T0 + 10 * 60_000)],
    ]);
    expect(tab.tracker.stats().queued).toBe(0);
    await advance(60 * 60_000); // the backoff's timer is gone
    expect(browser.server.requests).toHaveLength(2);
  });

  it("does not send while offline, and sends on the online event", async () => {
    tab.online = false;
    views(25);
    await advance(60_000);
    expect(browser.server.requests).toHaveLength(0);
    tab.online = true;
    tab.window.dispatchEvent(new Event("online"));
    await drain();
    expect(browser.server.sentIds()).toHaveLength(25);
  });
});

describe("page hide", () => {
  it("beacons the queue on pagehide as application/json, and does not send it again", async () => {
    views(3);
    await drain();
    tab.window.dispatchEvent(new Event("pagehide"));
    expect(tab.beacons).toHaveLength(1);
    expect(tab.beacons[0]?.type).toBe("application/json");
    expect(paths(await blobEvents(tab.beacons[0] as Blob))).toEqual(["/p/0", "/p/1", "/p/2"]);
    expect(tab.tracker.stats().queued).toBe(0);
    await advance(60_000);
    await tab.tracker.flush();
    expect(browser.server.requests).toHaveLength(0);
  });

  it("beacons events tracked in the same task, before they reach the queue", async () => {
    views(2);
    tab.document.hide();
    expect(paths(await blobEvents(tab.beacons[0] as Blob))).toEqual(["/p/0", "/p/1"]);
  });

  it("beacons on visibilitychange to hidden, not to visible", async () => {
    views(2);
    await drain();
    tab.document.show();
    expect(tab.beacons).toHaveLength(0);
    tab.document.hide();
    expect(tab.beacons).toHaveLength(1);
  });

  it("splits beacons into chunks under 64 KiB and at most 500 events", async () => {
    tab.online = false;
    for (let i = 0; i < 600; i++) tab.tracker.track("search_query", { query: `${i} ${"한".repeat(300)}` });
    await drain();
    tab.online = true;
    tab.window.dispatchEvent(new Event("pagehide"));
    expect(tab.beacons.length).toBeGreaterThan(5);
    const chunks = await Promise.all(tab.beacons.map(blobEvents));
    for (const [i, blob] of tab.beacons.entries()) {
      expect(blob.size).toBeLessThan(64 * 1024);
      expect(chunks[i]?.length).toBeLessThanOrEqual(500);
    }
    const ids = chunks.flat().map((e) => e.id);
    expect(new Set(ids).size).toBe(600);
  });

  it("falls back to a keepalive fetch when sendBeacon refuses, and removes the events on 202", async () => {
    tab.beaconResult = false;
    views(3);
    await drain();
    tab.window.dispatchEvent(new Event("pagehide"));
    await drain();
    expect(browser.server.requests).toHaveLength(1);
    expect(browser.server.requests[0]?.init.keepalive).toBe(true);
    expect(tab.tracker.stats().queued).toBe(0);
  });

  it("falls back to a keepalive fetch when sendBeacon is missing", async () => {
    tab.close();
    tab = browser.openTab("old browser", { sendBeacon: undefined });
    await drain();
    views(3);
    await drain();
    tab.document.hide();
    await drain();
    expect(browser.server.requests.map((r) => r.init.keepalive)).toEqual([true]);
    await advance(60_000);
    expect(browser.server.sentIds()).toHaveLength(3);
  });

  it("keeps the events queued when offline instead of beaconing", async () => {
    views(3);
    await drain();
    tab.online = false;
    tab.window.dispatchEvent(new Event("pagehide"));
    expect(tab.beacons).toHaveLength(0);
    expect(browser.server.requests).toHaveLength(0);
    expect(tab.tracker.stats().queued).toBe(3);
  });

  it("after a failed request, hides with a keepalive fetch instead of a beacon, and the events stay until one is answered", async () => {
    browser.server.reply("network-error", "network-error");
    views(20);
    await drain();
    expect(browser.server.requests).toHaveLength(1);
    views(2, 20);
    await drain();
    tab.window.dispatchEvent(new Event("pagehide"));
    await drain();
    expect(tab.beacons).toHaveLength(0);
    expect(browser.server.requests.map((r) => r.init.keepalive ?? false)).toEqual([false, true]);
    expect(tab.tracker.stats().queued).toBe(22);
    // The next page, in another tab or visit, sends them at once and beacons again afterwards.
    tab.close();
    tab = browser.openTab("next visit");
    await drain();
    expect(browser.server.sentIds()).toHaveLength(20 + 22 + 22);
    expect(tab.tracker.stats().queued).toBe(0);
    views(1);
    await drain();
    tab.window.dispatchEvent(new Event("pagehide"));
    expect(tab.beacons).toHaveLength(1);
  });

  it("trusts no beacon while the server answers 5xx or 429", async () => {
    for (const status of [503, 429]) {
      browser.server.reply({ status, body: { error: "busy", retryable: true } });
      views(20);
      await drain();
      tab.window.dispatchEvent(new Event("pagehide"));
      await drain();
      expect(tab.beacons, `after ${status}`).toHaveLength(0);
      await advance(CAP);
      expect(tab.tracker.stats().queued).toBe(0);
    }
  });

  it("after the browser went offline, hides with a keepalive fetch even once navigator.onLine is true again", async () => {
    tab.online = false;
    tab.window.dispatchEvent(new Event("offline"));
    views(2);
    await drain();
    tab.online = true; // as Chromium says while a page unloads, connection or not
    browser.server.reply("network-error");
    tab.window.dispatchEvent(new Event("pagehide"));
    await drain();
    expect(tab.beacons).toHaveLength(0);
    expect(tab.tracker.stats().queued).toBe(2);
  });

  it("does not trust a beacon in a page that opened offline, until a request went through", async () => {
    tab.close();
    tab = browser.openTab("opened offline", { isOnline: () => false });
    await drain();
    tab.close();
    tab = browser.openTab("online again");
    await drain();
    views(1);
    await drain();
    tab.document.hide();
    await drain();
    expect(tab.beacons).toHaveLength(0);
    expect(browser.server.requests.map((r) => r.init.keepalive)).toEqual([true]);
    views(1, 1);
    await drain();
    tab.document.hide();
    expect(tab.beacons).toHaveLength(1);
  });

  it("does not beacon events already in a request", async () => {
    browser.server.hold();
    views(20);
    await drain();
    views(2, 20);
    tab.document.hide();
    expect(paths(await blobEvents(tab.beacons[0] as Blob))).toEqual(["/p/20", "/p/21"]);
    browser.server.releaseAll();
    await advance(60_000);
    expect(browser.server.sentIds()).toHaveLength(20);
    expect(tab.tracker.stats().queued).toBe(0);
  });
});
