// Through the worker's entry point (SELF), whose S3 traffic crosses the test wire
// (test/s3-wire.ts), and a store that checks each PUT's checksum as S3 does (stack/src/s3-checksum.ts).
import { uuidv7 } from "@growit/contract";
import { describe, expect, it } from "vitest";
import { Browser, bronzeEvents, selfBucket } from "../../test/fixtures.ts";
import { WIRE_FAULTS } from "../../test/s3-wire-faults.ts";

describe("an upload cut short on its way to S3", () => {
  it("is refused by the store, and its request answered 503 with nothing stored", async () => {
    const id = uuidv7();
    const response = await new Browser().request("/api/events", {
      json: {
        events: [{ id, type: "search_query", ts: new Date().toISOString(), props: { query: WIRE_FAULTS.truncate } }],
      },
    });
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      error: "event storage is unavailable; nothing was stored, send the batch again",
      retryable: true,
      retry_after: 1,
    });
    expect((await bronzeEvents(selfBucket())).filter((event) => event.id === id)).toEqual([]);
  });
});
