import { describe, expect, it } from "vitest";
import { bronzeDayPrefix, bronzeObjectKey, rejectedObjectKey, silverPartitionPrefix, utcDay } from "./s3-layout.ts";

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
});
