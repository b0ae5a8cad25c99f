import type { PipelineStatus, RunDay } from "@growit/contract";

/** What DuckDB counts for one event_date in the exports the dashboard reads. */
export interface MeasuredDay {
  /** Rows of the day's silver partition. */
  silver_rows: number;
  /** Of those, the rows with a user (anonymous events are in silver, not in the mart). */
  silver_user_rows: number;
  /** Rows (users) of the day in the mart. */
  mart_rows: number;
  /** SUM(cnt) of the day in the mart. */
  mart_total: number;
}

/** An identity that failed for a day; see `reconcile`. */
export type Mismatch = "silverRows" | "martRows" | "martTotal";

export type Reconciliation = { state: "pending" } | { state: "checked"; mismatches: Mismatch[] };

/**
 * Checks what must hold between a day's last run and the exports, for a day whose last run is done.
 *
 * The run's own counts do not add up by themselves: bronze_lines, rejected and duplicates count
 * what that run absorbed for D, while silver_rows and mart_rows are D's totals after it. So only
 * these are checked:
 * - silverRows: the run's silver_rows == the rows of silver partition D;
 * - martRows: the run's mart_rows (users) == the mart's rows for D;
 * - martTotal: silver partition D's rows with a user == SUM(cnt) of the mart for D.
 * A day with no export yet reads as zero rows, so a run that wrote rows the exports lack shows.
 */
export function reconcile(run: RunDay, measured: MeasuredDay | undefined): Reconciliation {
  if (run.latest_status !== "done") return { state: "pending" };
  const day = measured ?? { silver_rows: 0, silver_user_rows: 0, mart_rows: 0, mart_total: 0 };
  const mismatches: Mismatch[] = [];
  if ((run.silver_rows ?? 0) !== day.silver_rows) mismatches.push("silverRows");
  if ((run.mart_rows ?? 0) !== day.mart_rows) mismatches.push("martRows");
  if (day.silver_user_rows !== day.mart_total) mismatches.push("martTotal");
  return { state: "checked", mismatches };
}

/**
 * What the freshness banner says: failing, naming the failing days (newest first), and stale too
 * if it is; otherwise stale; fresh only when neither.
 */
export type Freshness = { tone: "failing"; days: string[]; stale: boolean } | { tone: "stale" } | { tone: "fresh" };

export function freshness(status: Pick<PipelineStatus, "failing" | "stale" | "days">): Freshness {
  if (status.failing) {
    const days = status.days.filter((day) => day.state === "failing").map((day) => day.event_date);
    return { tone: "failing", days, stale: status.stale };
  }
  return { tone: status.stale ? "stale" : "fresh" };
}

/** The retry under way of a failing day, if one is queued or running; it has not cleared the failure yet. */
export function retryOf(day: RunDay): "queued" | "running" | null {
  if (day.state !== "failing" || (day.latest_status !== "queued" && day.latest_status !== "running")) return null;
  return day.latest_status;
}
