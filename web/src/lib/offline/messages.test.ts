import { describe, expect, it } from "vitest";
import { askVersion, isWorkerMessage, skipWaiting, type WorkerLike, type WorkerMessage } from "./messages.ts";

/** A worker that answers as the service worker does, and records what it was told. */
function fakeWorker(version: string): WorkerLike & { told: WorkerMessage[] } {
  const told: WorkerMessage[] = [];
  return {
    told,
    postMessage(message, transfer) {
      told.push(message);
      if (message.type === "version") (transfer[0] as MessagePort).postMessage(version);
    },
  };
}

describe("the page's messages to its service worker", () => {
  it("asks a worker its build version and gets its answer", async () => {
    const worker = fakeWorker("1796181194030");
    await expect(askVersion(worker)).resolves.toBe("1796181194030");
    expect(worker.told).toEqual([{ type: "version" }]);
  });

  it("tells a waiting worker to take over", () => {
    const worker = fakeWorker("1");
    skipWaiting(worker);
    expect(worker.told).toEqual([{ type: "skip-waiting" }]);
  });

  it("are the only messages the worker acts on", () => {
    expect(isWorkerMessage({ type: "version" })).toBe(true);
    expect(isWorkerMessage({ type: "skip-waiting" })).toBe(true);
    for (const other of [null, undefined, "version", { type: "clear" }, {}]) expect(isWorkerMessage(other)).toBe(false);
  });
});
