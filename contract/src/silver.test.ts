import { describe, expect, it } from "vitest";
import { SILVER_COLUMNS, SILVER_SORT } from "./silver.ts";

describe("silver columns", () => {
  it("are DESIGN.md's, in its order", () => {
    expect(SILVER_COLUMNS.map((c) => `${c.name} ${c.type}`).join(", ")).toBe(
      "id VARCHAR, type VARCHAR, ts TIMESTAMP, event_date DATE, user_id VARCHAR, props VARCHAR, " +
        "category VARCHAR, query VARCHAR, received_at TIMESTAMP, source VARCHAR",
    );
    expect(SILVER_SORT).toEqual(["user_id", "ts", "id"]);
  });
});
