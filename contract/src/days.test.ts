import { describe, expect, it } from "vitest";
import { addDays, bronzeDaysOf, dayRange, horizonDays, isDay, utcDayFromToday } from "./days.ts";

describe("days", () => {
  it("accepts real dates only", () => {
    expect(isDay("2024-02-29")).toBe(true);
    expect(isDay("2026-02-29")).toBe(false);
    expect(isDay("2026-1-05")).toBe(false);
    expect(isDay("yesterday")).toBe(false);
  });

  it("steps over month and year ends", () => {
    expect(addDays("2025-12-31", 1)).toBe("2026-01-01");
    expect(addDays("2024-03-01", -1)).toBe("2024-02-29");
  });

  it("counts days from today's UTC day, whatever the time of day", () => {
    expect(utcDayFromToday(0, new Date("2026-03-01T23:59:59.999Z"))).toBe("2026-03-01");
    expect(utcDayFromToday(-1, new Date("2026-03-01T00:00:00.000Z"))).toBe("2026-02-28");
    expect(utcDayFromToday(30, new Date("2025-12-15T12:00:00.000Z"))).toBe("2026-01-14");
  });

  it("gives inclusive ranges", () => {
    expect(dayRange("2025-12-30", "2026-01-02")).toEqual(["2025-12-30", "2025-12-31", "2026-01-01", "2026-01-02"]);
    expect(dayRange("2026-01-01", "2026-01-01")).toEqual(["2026-01-01"]);
    expect(() => dayRange("2026-01-02", "2026-01-01")).toThrow(/before/);
  });

  it("gives the bronze days that may hold a day's events: the day before to the horizon after, none after today", () => {
    expect(bronzeDaysOf("2026-03-01", "2026-03-02")).toEqual(["2026-02-28", "2026-03-01", "2026-03-02"]);
    const all = bronzeDaysOf("2026-03-01", "2027-01-01");
    expect([all.length, all[0], all.at(-1)]).toEqual([32, "2026-02-28", "2026-03-31"]);
  });

  it("keeps the horizon's days open, oldest first", () => {
    const days = horizonDays("2026-03-31");
    expect([days.length, days[0], days.at(-1)]).toEqual([31, "2026-03-01", "2026-03-31"]);
  });
});
