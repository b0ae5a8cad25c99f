import { describe, expect, it } from "vitest";
import { utcDay } from "./days.ts";
import {
  bronzeDayPrefix,
  bronzeKeyTime,
  bronzeObjectKey,
  bronzeStartAfter,
  etlRejectsKey,
  rejectedObjectKey,
  silverFileDay,
  silverFileKey,
  silverPartitionPrefix,
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
  it("names silver files and reads their day back", () => {
    const key = silverFileKey("2026-01-05", "0193a0b2");
    expect(key).toBe("silver/events/event_date=2026-01-05/part-0193a0b2.parquet");
    expect(silverFileDay(key)).toBe("2026-01-05");
    expect(silverFileDay("silver/events/event_date=2026-01-05/x/part-1.parquet")).toBeNull();
  });
  it("puts the ETL's rejects of an object beside it, under a key of its own", () => {
    expect(etlRejectsKey("bronze/app/2026/01/05/part-030405006-u.jsonl")).toBe(
      "bronze/_rejected/2026/01/05/part-030405006-u-etl.jsonl",
    );
    expect(etlRejectsKey("bronze/app/2026/01/05/from spark/a.json")).toBe(
      "bronze/_rejected/2026/01/05/part-000000000-from_spark_a_json-etl.jsonl",
    );
  });
  it("orders keys by time for start-after, and reads the time back", () => {
    const key = bronzeObjectKey(at, "0193a0b2-7c1e-7d4a-9f00-1234567890ab");
    expect(bronzeStartAfter(at) < key).toBe(true);
    expect(bronzeStartAfter(new Date(at.getTime() + 1)) > key).toBe(true);
    expect(bronzeKeyTime(key)).toEqual(at);
    expect(bronzeKeyTime("silver/events/event_date=2026-01-05/part-0.parquet")).toBeNull();
  });
});
