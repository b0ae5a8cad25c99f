import { afterEach, describe, expect, it, vi } from "vitest";
import { memoryStorage, resolveEnv } from "./env.ts";
import { FakeLockManager } from "./fakes.ts";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe("resolveEnv", () => {
  it("works where the browser is missing (Node, build time)", () => {
    const env = resolveEnv();
    env.storage.setItem("k", "v");
    expect(env.storage.getItem("k")).toBe("v");
    expect(env.locks).toBeUndefined();
    expect(env.sendBeacon).toBeUndefined();
    expect(env.isOnline()).toBe(true);
    expect(env.window).toBeUndefined();
    expect(env.document).toBeUndefined();
  });

  it("takes the browser's objects, calling them on their own receivers", () => {
    const locks = new FakeLockManager();
    const navigator = {
      onLine: false,
      locks,
      sendBeacon(this: unknown, _url: string, _data: Blob) {
        // A real sendBeacon throws "Illegal invocation" on any other receiver.
        return this === navigator;
      },
    };
    vi.stubGlobal("navigator", navigator);
    vi.stubGlobal("localStorage", memoryStorage());
    const env = resolveEnv();
    expect(env.locks).toBe(locks);
    expect(env.sendBeacon?.("/api/events", new Blob([]))).toBe(true);
    expect(env.isOnline()).toBe(false);
  });

  it("falls back to memory storage, and then sends its own events, when localStorage is refused", () => {
    vi.stubGlobal("navigator", { locks: new FakeLockManager() });
    Object.defineProperty(globalThis, "localStorage", {
      configurable: true,
      get() {
        throw new DOMException("denied", "SecurityError");
      },
    });
    try {
      const env = resolveEnv();
      env.storage.setItem("k", "v");
      expect(env.storage.getItem("k")).toBe("v");
      expect(env.locks).toBeUndefined();
    } finally {
      Reflect.deleteProperty(globalThis, "localStorage");
    }
  });

  it("looks timers up when called, so fake timers installed later apply", () => {
    const env = resolveEnv();
    vi.useFakeTimers();
    const callback = vi.fn();
    env.timers.setTimeout(callback, 1_000);
    vi.advanceTimersByTime(1_000);
    expect(callback).toHaveBeenCalledOnce();
  });

  it("keeps overrides, an explicit undefined included", () => {
    vi.stubGlobal("navigator", { sendBeacon: () => true });
    const now = () => 42;
    const env = resolveEnv({ now, sendBeacon: undefined });
    expect(env.now).toBe(now);
    expect(env.sendBeacon).toBeUndefined();
  });
});
