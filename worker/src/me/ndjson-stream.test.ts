import { describe, expect, it } from "vitest";
import { ndjsonStream } from "./ndjson-stream.ts";

/** Reads `body` to its end or its error: the text that came, and the error if any. */
async function drain(body: ReadableStream<Uint8Array>): Promise<{ text: string; error: unknown }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, error: null };
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    return { text, error };
  }
}

describe("ndjsonStream", () => {
  it("writes one JSON line per record", async () => {
    async function* records() {
      yield { record: "a", n: 1 };
      yield { record: "b", text: "줄\nbreak" };
    }
    expect(await drain(ndjsonStream(records(), String))).toEqual({
      text: '{"record":"a","n":1}\n{"record":"b","text":"줄\\nbreak"}\n',
      error: null,
    });
  });

  it("ends a failed export with an error record, then breaks the body off", async () => {
    const failure = new Error("S3 went away");
    async function* records() {
      yield { record: "a" };
      throw failure;
    }
    const { text, error } = await drain(ndjsonStream(records(), (e) => `described: ${(e as Error).message}`));
    expect(text).toBe('{"record":"a"}\n{"record":"error","error":"described: S3 went away"}\n');
    expect(error).toBe(failure);
  });

  it("makes records only as the reader pulls, and stops them when the reader cancels", async () => {
    let made = 0;
    let stopped = false;
    async function* records() {
      try {
        for (;;) {
          made++;
          yield { record: "x".repeat(1_000) };
        }
      } finally {
        stopped = true;
      }
    }
    const reader = ndjsonStream(records(), String).getReader();
    await reader.read();
    // One chunk of about 64 KiB was asked for, so about 65 records were made, not all there could be.
    expect(made).toBeLessThan(100);
    await reader.cancel();
    expect(stopped).toBe(true);
  });
});
