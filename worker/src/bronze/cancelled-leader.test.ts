// Through the worker's entry point (SELF): a request is cancelled (its client hangs up) while the
// flush it leads is held on the test wire (test/s3-wire.ts).
import { SELF } from "cloudflare:test";
import { uuidv7 } from "@growit/contract";
import { describe, expect, it } from "vitest";
import { Browser, bronzeEvents, selfBucket } from "../../test/fixtures.ts";
import { WIRE_FAULTS, WIRE_HOLD_MS } from "../../test/s3-wire-faults.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const anEvent = (query: string) => ({
  id: uuidv7(),
  type: "search_query",
  ts: new Date().toISOString(),
  props: { query },
});
const stored = async (id: string) => (await bronzeEvents(selfBucket())).some((event) => event.id === id);

describe("a request cancelled while it leads a flush", () => {
  it("has its flush run on, so its events are stored and the next request is answered at once", async () => {
    const held = anEvent(WIRE_FAULTS.hold);
    const abort = new AbortController();
    const sent = SELF.fetch("http://worker/api/events", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ events: [held] }),
      signal: abort.signal,
    });
    await sleep(WIRE_HOLD_MS / 3);
    abort.abort();
    await expect(sent).rejects.toThrow(/abort/i);

    const deadline = Date.now() + WIRE_HOLD_MS * 4;
    while (!(await stored(held.id)) && Date.now() < deadline) await sleep(100);
    expect(await stored(held.id)).toBe(true);

    const next = anEvent("after the cancelled one");
    const response = await new Browser().request("/api/events", { json: { events: [next] } });
    expect(response.status).toBe(202);
    expect(await stored(next.id)).toBe(true);
  });
});
