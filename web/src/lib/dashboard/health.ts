import type { RunDay } from "@growit/contract";

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
 * The run's own counts do not add up by themselves: bronze_lines and rejected count bronze day D's
 * objects (events received on D, whatever their ts), while duplicates, silver_rows and mart_rows
 * count event_date D (found in bronze days D-1..D+1). So only these are checked:
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
