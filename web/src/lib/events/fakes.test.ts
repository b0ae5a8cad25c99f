import { describe, expect, it } from "vitest";
import { FakeLockManager, SharedStorage } from "./fakes.ts";

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe("FakeLockManager", () => {
  it("grants an exclusive lock to one holder at a time, waiters in request order", async () => {
    const locks = new FakeLockManager();
    const log: string[] = [];
    let releaseA = () => {};
    const a = locks.request("l", {}, async () => {
      log.push("a");
      await new Promise<void>((resolve) => {
        releaseA = resolve;
      });
      log.push("a done");
      return "A";
    });
    const b = locks.request("l", {}, () => void log.push("b"));
    const c = locks.request("l", {}, () => void log.push("c"));
    await tick();
    expect(log).toEqual(["a"]);
    expect(locks.held()).toEqual(["l"]);
    expect(locks.waiting("l")).toBe(2);
    releaseA();
    await expect(a).resolves.toBe("A");
    await Promise.all([b, c]);
    expect(log).toEqual(["a", "a done", "b", "c"]);
    expect(locks.held()).toEqual([]);
  });

  it("calls the callback asynchronously even when the lock is free", async () => {
    const locks = new FakeLockManager();
    let called = false;
    const done = locks.request("l", {}, () => {
      called = true;
    });
    expect(called).toBe(false);
    await done;
    expect(called).toBe(true);
  });

  it("with ifAvailable, gives null at once instead of waiting when the lock is taken", async () => {
    const locks = new FakeLockManager();
    let release = () => {};
    void locks.request("l", {}, () => new Promise<void>((resolve) => (release = resolve)));
    await tick();
    await expect(locks.request("l", { ifAvailable: true }, (lock) => lock)).resolves.toBeNull();
    release();
    await tick();
    await expect(locks.request("l", { ifAvailable: true }, (lock) => lock)).resolves.toMatchObject({ name: "l" });
  });

  it("releases the lock when the callback throws or rejects, and rejects the request", async () => {
    const locks = new FakeLockManager();
    await expect(
      locks.request("l", {}, () => {
        throw new Error("sync");
      }),
    ).rejects.toThrow("sync");
    await expect(locks.request("l", {}, () => Promise.reject(new Error("async")))).rejects.toThrow("async");
    await expect(locks.request("l", {}, () => 1)).resolves.toBe(1);
    expect(locks.held()).toEqual([]);
  });

  it("keeps locks of different names independent", async () => {
    const locks = new FakeLockManager();
    void locks.request("a", {}, () => new Promise(() => {}));
    await expect(locks.request("b", {}, () => "b")).resolves.toBe("b");
  });
});

describe("SharedStorage", () => {
  it("shares items between tabs and fires storage events at the other tabs only", async () => {
    const shared = new SharedStorage();
    const [w1, w2] = [new EventTarget(), new EventTarget()];
    const [s1, s2] = [shared.tab(w1), shared.tab(w2)];
    const seen: string[] = [];
    w1.addEventListener("storage", (e) => seen.push(`w1:${(e as Event & { key: string }).key}`));
    w2.addEventListener("storage", (e) => seen.push(`w2:${(e as Event & { key: string }).key}`));
    s1.setItem("k", "v");
    expect(s2.getItem("k")).toBe("v");
    await tick();
    expect(seen).toEqual(["w2:k"]);
  });
});
