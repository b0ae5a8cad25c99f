import type { Db } from "../db/client.ts";

/** When the last successful run of `day` started (it read every object stored before then), or null. */
export async function lastSuccessStart(db: Db, day: string): Promise<Date | null> {
  const [row] = await db.query<{ started_at: Date | null }>(
    "SELECT max(started_at) AS started_at FROM etl.runs WHERE event_date = $1 AND status = 'done'",
    [day],
  );
  return row?.started_at ? new Date(row.started_at) : null;
}

/**
 * Queues a run of `day` unless one is already queued or running: a new attempt number,
 * status 'queued', which `etl work` claims. Returns whether it queued one.
 */
export async function enqueueRun(db: Db, day: string): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO etl.runs (event_date, attempt, status)
     SELECT $1::date, coalesce(max(attempt), 0) + 1, 'queued' FROM etl.runs WHERE event_date = $1::date
     HAVING count(*) FILTER (WHERE status IN ('queued', 'running')) = 0
     ON CONFLICT (event_date, attempt) DO NOTHING
     RETURNING id`,
    [day],
  );
  return rows.length > 0;
}

export async function beat(db: Db, name: string): Promise<void> {
  await db.query(
    "INSERT INTO etl.heartbeats (name, beat_at) VALUES ($1, now()) ON CONFLICT (name) DO UPDATE SET beat_at = excluded.beat_at",
    [name],
  );
}
