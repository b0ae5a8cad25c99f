import { describe, expect, it } from "vitest";
import { ReadyForQueryTracker } from "./session-queue.ts";

function msg(type: string, body: number[]): number[] {
  const len = body.length + 4;
  return [type.charCodeAt(0), (len >>> 24) & 255, (len >>> 16) & 255, (len >>> 8) & 255, len & 255, ...body];
}

describe("ReadyForQueryTracker", () => {
  it("finds the last ReadyForQuery status across arbitrary chunk boundaries", () => {
    // CommandComplete "BEGIN", ReadyForQuery 'T', DataRow containing a 'Z'-looking byte, ReadyForQuery 'I'
    const stream = [
      ...msg("C", [...Buffer.from("BEGIN\0")]),
      ...msg("Z", ["T".charCodeAt(0)]),
      ...msg("D", [0, 1, 0, 0, 0, 1, 0x5a]),
      ...msg("Z", ["I".charCodeAt(0)]),
    ];
    for (let a = 0; a <= stream.length; a++) {
      for (let b = a; b <= stream.length; b++) {
        const t = new ReadyForQueryTracker();
        t.feed(Uint8Array.from(stream.slice(0, a)));
        t.feed(Uint8Array.from(stream.slice(a, b)));
        t.feed(Uint8Array.from(stream.slice(b)));
        expect(t.lastStatus).toBe("I");
      }
    }
    const partial = new ReadyForQueryTracker();
    partial.feed(Uint8Array.from(stream.slice(0, stream.length - 6)));
    expect(partial.lastStatus).toBe("T");
    const none = new ReadyForQueryTracker();
    none.feed(Uint8Array.from(msg("1", [])));
    expect(none.lastStatus).toBeNull();
  });
});
