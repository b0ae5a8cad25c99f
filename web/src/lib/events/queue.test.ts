import type { ClientEvent } from "@growit/contract";
import { describe, expect, it, vi } from "vitest";
import { memoryStorage, type StorageLike } from "./env.ts";
import { PersistentQueue, type QueueOptions } from "./queue.ts";

const OPTIONS: QueueOptions = { key: "q", sentKey: "q.sent", maxEvents: 1_000, maxBytes: 1024 * 1024 };

let serial = 0;
function event(propsBytes = 20): ClientEvent {
  serial++;
  return {
    id: `00000000-0000-7000-8000-${String(serial).padStart(12, "0")}`,
    type: "search_query",
    ts: "2026-05-01T12:00:00.000Z",
    props: { query: "q".repeat(propsBytes) },
  };
}
const many = (n: number, propsBytes?: number) => Array.from({ length: n }, () => event(propsBytes));
const ids = (events: readonly ClientEvent[]) => events.map((e) => e.id);
const storedBytes = (storage: StorageLike) => new TextEncoder().encode(storage.getItem("q") ?? "").length;

describe("PersistentQueue", () => {
  it("appends and reads back in order, and survives a new instance on the same storage", () => {
    const storage = memoryStorage();
    const first = many(3);
    new PersistentQueue(storage, OPTIONS).append(first);
    const again = new PersistentQueue(storage, OPTIONS);
    const more = many(2);
    again.append(more);
    expect(ids(again.read().events)).toEqual(ids([...first, ...more]));
  });

  it("holds at most 1,000 events: the oldest go first and are counted", () => {
    const storage = memoryStorage();
    const queue = new PersistentQueue(storage, OPTIONS);
    const all = many(1_250);
    queue.append(all.slice(0, 900));
    const state = queue.append(all.slice(900));
    expect(state.events).toHaveLength(1_000);
    expect(state.dropped).toBe(250);
    expect(ids(queue.read().events)).toEqual(ids(all.slice(250)));
    expect(queue.read().dropped).toBe(250);
    queue.append(many(5));
    expect(queue.read().dropped).toBe(255);
  });

  it("holds at most 1 MiB serialized: the oldest go first and are counted", () => {
    const storage = memoryStorage();
    const queue = new PersistentQueue(storage, OPTIONS);
    const all = many(400, 4_000); // ~4.1 KB each: about 250 fit in 1 MiB
    queue.append(all);
    const { events, dropped } = queue.read();
    expect(storedBytes(storage)).toBeLessThanOrEqual(1024 * 1024);
    expect(events.length + dropped).toBe(400);
    expect(dropped).toBeGreaterThan(100);
    expect(ids(events)).toEqual(ids(all.slice(dropped)));
    // Exactly full: one more of the dropped ones would not have fit.
    const oneMore = JSON.stringify({ v: 1, dropped: dropped - 1, events: all.slice(dropped - 1) });
    expect(new TextEncoder().encode(oneMore).length).toBeGreaterThan(1024 * 1024);
  });

  it("removes only the given ids, keeping events appended meanwhile", () => {
    const queue = new PersistentQueue(memoryStorage(), OPTIONS);
    const sent = many(3);
    queue.append(sent);
    const later = many(2);
    queue.append(later);
    queue.remove(ids(sent));
    expect(ids(queue.read().events)).toEqual(ids(later));
  });

  it("discards a corrupted stored value instead of crashing", () => {
    for (const corrupt of ["{not json", "null", "42", '{"events":"nope"}', "[1,2]", '{"v":1}']) {
      const storage = memoryStorage();
      storage.setItem("q", corrupt);
      const queue = new PersistentQueue(storage, OPTIONS);
      expect(queue.read()).toEqual({ events: [], dropped: 0 });
      const fresh = many(1);
      queue.append(fresh);
      expect(ids(queue.read().events)).toEqual(ids(fresh));
    }
  });

  it("skips stored entries that are not events, and a bad dropped count", () => {
    const storage = memoryStorage();
    const good = event();
    storage.setItem("q", JSON.stringify({ v: 1, dropped: "x", events: [null, 1, { id: 2 }, good] }));
    expect(new PersistentQueue(storage, OPTIONS).read()).toEqual({ events: [good], dropped: 0 });
  });

  it("hides events marked as beaconed from reads, and compact() drops them for good", () => {
    const storage = memoryStorage();
    const queue = new PersistentQueue(storage, OPTIONS);
    const all = many(4);
    queue.append(all);
    queue.markSent(ids(all.slice(0, 2)));
    expect(ids(queue.read().events)).toEqual(ids(all.slice(2)));
    queue.compact();
    expect(storage.getItem("q.sent")).toBeNull();
    expect(ids(queue.read().events)).toEqual(ids(all.slice(2)));
    storage.setItem("q.sent", "garbage");
    expect(ids(queue.read().events)).toEqual(ids(all.slice(2)));
  });

  it("drops the oldest (counted) when the storage refuses a write for quota", () => {
    const inner = memoryStorage();
    const storage: StorageLike = {
      ...inner,
      setItem: (key, value) => {
        if (value.length > 5_000) throw new DOMException("full", "QuotaExceededError");
        inner.setItem(key, value);
      },
    };
    const warn = vi.fn();
    const queue = new PersistentQueue(storage, { ...OPTIONS, console: { warn, error: vi.fn() } });
    const state = queue.append(many(100));
    expect(state.events.length).toBeGreaterThan(0);
    expect(state.events.length + state.dropped).toBe(100);
    expect(queue.read()).toEqual(state);

    const broken: StorageLike = {
      ...inner,
      setItem: () => {
        throw new Error("disabled");
      },
    };
    expect(() =>
      new PersistentQueue(broken, { ...OPTIONS, console: { warn, error: vi.fn() } }).append(many(1)),
    ).not.toThrow();
    expect(warn).toHaveBeenCalled();
  });
});
