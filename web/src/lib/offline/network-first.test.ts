import { describe, expect, it, vi } from "vitest";
import { networkFirst } from "./network-first.ts";

const request = new Request("http://app.test/api/categories");
const answer = (body: string, status = 200) => new Response(body, { status });

/** The options with a network that answers (or fails) as told, and a record of what was kept. */
function setup(network: () => Promise<Response>, kept?: string) {
  const keptBodies: string[] = [];
  const pending: Promise<unknown>[] = [];
  const options = {
    fetch: vi.fn(network),
    kept: vi.fn(async () => (kept === undefined ? undefined : answer(kept))),
    keep: async (response: Response) => void keptBodies.push(await response.text()),
    timeoutMs: 1_000,
    waitUntil: (promise: Promise<unknown>) => void pending.push(promise),
  };
  const settled = () => Promise.all(pending);
  return { options, keptBodies, settled };
}

describe("networkFirst", () => {
  it("answers from the network when it can, and keeps a copy of a good answer", async () => {
    const { options, keptBodies, settled } = setup(async () => answer("fresh"), "old");
    const response = await networkFirst(request, options);
    expect(await response.text()).toBe("fresh");
    await settled();
    expect(keptBodies).toEqual(["fresh"]);
    expect(options.kept).not.toHaveBeenCalled();
  });

  it("passes an HTTP error through, unkept: the server answered", async () => {
    const { options, keptBodies, settled } = setup(async () => answer("no such topic", 404), "old");
    const response = await networkFirst(request, options);
    expect(response.status).toBe(404);
    await settled();
    expect(keptBodies).toEqual([]);
  });

  it("answers with the kept copy when the network fails", async () => {
    const { options } = setup(() => Promise.reject(new TypeError("Failed to fetch")), "old");
    expect(await (await networkFirst(request, options)).text()).toBe("old");
  });

  it("fails as the network did when nothing was kept", async () => {
    const { options } = setup(() => Promise.reject(new TypeError("Failed to fetch")));
    await expect(networkFirst(request, options)).rejects.toThrow("Failed to fetch");
  });

  it("answers with the kept copy when the network is slow, and still keeps the late answer", async () => {
    vi.useFakeTimers();
    try {
      let arrive = (_: Response) => {};
      const { options, keptBodies, settled } = setup(() => new Promise((resolve) => (arrive = resolve)), "old");
      const answered = networkFirst(request, options);
      await vi.advanceTimersByTimeAsync(options.timeoutMs);
      expect(await (await answered).text()).toBe("old");
      arrive(answer("late"));
      await settled();
      expect(keptBodies).toEqual(["late"]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("waits for a slow network when nothing was kept", async () => {
    vi.useFakeTimers();
    try {
      let arrive = (_: Response) => {};
      const { options } = setup(() => new Promise((resolve) => (arrive = resolve)));
      const answered = networkFirst(request, options);
      await vi.advanceTimersByTimeAsync(options.timeoutMs * 3);
      arrive(answer("at last"));
      expect(await (await answered).text()).toBe("at last");
    } finally {
      vi.useRealTimers();
    }
  });
});
