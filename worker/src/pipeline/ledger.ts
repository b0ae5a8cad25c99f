import type { Db } from "../db/client.ts";

export type RunMode = "incremental" | "sweep";

/**
 * Queues a run of `day` unless one is already queued or running: a new attempt number,
 * status 'queued', which `etl work` claims. A sweep upgrades a queued incremental run.
 * Returns whether it queued a new one.
 */
export async function enqueueRun(db: Db, day: string, mode: RunMode): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO etl.runs (event_date, attempt, status, mode)
     SELECT $1::date, coalesce(max(attempt), 0) + 1, 'queued', $2 FROM etl.runs WHERE event_date = $1::date
     HAVING count(*) FILTER (WHERE status IN ('queued', 'running')) = 0
     ON CONFLICT (event_date, attempt) DO NOTHING
     RETURNING id`,
    [day, mode],
  );
  if (rows.length === 0 && mode === "sweep") {
    await db.query("UPDATE etl.runs SET mode = 'sweep' WHERE event_date = $1 AND status = 'queued'", [day]);
  }
  return rows.length > 0;
}

export async function beat(db: Db, name: string): Promise<void> {
  await db.query(
    "INSERT INTO etl.heartbeats (name, beat_at) VALUES ($1, now()) ON CONFLICT (name) DO UPDATE SET beat_at = excluded.beat_at",
    [name],
  );
}
