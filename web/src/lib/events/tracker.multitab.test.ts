import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { blobEvents, drain, FakeBrowser, type FakeTab } from "./fakes.ts";

const T0 = Date.parse("2026-05-01T12:00:00.000Z");

let browser: FakeBrowser;
let tabs: FakeTab[];

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
  vi.setSystemTime(T0);
  browser = new FakeBrowser();
  tabs = [];
  tracked = [];
});

afterEach(() => {
  for (const tab of tabs) tab.close();
  vi.useRealTimers();
});

async function open(name: string): Promise<FakeTab> {
  const tab = browser.openTab(name);
  tabs.push(tab);
  await drain();
  return tab;
}
const advance = async (ms: number) => {
  await vi.advanceTimersByTimeAsync(ms);
  await drain();
};
let tracked: string[] = [];
/** Tracks n page views with paths unique per tab (/a/0, /a/1, ...) and returns the paths. */
const track = (tab: FakeTab, n: number): string[] => {
  const from = tracked.filter((p) => p.startsWith(`/${tab.name}/`)).length;
  const paths = Array.from({ length: n }, (_, i) => `/${tab.name}/${from + i}`);
  for (const path of paths) tab.tracker.track("page_view", { path });
  tracked.push(...paths);
  return paths;
};
const sentPaths = () => browser.server.requests.flatMap((r) => r.events.map((e) => (e.props as { path: string }).path));

/** Every tracked event sent exactly once, by whichever tab. */
function expectAllSentExactlyOnce() {
  const sent = sentPaths();
  expect(sent).toHaveLength(tracked.length);
  expect(new Set(sent)).toEqual(new Set(tracked));
}

describe("several tabs", () => {
  it("elects one sender", async () => {
    const [a, b, c] = [await open("a"), await open("b"), await open("c")];
    expect([a, b, c].map((t) => t.tracker.stats().sender)).toEqual([true, false, false]);
    expect(browser.locks.held()).toEqual(["growit-events-sender"]);
  });

  it("sends events tracked in every tab from the sender only, each exactly once", async () => {
    const [a, b] = [await open("a"), await open("b")];
    track(a, 7);
    track(b, 5);
    await advance(1_000);
    expect(browser.server.requests).toHaveLength(0);
    expect(b.tracker.stats().queued).toBe(12); // one queue for the origin
    await advance(4_000);
    track(b, 30); // past the batch size: the sender hears of it through the storage event
    await drain();
    await advance(5_000);
    expect(new Set(browser.server.requests.map((r) => r.tab))).toEqual(new Set(["a"]));
    expectAllSentExactlyOnce();
  });

  it("starts the batch timer for events tracked only in a non-sender tab", async () => {
    const [, b] = [await open("a"), await open("b")];
    track(b, 3);
    await drain();
    await advance(4_999);
    expect(browser.server.requests).toHaveLength(0);
    await advance(1);
    expect(browser.server.requests.map((r) => r.tab)).toEqual(["a"]);
    expectAllSentExactlyOnce();
  });

  it("hands over when the sender closes: the next tab sends the rest, nothing twice", async () => {
    const [a, b] = [await open("a"), await open("b")];
    track(a, 20);
    await drain(); // a sends these at once
    track(a, 4);
    track(b, 6);
    await drain();
    expect(sentPaths()).toHaveLength(20);
    a.close();
    await drain();
    expect(b.tracker.stats().sender).toBe(true);
    await advance(5_000);
    expect(browser.server.requests.map((r) => r.tab)).toEqual(["a", "b"]);
    expectAllSentExactlyOnce();
  });

  it("removes only what it sent: events other tabs add during a request stay queued", async () => {
    const [a, b] = [await open("a"), await open("b")];
    browser.server.hold();
    track(a, 20);
    await drain();
    expect(browser.server.requests).toHaveLength(1);
    track(b, 3);
    await drain();
    browser.server.releaseAll();
    await advance(5_000);
    // Clearing the queue after the 202 would have lost b's events.
    expect(browser.server.requests.map((r) => r.events.length)).toEqual([20, 3]);
    expectAllSentExactlyOnce();
  });

  it("beacons from the sender only; a hidden non-sender leaves its events to the sender", async () => {
    const [a, b] = [await open("a"), await open("b")];
    track(b, 3);
    b.window.dispatchEvent(new Event("pagehide"));
    b.close();
    expect(b.beacons).toHaveLength(0);
    await drain();
    track(a, 2);
    a.document.hide();
    expect(a.beacons).toHaveLength(1);
    const beaconed = (await blobEvents(a.beacons[0] as Blob)).map((e) => (e.props as { path: string }).path);
    expect(new Set(beaconed)).toEqual(new Set(tracked));
    await advance(60_000);
    expect(browser.server.requests).toHaveLength(0);
  });

  it("does not resend what a closing sender beaconed, after handing over", async () => {
    const [a, b] = [await open("a"), await open("b")];
    track(a, 3);
    track(b, 2);
    await drain();
    a.window.dispatchEvent(new Event("pagehide"));
    a.close();
    const late = track(b, 1); // tracked after the beacon: b must send it
    await drain();
    await advance(60_000);
    expect((await blobEvents(a.beacons[0] as Blob)).length).toBe(5);
    expect(sentPaths()).toEqual(late);
    expect(b.tracker.stats().queued).toBe(0);
  });

  it("without Web Locks, each tab is its own sender", async () => {
    const tab = browser.openTab("solo", { locks: undefined });
    tabs.push(tab);
    await drain();
    expect(tab.tracker.stats().sender).toBe(true);
    track(tab, 20);
    await drain();
    expectAllSentExactlyOnce();
  });
});
