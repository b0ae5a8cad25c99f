import { describe, expect, it } from "vitest";
import { csvField } from "./csv.ts";

describe("csvField", () => {
  it("leaves plain values as they are and nulls empty", () => {
    expect([csvField("minji"), csvField(42), csvField(1.5), csvField(true), csvField(null)]).toEqual([
      "minji",
      "42",
      "1.5",
      "true",
      "",
    ]);
  });

  it("quotes commas, quotes, line breaks and edge spaces, doubling quotes", () => {
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\rlf")).toBe('"cr\rlf"');
    expect(csvField(" padded")).toBe('" padded"');
  });
});
