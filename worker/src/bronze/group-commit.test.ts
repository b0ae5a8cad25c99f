import { describe, expect, it } from "vitest";
import { GroupCommit, type GroupCommitOptions } from "./group-commit.ts";

const options: GroupCommitOptions = {
  maxBatchBytes: 1_000,
  maxInFlight: 1,
  maxWaitMs: 50,
  pollMs: 1,
  flushTimeoutMs: 1_000,
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A store whose flushes finish when the test says so, recording what each held. */
function gatedStore() {
  const flushes: Array<{ items: number[]; done: boolean; finish: (error?: Error) => void }> = [];
  const flush = (items: number[]) =>
    new Promise<void>((resolve, reject) => {
      const record = {
        items: [...items],
        done: false,
        finish: (error?: Error) => {
          record.done = true;
          if (error) reject(error);
          else resolve();
        },
      };
      flushes.push(record);
    });
  return { flushes, flush };
}

describe("GroupCommit", () => {
  it("flushes a lone request at once", async () => {
    const stored: number[][] = [];
    const group = new GroupCommit<number>(async (items) => void stored.push(items), options);
    await group.commit(1, 10);
    expect(stored).toEqual([[1]]);
  });

  it("groups requests that arrive during a flush, and resolves each only after its own flush", async () => {
    const { flushes, flush } = gatedStore();
    const group = new GroupCommit<number>(flush, { ...options, maxWaitMs: 10_000 });
    const settled: number[] = [];
    const commits = [1, 2, 3, 4].map((n) => group.commit(n, 10).then(() => settled.push(n)));
    await sleep(20);
    expect(flushes.map((f) => f.items)).toEqual([[1]]);
    flushes[0]?.finish();
    await sleep(20);
    expect(settled).toEqual([1]);
    expect(flushes.map((f) => f.items)).toEqual([[1], [2, 3, 4]]);
    flushes[1]?.finish();
    await Promise.all(commits);
    expect(settled.sort()).toEqual([1, 2, 3, 4]);
  });

  it("starts the waiting batch as the flush before it ends, not at its requests' next look", async () => {
    const { flushes, flush } = gatedStore();
    // Requests look at their batch only every 500 ms: whatever starts the second flush sooner is
    // the end of the first.
    const group = new GroupCommit<number>(flush, { ...options, maxWaitMs: 10_000, pollMs: 500 });
    const first = group.commit(1, 10);
    const second = group.commit(2, 10);
    await sleep(20);
    expect(flushes.map((f) => f.items)).toEqual([[1]]);
    flushes[0]?.finish();
    await sleep(20);
    expect(flushes.map((f) => f.items)).toEqual([[1], [2]]);
    flushes[1]?.finish();
    await Promise.all([first, second]);
  });

  it("flushes a full batch without waiting for the slot", async () => {
    const { flushes, flush } = gatedStore();
    const group = new GroupCommit<number>(flush, { ...options, maxWaitMs: 10_000 });
    const first = group.commit(1, 10);
    const big = group.commit(2, 2_000);
    await sleep(20);
    expect(flushes.map((f) => f.items)).toEqual([[1], [2]]);
    for (const f of flushes) f.finish();
    await Promise.all([first, big]);
  });

  it("flushes after maxWaitMs even while another flush hangs", async () => {
    const { flushes, flush } = gatedStore();
    const group = new GroupCommit<number>(flush, options);
    const first = group.commit(1, 10);
    const second = group.commit(2, 10);
    await sleep(options.maxWaitMs + 30);
    expect(flushes.map((f) => f.items)).toEqual([[1], [2]]);
    for (const f of flushes) f.finish();
    await Promise.all([first, second]);
  });

  it("fails every request of a failed flush, and only those", async () => {
    const { flushes, flush } = gatedStore();
    const group = new GroupCommit<number>(flush, { ...options, maxWaitMs: 10_000 });
    const first = group.commit(1, 10);
    const grouped = [group.commit(2, 10), group.commit(3, 10)].map((p) => p.catch((e: Error) => e.message));
    await sleep(10);
    flushes[0]?.finish();
    await first;
    await sleep(10);
    flushes[1]?.finish(new Error("S3 down"));
    expect(await Promise.all(grouped)).toEqual(["S3 down", "S3 down"]);
    const later = group.commit(4, 10);
    await sleep(10);
    flushes[2]?.finish();
    await expect(later).resolves.toBeUndefined();
  });

  it("answers every request of a flush that never settles, and frees its slot", async () => {
    const { flushes, flush } = gatedStore();
    const group = new GroupCommit<number>(flush, { ...options, maxWaitMs: 10_000, flushTimeoutMs: 30 });
    const outcome = (p: Promise<void>) =>
      p.then(
        () => "stored",
        (e: Error) => e.message,
      );
    // 1 leads a flush that hangs (its request was cancelled, say); 2 and 3 wait for the slot.
    const first = outcome(group.commit(1, 10));
    const grouped = [outcome(group.commit(2, 10)), outcome(group.commit(3, 10))];
    expect(await first).toBe("group commit: flush of 1 requests did not finish in 30 ms");
    // The slot is free again: 2 and 3 flush without waiting out maxWaitMs, and hang too.
    expect(await Promise.all(grouped)).toEqual([
      "group commit: flush of 2 requests did not finish in 30 ms",
      "group commit: flush of 2 requests did not finish in 30 ms",
    ]);
    const later = group.commit(4, 10);
    await sleep(10);
    expect(flushes.map((f) => f.items)).toEqual([[1], [2, 3], [4]]);
    flushes[2]?.finish();
    await expect(later).resolves.toBeUndefined();
    // Hung flushes that settle after all change nothing: they freed their slot once, when given up on.
    flushes[0]?.finish();
    flushes[1]?.finish(new Error("late"));
    const fifth = group.commit(5, 10);
    const sixth = group.commit(6, 10);
    await sleep(10);
    expect(flushes.map((f) => f.items)).toEqual([[1], [2, 3], [4], [5]]);
    flushes[3]?.finish();
    await fifth;
    await sleep(10);
    flushes[4]?.finish();
    await expect(sixth).resolves.toBeUndefined();
  });

  it("hands each flush to keepAlive, so that it runs on should its leader's request be cancelled", async () => {
    const { flushes, flush } = gatedStore();
    const kept: Array<Promise<void>> = [];
    const group = new GroupCommit<number>(flush, { ...options, maxWaitMs: 10_000 }, (p) => kept.push(p));
    const first = group.commit(1, 10);
    const grouped = [group.commit(2, 10), group.commit(3, 10)];
    await sleep(10);
    expect(kept).toHaveLength(1);
    let settled = false;
    void kept[0]?.then(() => {
      settled = true;
    });
    flushes[0]?.finish();
    await first;
    expect(settled).toBe(true);
    await sleep(10);
    expect(kept).toHaveLength(2);
    flushes[1]?.finish(new Error("S3 down"));
    // What keepAlive holds never rejects: the flush's outcome goes to its requests.
    await expect(kept[1]).resolves.toBeUndefined();
    await expect(Promise.all(grouped)).rejects.toThrow("S3 down");
  });
});
