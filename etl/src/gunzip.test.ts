import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { decompressReadable } from "./gunzip.ts";

// Enough lines that the compressed stream spans several of zlib's output chunks.
const text = Array.from({ length: 20_000 }, (_, i) => `{"n":${i},"pad":"${"x".repeat(i % 97)}"}\n`).join("");
const compressed = gzipSync(text);

describe("decompressReadable", () => {
  it("gives every byte of a whole stream, and no damage", async () => {
    const { bytes, damage } = await decompressReadable(compressed);
    expect(damage).toBeNull();
    expect(bytes.toString()).toBe(text);
  });

  it("gives the start of a stream cut short, and names the damage", async () => {
    const { bytes, damage } = await decompressReadable(compressed.subarray(0, compressed.length / 2));
    expect(damage).toMatch(/unexpected end of file/);
    expect(bytes.length).toBeGreaterThan(text.length / 4);
    expect(text.startsWith(bytes.toString())).toBe(true);
  });

  it("names the damage of bytes that are not gzip at all, with nothing read", async () => {
    const { bytes, damage } = await decompressReadable(Buffer.from('{"id":"plain JSON"}\n'));
    expect(damage).toMatch(/incorrect header check/);
    expect(bytes).toHaveLength(0);
  });
});
