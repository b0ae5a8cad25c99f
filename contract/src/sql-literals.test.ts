import { describe, expect, it } from "vitest";
import { sqlDate, sqlString } from "./sql-literals.ts";

describe("SQL literals", () => {
  it("quotes a string, doubling its single quotes", () => {
    expect(sqlString("silver/2026/03/01/part-0.parquet")).toBe("'silver/2026/03/01/part-0.parquet'");
    expect(sqlString("it's")).toBe("'it''s'");
    expect(sqlString("'; DROP TABLE x; --")).toBe("'''; DROP TABLE x; --'");
  });

  it("writes a day as a DATE and refuses anything else", () => {
    expect(sqlDate("2026-03-01")).toBe("DATE '2026-03-01'");
    expect(() => sqlDate("2026-02-30")).toThrow(/not a day/);
    expect(() => sqlDate("2026-03-01' OR '1'='1")).toThrow(/not a day/);
  });
});
