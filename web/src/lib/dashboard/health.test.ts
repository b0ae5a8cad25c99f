import type { RunDay } from "@growit/contract";
import { describe, expect, it } from "vitest";
import { freshness, reconcile, retryOf } from "./health.ts";

const run = (patch: Partial<RunDay> = {}): RunDay => ({
  event_date: "2026-11-20",
  latest_status: "done",
  state: "done",
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

describe("freshness", () => {
  const days = [
    run({ event_date: "2026-11-22", latest_status: "queued", state: "queued" }),
    run({ event_date: "2026-11-21", latest_status: "failed", state: "failing" }),
    run({ event_date: "2026-11-20", latest_status: "running", state: "failing" }),
    run({ event_date: "2026-11-19" }),
  ];

  it("is fresh only when nothing fails and nothing is stale", () => {
    expect(freshness({ failing: false, stale: false, days: [run()] })).toEqual({ tone: "fresh" });
    expect(freshness({ failing: false, stale: false, days: [] })).toEqual({ tone: "fresh" });
  });

  it("is stale when bronze has waited too long and nothing fails", () => {
    expect(freshness({ failing: false, stale: true, days: [run()] })).toEqual({ tone: "stale" });
  });

  it("is failing, naming the failing days newest first, whether stale or not", () => {
    expect(freshness({ failing: true, stale: false, days })).toEqual({
      tone: "failing",
      days: ["2026-11-21", "2026-11-20"],
      stale: false,
    });
    expect(freshness({ failing: true, stale: true, days })).toMatchObject({ tone: "failing", stale: true });
  });
});

describe("retryOf", () => {
  it("names the queued or running retry of a failing day", () => {
    expect(retryOf(run({ latest_status: "queued", state: "failing" }))).toBe("queued");
    expect(retryOf(run({ latest_status: "running", state: "failing" }))).toBe("running");
  });

  it("is null for a day whose failed run is its latest, and for a day that is not failing", () => {
    expect(retryOf(run({ latest_status: "failed", state: "failing" }))).toBeNull();
    expect(retryOf(run({ latest_status: "queued", state: "queued" }))).toBeNull();
    expect(retryOf(run())).toBeNull();
  });
});
