// Through the worker's entry point (SELF): what a request of junk leaves in bronze/_rejected/.
import { LIMITS, REJECTED_VALUE_BYTES, utf8ByteLength, uuidv7 } from "@growit/contract";
import { describe, expect, it } from "vitest";
import { Browser, selfBucket } from "../../test/fixtures.ts";

const junk = (bytes: number) => ({
  id: uuidv7(),
  type: "page_view",
  ts: new Date().toISOString(),
  props: { path: "/", junk: "j".repeat(bytes) },
});

/** Sends `events` and returns the 202 and the reject objects it stored (those that were not there before). */
async function rejectsOf(events: unknown[]) {
  const bucket = selfBucket();
  const before = new Set(await bucket.list("bronze/_rejected/"));
  const response = await new Browser().request("/api/events", { json: { events } });
  expect(response.status).toBe(202);
  const keys = (await bucket.list("bronze/_rejected/")).filter((key) => !before.has(key));
  const texts = await Promise.all(keys.map((key) => bucket.getText(key)));
  const lines = texts.flatMap((text) =>
    text
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>),
  );
  return { answer: (await response.json()) as { rejected: unknown[] }, texts, lines };
}

describe("rejects of a request", () => {
  it("keep the first 16 KiB of an oversized event's text, with its whole size", async () => {
    const event = junk(LIMITS.maxBodyBytes - 1024);
    const { answer, lines } = await rejectsOf([event]);
    expect(answer.rejected).toHaveLength(1);
    const text = JSON.stringify(event);
    expect(lines).toEqual([
      expect.objectContaining({
        index: 0,
        event: text.slice(0, REJECTED_VALUE_BYTES),
        truncated: true,
        bytes: text.length,
      }),
    ]);
  });

  it("keep 16 KiB of values in all, however many junk events the body holds", async () => {
    const count = 60;
    const events = Array.from({ length: count }, () => junk(LIMITS.maxPropsBytes * 2));
    const { answer, texts, lines } = await rejectsOf(events);
    expect(answer.rejected).toHaveLength(count);
    expect(lines.map((line) => line.index)).toEqual(events.map((_, index) => index));
    for (const [index, line] of lines.entries()) expect(line.bytes).toBe(JSON.stringify(events[index]).length);
    const kept = lines.reduce((sum, line) => sum + utf8ByteLength(line.event as string), 0);
    expect(kept).toBe(REJECTED_VALUE_BYTES);
    // The request's body was near 1 MiB; what it stored is its reasons and sizes and those 16 KiB.
    const stored = texts.reduce((sum, text) => sum + utf8ByteLength(text), 0);
    expect(stored).toBeLessThan(REJECTED_VALUE_BYTES + count * 400);
  });
});
