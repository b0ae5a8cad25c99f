// The Rate Limiting bindings the deployed bundle runs with (bench/in-memory-rate-limit.ts), in
// workerd through Miniflare as deployed-worker.ts starts them: they refuse past the limit.
import { fileURLToPath } from "node:url";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IN_MEMORY_RATE_LIMIT } from "../bench/in-memory-rate-limit.ts";

const plugin = {
  package: fileURLToPath(new URL("../bench/in-memory-rate-limit.ts", import.meta.url)),
  name: IN_MEMORY_RATE_LIMIT,
};
const binding = (name: string, namespace: string, limit: number) => ({
  name,
  type: IN_MEMORY_RATE_LIMIT,
  plugin,
  options: { namespace, limit, period: 60 },
});

// Each request makes its calls in one go, so that they fall in one window of the clock.
const SCRIPT = `export default {
  async fetch(request, env) {
    const calls = await request.json();
    const results = [];
    for (const [binding, key] of calls) results.push((await env[binding].limit({ key })).success);
    return Response.json(results);
  },
};`;

let mf: Miniflare;
beforeAll(async () => {
  mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      script: SCRIPT,
      compatibilityDate: "2026-08-15",
      unsafeBindings: [binding("THREE", "1", 3), binding("THREE_AGAIN", "1", 3), binding("TWO", "2", 2)],
    }),
  );
  await mf.ready;
}, 60_000);

afterAll(() => mf?.dispose());

const limit = async (calls: Array<[string, string]>) =>
  (await mf.dispatchFetch("http://limit/", { method: "POST", body: JSON.stringify(calls) })).json();

describe("the in-memory Rate Limiting binding", () => {
  it("refuses a key past its limit, counting each key and namespace on its own", async () => {
    expect(
      await limit([
        ["THREE", "a"],
        ["THREE", "a"],
        ["THREE", "a"],
        ["THREE", "a"],
        ["THREE", "b"],
        ["TWO", "a"],
        ["TWO", "a"],
        ["TWO", "a"],
      ]),
    ).toEqual([true, true, true, false, true, true, true, false]);
  });

  it("shares the counts of a namespace between its bindings, and keeps them between requests", async () => {
    expect(
      await limit([
        ["THREE_AGAIN", "c"],
        ["THREE", "c"],
        ["THREE_AGAIN", "c"],
        ["THREE", "c"],
      ]),
    ).toEqual([true, true, true, false]);
    expect(await limit([["THREE_AGAIN", "a"]])).toEqual([false]);
  });
});
