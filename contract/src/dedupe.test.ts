import { describe, expect, it } from "vitest";
import { copyWins, type RankedCopy } from "./dedupe.ts";

const copy = (fields: Partial<RankedCopy> = {}): RankedCopy => ({
  received_at: "2026-01-05T10:00:01.000Z",
  bronze_object: "bronze/app/2026/01/05/part-a",
  type: "page_view",
  ts: "2026-01-05T10:00:00.000Z",
  client_ts: null,
  user_id: "u",
  props: '{"path":"/"}',
  source: "web",
  ...fields,
});

describe("copyWins", () => {
  it("lets the copy received first win, whatever its object", () => {
    const early = copy({ bronze_object: "bronze/app/2026/01/05/part-b" });
    const late = copy({ received_at: "2026-01-05T10:00:02.000Z" });
    expect(copyWins(early, late)).toBe(true);
    expect(copyWins(late, early)).toBe(false);
  });

  it("breaks a received_at tie by the object key, then by content", () => {
    expect(copyWins(copy(), copy({ bronze_object: "bronze/app/2026/01/05/part-b" }))).toBe(true);
    expect(copyWins(copy({ props: '{"path":"/b"}' }), copy({ props: '{"path":"/a"}' }))).toBe(false);
  });

  it("orders content by code point, as SQL orders text, not by UTF-16 unit", () => {
    expect(copyWins(copy({ props: '{"q":"\uffff"}' }), copy({ props: '{"q":"\u{1f600}"}' }))).toBe(true);
    expect(copyWins(copy({ props: '{"q":"\u{1f600}"}' }), copy({ props: '{"q":"\uffff"}' }))).toBe(false);
    expect(copyWins(copy({ props: '{"q":"a"}' }), copy({ props: '{"q":"ab"}' }))).toBe(true);
  });

  it("ranks a missing field after a present one, and a copy never wins over its equal", () => {
    expect(copyWins(copy({ client_ts: "2026-01-05T09:00:00.000Z" }), copy())).toBe(true);
    expect(copyWins(copy(), copy({ client_ts: "2026-01-05T09:00:00.000Z" }))).toBe(false);
    expect(copyWins(copy(), copy())).toBe(false);
  });
});
