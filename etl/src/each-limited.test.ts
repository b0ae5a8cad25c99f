import { describe, expect, it } from "vitest";
import { eachLimited } from "./each-limited.ts";

/** A promise and the function that settles it. */
function deferred() {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("eachLimited", () => {
  it("runs every item, never more than the limit at once", async () => {
    let running = 0;
    let most = 0;
    const seen: number[] = [];
    await eachLimited([...Array(20).keys()], 3, async (item, index) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 1 + (item % 4)));
      seen.push(index);
      running--;
    });
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    expect(most).toBe(3);
  });

  it("starts nothing after a failure, and throws the first one once the tasks under way have settled", async () => {
    const slow = deferred();
    const started: number[] = [];
    let settled = false;
    const run = eachLimited([0, 1, 2, 3, 4], 2, async (item) => {
      started.push(item);
      if (item === 0) {
        await slow.promise;
        settled = true;
        throw new Error("second failure");
      }
      throw new Error(`failure of ${item}`);
    });
    let outcome: unknown = "pending";
    run.then(
      () => {
        outcome = "resolved";
      },
      (error: Error) => {
        outcome = error.message;
      },
    );
    await new Promise((r) => setTimeout(r, 20));
    // Item 1 failed while item 0 was still under way: no item after it started, nor was it thrown yet.
    expect(started).toEqual([0, 1]);
    expect(outcome).toBe("pending");
    slow.resolve();
    await run.catch(() => {});
    expect(settled).toBe(true);
    expect(outcome).toBe("failure of 1");
  });
});
