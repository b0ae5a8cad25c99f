import { describe, expect, it } from "vitest";
import { en } from "./en.ts";
import { ko } from "./ko.ts";
import { type PluralForms, plural } from "./plural.ts";

const ROWS: PluralForms = { one: "{n} row", other: "{n} rows" };

describe("plural", () => {
  it("takes English's one form for 1 alone", () => {
    expect(plural("en", 1, ROWS)).toBe("1 row");
    expect(plural("en", 0, ROWS)).toBe("0 rows");
    expect(plural("en", 2, ROWS)).toBe("2 rows");
    expect(plural("en", 1.5, ROWS)).toBe("1.5 rows");
  });

  it("writes the count with the locale's digit grouping", () => {
    expect(plural("en", 1234567, ROWS)).toBe("1,234,567 rows");
  });

  it("falls back to other for a category the text leaves out", () => {
    expect(plural("ko", 1, { other: "{n}행" })).toBe("1행");
    expect(plural("en", 1, { other: "{n} rows" })).toBe("1 rows");
  });

  it("replaces every {n}", () => {
    expect(plural("en", 3, { one: "{n} of {n}", other: "{n} of {n}" })).toBe("3 of 3");
  });

  it("gives every English count message a one form, so that 1 is never plural", () => {
    const counted = Object.entries(en).filter((entry): entry is [string, PluralForms] => typeof entry[1] !== "string");
    expect(counted.length).toBeGreaterThan(0);
    for (const [key, forms] of counted) {
      expect(forms.one, key).toBeDefined();
      expect(forms.one, key).toContain("{n}");
    }
  });

  it("keeps the count messages of every language in the same keys", () => {
    const countKeys = (messages: Record<string, unknown>) =>
      Object.keys(messages).filter((key) => typeof messages[key] !== "string");
    expect(countKeys(en)).toEqual(countKeys(ko));
  });
});
