import { describe, expect, it } from "vitest";
import { SILVER_COLUMNS, SILVER_SORT } from "./silver.ts";

describe("silver columns", () => {
  it("are docs/architecture.md's, in its order, with the client's ts beside ts and each row's bronze object", () => {
    expect(SILVER_COLUMNS.map((c) => `${c.name} ${c.type}`).join(", ")).toBe(
      "id VARCHAR, type VARCHAR, ts TIMESTAMP, client_ts TIMESTAMP, event_date DATE, user_id VARCHAR, " +
        "props VARCHAR, category VARCHAR, query VARCHAR, anonymous_id VARCHAR, session_id VARCHAR, received_at TIMESTAMP, source VARCHAR, bronze_object VARCHAR",
    );
    expect(SILVER_SORT).toEqual(["user_id", "ts", "id"]);
  });
});
