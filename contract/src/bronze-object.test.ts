import { describe, expect, it } from "vitest";
import { BRONZE_CONTENT_ENCODING, bronzeEventsObject, gzip, isGzipEncoding } from "./bronze-object.ts";
import { bronzeSealKey, SEAL_HEADER, sealBronze } from "./bronze-seal.ts";

const gunzip = async (bytes: Uint8Array<ArrayBuffer>) =>
  new Uint8Array(
    await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer(),
  );

const KEY = "bronze/app/2026/03/04/part-100000000-0193a0b2-7c1e-7d4a-9f00-1234567890ab.jsonl";
const lines = new TextEncoder().encode(
  `${['{"id":"a","props":{"x":"日本語 🎉"}}', '{"id":"b"}'].join("\n")}\n`,
) as Uint8Array<ArrayBuffer>;

describe("bronze objects of events", () => {
  it("store their lines gzip-compressed, said so by their content encoding", async () => {
    const stored = await bronzeEventsObject(KEY, lines, null);
    expect([...stored.body.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    expect(await gunzip(stored.body)).toEqual(lines);
    expect(stored.headers).toEqual({ "content-encoding": BRONZE_CONTENT_ENCODING });
  });

  it("carry a seal of the bytes as stored, compressed", async () => {
    const root = await bronzeSealKey("a shared secret");
    const stored = await bronzeEventsObject(KEY, lines, root);
    expect(stored.headers[SEAL_HEADER]).toBe(await sealBronze(root, KEY, stored.body));
    expect(stored.headers[SEAL_HEADER]).not.toBe(await sealBronze(root, KEY, lines));
  });

  it("are stored as they were when written without compression", async () => {
    const root = await bronzeSealKey("a shared secret");
    const stored = await bronzeEventsObject(KEY, lines, root, { compress: false });
    expect(stored.body).toEqual(lines);
    expect(stored.headers).toEqual({ [SEAL_HEADER]: await sealBronze(root, KEY, lines) });
  });

  it("compress an empty body to a stream of no bytes", async () => {
    expect(await gunzip(await gzip(new Uint8Array()))).toHaveLength(0);
  });

  it("are known compressed from their content encoding alone", () => {
    for (const encoding of ["gzip", "GZIP", " gzip "]) expect(isGzipEncoding(encoding)).toBe(true);
    for (const encoding of [null, undefined, "", "identity", "br", "x-gzip, br"])
      expect(isGzipEncoding(encoding)).toBe(false);
  });
});
