import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CONFIG } from "./config.ts";
import { drain, FakeDocument, FakeLockManager, response } from "./fakes.ts";

beforeEach(() => vi.resetModules());
afterEach(() => vi.unstubAllGlobals());

describe("the browser singleton", () => {
  it("touches no browser global at import time, and is a no-op without a window", async () => {
    const touched: string[] = [];
    for (const name of ["window", "document", "localStorage", "navigator"]) {
      const spy = vi.fn(() => undefined);
      Object.defineProperty(globalThis, name, { get: spy, configurable: true });
      touched.push(name);
      const { track, flush, stats } = await import("./index.ts");
      vi.resetModules();
      expect(spy).not.toHaveBeenCalled();
      track("page_view", { path: "/" });
      await expect(flush()).resolves.toBeUndefined();
      expect(stats()).toEqual({ queued: 0, dropped: 0, rejected: 0, sender: false });
      Reflect.deleteProperty(globalThis, name);
    }
    expect(touched).toHaveLength(4);
  });

  it("uses the browser's storage, locks and fetch once there is a window", async () => {
    const items = new Map<string, string>();
    const fetch = vi.fn(async () => response(202, { accepted: 1, rejected: [] }));
    vi.stubGlobal("window", new EventTarget());
    vi.stubGlobal("document", Object.assign(new FakeDocument(), {}));
    vi.stubGlobal("localStorage", {
      getItem: (key: string) => items.get(key) ?? null,
      setItem: (key: string, value: string) => void items.set(key, value),
      removeItem: (key: string) => void items.delete(key),
    });
    vi.stubGlobal("navigator", { onLine: true, locks: new FakeLockManager() });
    vi.stubGlobal("fetch", fetch);
    const { track, flush, stats } = await import("./index.ts");
    track("search_query", { query: "svelte", results: 2 });
    await drain();
    expect(stats()).toMatchObject({ queued: 1, sender: true });
    expect(items.get(CONFIG.queueKey)).toContain("svelte");
    await flush();
    expect(fetch).toHaveBeenCalledWith("/api/events", expect.objectContaining({ method: "POST" }));
    expect(stats().queued).toBe(0);
  });
});
