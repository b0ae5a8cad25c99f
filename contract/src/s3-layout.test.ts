import { describe, expect, it } from "vitest";
import {
  bronzeDayPrefix,
  bronzeKeyTime,
  bronzeObjectKey,
  bronzeStartAfter,
  etlRejectsKey,
  rejectedObjectKey,
  silverPartitionKey,
  silverPartitionPrefix,
  utcDay,
} from "./s3-layout.ts";

describe("s3 layout", () => {
  const at = new Date("2026-01-05T03:04:05.006Z");
  it("names bronze and rejected objects by UTC day and time", () => {
    expect(bronzeObjectKey(at, "u")).toBe("bronze/app/2026/01/05/part-030405006-u.jsonl");
    expect(rejectedObjectKey(at, "u")).toBe("bronze/_rejected/2026/01/05/part-030405006-u.jsonl");
  });
  it("gives day prefixes", () => {
    expect(utcDay(new Date("2026-01-05T23:59:59.999-01:00"))).toBe("2026-01-06");
    expect(bronzeDayPrefix("2026-01-05")).toBe("bronze/app/2026/01/05/");
    expect(silverPartitionPrefix("2026-01-05")).toBe("silver/events/event_date=2026-01-05/");
  });
  it("gives the ETL's fixed keys per day", () => {
    expect(silverPartitionKey("2026-01-05")).toBe("silver/events/event_date=2026-01-05/part-0.parquet");
    expect(etlRejectsKey("2026-01-05")).toBe("bronze/_rejected/2026/01/05/part-000000000-etl.jsonl");
  });
  it("orders keys by time for start-after, and reads the time back", () => {
    const key = bronzeObjectKey(at, "0193a0b2-7c1e-7d4a-9f00-1234567890ab");
    expect(bronzeStartAfter(at) < key).toBe(true);
    expect(bronzeStartAfter(new Date(at.getTime() + 1)) > key).toBe(true);
    expect(bronzeKeyTime(key)).toEqual(at);
    expect(bronzeKeyTime("silver/events/event_date=2026-01-05/part-0.parquet")).toBeNull();
  });
});
