import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { decompressReadable } from "./gunzip.ts";

// Enough lines that the compressed stream spans several of zlib's output chunks.
const text = Array.from({ length: 20_000 }, (_, i) => `{"n":${i},"pad":"${"x".repeat(i % 97)}"}\n`).join("");
const compressed = gzipSync(text);
const BOUND = 2 * text.length;

/** The bytes and damage of a decompression that stayed within its bound. */
async function decompressed(stored: Uint8Array) {
  const read = await decompressReadable(stored, BOUND);
  if ("overBound" in read) throw new Error("passed the bound");
  return read;
}

describe("decompressReadable", () => {
  it("gives every byte of a whole stream, and no damage", async () => {
    const { bytes, damage } = await decompressed(compressed);
    expect(damage).toBeNull();
    expect(bytes.toString()).toBe(text);
  });

  it("gives the start of a stream cut short, and names the damage", async () => {
    const { bytes, damage } = await decompressed(compressed.subarray(0, compressed.length / 2));
    expect(damage).toMatch(/unexpected end of file/);
    expect(bytes.length).toBeGreaterThan(text.length / 4);
    expect(text.startsWith(bytes.toString())).toBe(true);
  });

  it("names the damage of bytes that are not gzip at all, with nothing read", async () => {
    const { bytes, damage } = await decompressed(Buffer.from('{"id":"plain JSON"}\n'));
    expect(damage).toMatch(/incorrect header check/);
    expect(bytes).toHaveLength(0);
  });

  it("stops where the output passes the bound, however small the stream (a gzip bomb)", async () => {
    const bomb = gzipSync(Buffer.alloc(16 * 2 ** 20));
    expect(bomb.length).toBeLessThan(2 ** 20 / 8);
    expect(await decompressReadable(bomb, 2 ** 20)).toEqual({ overBound: true });
    expect(await decompressReadable(compressed, text.length - 1)).toEqual({ overBound: true });
    expect(await decompressReadable(compressed, text.length)).toEqual({ bytes: Buffer.from(text), damage: null });
  });
});
