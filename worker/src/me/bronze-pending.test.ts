import { MAX_BRONZE_LINE_BYTES } from "@growit/contract";
import { describe, expect, it } from "vitest";
import { linesOf } from "./bronze-pending.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A body of `text` cut into chunks of `size` bytes. */
function body(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = encoder.encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

async function lines(text: string, size: number): Promise<string[]> {
  const read: string[] = [];
  for await (const line of linesOf(body(text, size))) read.push(decoder.decode(line));
  return read;
}

describe("linesOf", () => {
  it("gives every line whole, however the body is cut, the last one without its newline too", async () => {
    const text = "first\n\nthird line\n한국어\nlast";
    for (const size of [1, 2, 3, 7, 64, text.length]) {
      expect(await lines(text, size)).toEqual(["first", "", "third line", "한국어", "last"]);
    }
  });

  it("passes over a line longer than MAX_BRONZE_LINE_BYTES and a byte order mark, and gives the ones around it", async () => {
    // parseBronzeLine has the exact bound; a byte order mark opening the object is not part of its line.
    const longest = "x".repeat(MAX_BRONZE_LINE_BYTES + 3);
    const text = `before\n${longest}y\n${longest}\nafter\n${longest}zz`;
    for (const size of [1000, 4096, MAX_BRONZE_LINE_BYTES + 3, text.length]) {
      expect(await lines(text, size)).toEqual(["before", longest, "after"]);
    }
  });
});
