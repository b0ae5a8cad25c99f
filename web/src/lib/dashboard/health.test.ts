import type { RunDay } from "@growit/contract";
import { describe, expect, it } from "vitest";
import { reconcile } from "./health.ts";

const run = (patch: Partial<RunDay> = {}): RunDay => ({
  event_date: "2026-11-20",
  latest_status: "done",
  attempts: 1,
  last_done_at: "2026-11-21T00:31:00Z",
  bronze_lines: 120,
  rejected: 2,
  duplicates: 3,
  silver_rows: 100,
  mart_rows: 4,
  seconds: 1.2,
  ...patch,
});
const measured = { silver_rows: 100, silver_user_rows: 90, mart_rows: 4, mart_total: 90 };

describe("reconcile", () => {
  it("passes when the run, silver and the mart agree, whatever bronze, rejects and duplicates say", () => {
    expect(reconcile(run({ bronze_lines: 5 }), measured)).toEqual({ state: "checked", mismatches: [] });
  });

  it("names each identity that fails", () => {
    expect(reconcile(run({ silver_rows: 101, mart_rows: 5 }), { ...measured, mart_total: 89 })).toEqual({
      state: "checked",
      mismatches: ["silverRows", "martRows", "martTotal"],
    });
  });

  it("reads a day missing from the exports as empty", () => {
    expect(reconcile(run(), undefined)).toEqual({ state: "checked", mismatches: ["silverRows", "martRows"] });
    expect(reconcile(run({ silver_rows: 0, mart_rows: 0 }), undefined)).toEqual({ state: "checked", mismatches: [] });
  });

  it("does not judge a day whose last run is not done", () => {
    expect(reconcile(run({ latest_status: "running", silver_rows: null }), measured)).toEqual({ state: "pending" });
  });
});
