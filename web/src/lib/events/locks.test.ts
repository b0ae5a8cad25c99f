import { describe, expect, it, vi } from "vitest";
import { FakeLockManager } from "./fakes.ts";
import { holdLock, withLock } from "./locks.ts";

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe("withLock", () => {
  it("serializes critical sections across tabs sharing one lock manager", async () => {
    const locks = new FakeLockManager();
    let counter = 0;
    // A read-modify-write with an await in the middle would lose updates without the lock.
    const increment = () =>
      withLock(locks, "q", async () => {
        const read = counter;
        await tick();
        counter = read + 1;
      });
    await Promise.all(Array.from({ length: 10 }, increment));
    expect(counter).toBe(10);
  });

  it("without Web Locks runs the function after a microtask and returns its result", async () => {
    const fn = vi.fn(() => 7);
    const result = withLock(undefined, "q", fn);
    expect(fn).not.toHaveBeenCalled();
    await expect(result).resolves.toBe(7);
  });
});

describe("holdLock", () => {
  it("holds the lock until released, then the next tab waiting gets it", async () => {
    const locks = new FakeLockManager();
    const granted: string[] = [];
    const releaseA = holdLock(locks, "sender", () => granted.push("a"));
    const releaseB = holdLock(locks, "sender", () => granted.push("b"));
    await tick();
    expect(granted).toEqual(["a"]);
    releaseA();
    await tick();
    expect(granted).toEqual(["a", "b"]);
    releaseB();
    await tick();
    expect(locks.held()).toEqual([]);
  });

  it("passes the lock on untouched when released before it was granted", async () => {
    const locks = new FakeLockManager();
    const granted: string[] = [];
    const releaseA = holdLock(locks, "sender", () => granted.push("a"));
    const releaseB = holdLock(locks, "sender", () => granted.push("b"));
    holdLock(locks, "sender", () => granted.push("c"));
    releaseB();
    releaseA();
    await tick();
    // The grant is asynchronous, so even the first request was still waiting.
    expect(granted).toEqual(["c"]);
  });

  it("without Web Locks is granted at once", async () => {
    const onGranted = vi.fn();
    holdLock(undefined, "sender", onGranted);
    await Promise.resolve();
    expect(onGranted).toHaveBeenCalledOnce();
  });
});
