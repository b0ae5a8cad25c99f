// etl.runs, the run ledger (migrations 004, 007 and 008). One row per (event_date, attempt):
//   queued  -> waiting to be claimed (not before not_before, when set);
//   running -> a process is on it (`worker` names it; its heartbeat is in etl.heartbeats);
//   done    -> silver, mart and exports of that day are published;
//   failed  -> the attempt stopped (`error` says why); a retry is a new queued row.
// A queued day is brought up to date by a run that absorbs every unabsorbed bronze object (see
// absorb.ts): that run records a done row for every event date the objects touched as well.
// Silver is written by one process at a time (SILVER_LOCK); a day's own lock keeps two processes
// from claiming the same day.
import type pg from "pg";
import { inTransaction } from "./postgres.ts";

/** What a run reports into its ledger row. */
export interface RunCounts {
  bronze_objects: number;
  bronze_lines: number;
  rejected: number;
  duplicates: number;
  silver_rows: number;
  silver_bytes: number;
  mart_rows: number;
  bytes: number;
  seconds: number;
}

export type RunMode = "incremental" | "sweep" | "rebuild";

export interface RunRow {
  id: number;
  day: string;
  attempt: number;
  mode: RunMode;
}

export interface RetryPolicy {
  /** Failed attempts in a row (since the day's last done run) after which no retry is queued. */
  maxAttempts: number;
  /** Backoff before retry n: baseDelayMs * 4^(n-1). */
  baseDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 5_000 };

/** Advisory lock class for "this day is being run" (the object id is the day's number since 1970). */
const DAY_LOCK_CLASS = 0x65_74_6c;
const dayNumber = (day: string) => Math.round(Date.parse(`${day}T00:00:00Z`) / 86_400_000);

const ROW = "id::int AS id, to_char(event_date, 'YYYY-MM-DD') AS day, attempt, mode";

/** Held while a process writes silver, the mart and the ledger of absorbed objects. */
const SILVER_LOCK = 0x65_74_6c_02;

/** Waits for the silver writer's lock on `client`'s session; it lasts until unlockSilver or the session ends. */
export async function lockSilver(client: pg.PoolClient): Promise<void> {
  await client.query("SELECT pg_advisory_lock($1)", [SILVER_LOCK]);
}

export async function unlockSilver(client: pg.PoolClient): Promise<void> {
  await client.query("SELECT pg_advisory_unlock($1)", [SILVER_LOCK]);
}

/** Takes the day's lock on `client`'s session if free; it lasts until unlockDay or the session ends. */
export async function tryLockDay(client: pg.PoolClient, day: string): Promise<boolean> {
  const result = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1, $2) AS locked", [
    DAY_LOCK_CLASS,
    dayNumber(day),
  ]);
  return result.rows[0]?.locked === true;
}

export async function unlockDay(client: pg.PoolClient, day: string): Promise<void> {
  await client.query("SELECT pg_advisory_unlock($1, $2)", [DAY_LOCK_CLASS, dayNumber(day)]);
}

/** A new attempt of `day`, running at once (`run --date`); the caller holds the day's lock. */
export async function startRun(client: pg.PoolClient, day: string, worker: string, mode: RunMode): Promise<RunRow> {
  const result = await client.query<RunRow>(
    `INSERT INTO etl.runs (event_date, attempt, status, started_at, worker, mode)
     SELECT $1::date, coalesce(max(attempt), 0) + 1, 'running', now(), $2, $3 FROM etl.runs WHERE event_date = $1::date
     RETURNING ${ROW}`,
    [day, worker, mode],
  );
  return result.rows[0] as RunRow;
}

/**
 * Claims the oldest due queued run whose day no one is running, and takes that day's lock on
 * `client`. SKIP LOCKED lets concurrent claimers pass each other's candidates.
 */
export async function claimRun(client: pg.PoolClient, worker: string): Promise<RunRow | null> {
  return inTransaction(client, async () => {
    const candidates = await client.query<RunRow>(
      `SELECT ${ROW} FROM etl.runs r
       WHERE status = 'queued' AND (not_before IS NULL OR not_before <= now())
         AND NOT EXISTS (SELECT 1 FROM etl.runs o WHERE o.event_date = r.event_date AND o.status = 'running')
       ORDER BY queued_at, id
       LIMIT 16
       FOR UPDATE SKIP LOCKED`,
    );
    for (const run of candidates.rows) {
      if (!(await tryLockDay(client, run.day))) continue;
      await client.query("UPDATE etl.runs SET status = 'running', started_at = now(), worker = $2 WHERE id = $1", [
        run.id,
        worker,
      ]);
      return run;
    }
    return null;
  });
}

/**
 * Marks the attempt failed and, unless the day has failed `maxAttempts` times in a row,
 * queues the next attempt after a backoff. Returns when the retry may start, or null.
 */
export async function failRun(
  client: pg.PoolClient,
  run: RunRow,
  error: string,
  policy: RetryPolicy,
): Promise<Date | null> {
  return inTransaction(client, async () => {
    await client.query("UPDATE etl.runs SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1", [
      run.id,
      error.slice(0, 4000),
    ]);
    return queueRetry(client, run.day, policy);
  });
}

async function queueRetry(client: pg.PoolClient, day: string, policy: RetryPolicy): Promise<Date | null> {
  const failures = await client.query<{ n: string; pending: boolean }>(
    `SELECT count(*) AS n,
       EXISTS (SELECT 1 FROM etl.runs WHERE event_date = $1 AND status IN ('queued', 'running')) AS pending
     FROM etl.runs
     WHERE event_date = $1 AND status = 'failed'
       AND attempt > coalesce((SELECT max(attempt) FROM etl.runs WHERE event_date = $1 AND status = 'done'), 0)`,
    [day],
  );
  const n = Number(failures.rows[0]?.n ?? 0);
  if (failures.rows[0]?.pending || n >= policy.maxAttempts) return null;
  const delayMs = policy.baseDelayMs * 4 ** (n - 1);
  // The retry keeps the failed attempt's mode, so that a failed sweep or rebuild is not retried as less.
  const queued = await client.query<{ not_before: Date }>(
    `INSERT INTO etl.runs (event_date, attempt, status, not_before, mode)
     SELECT $1::date, max(attempt) + 1, 'queued', now() + $2 * interval '1 millisecond',
       (SELECT mode FROM etl.runs WHERE event_date = $1::date ORDER BY attempt DESC LIMIT 1)
     FROM etl.runs WHERE event_date = $1::date
     RETURNING not_before`,
    [day, delayMs],
  );
  return queued.rows[0]?.not_before ?? null;
}

/**
 * Fails the running attempts whose process stopped beating for `staleAfterMs` (killed, or lost
 * its machine), queueing their retries, so the cron and the workers can go on with those days.
 */
export async function recoverStaleRuns(client: pg.PoolClient, staleAfterMs: number, policy: RetryPolicy) {
  return inTransaction(client, async () => {
    const stale = await client.query<RunRow>(
      `UPDATE etl.runs r SET status = 'failed', finished_at = now(),
         error = 'abandoned: ' || coalesce(worker, 'unknown worker') || ' stopped beating'
       WHERE status = 'running' AND NOT EXISTS (
         SELECT 1 FROM etl.heartbeats h
         WHERE h.name = r.worker AND h.beat_at > now() - $1 * interval '1 millisecond')
       RETURNING ${ROW}`,
      [staleAfterMs],
    );
    for (const run of stale.rows) await queueRetry(client, run.day, policy);
    return stale.rows;
  });
}

/** Records that `name` is alive (etl.heartbeats). */
export async function beat(pool: pg.Pool, name: string): Promise<void> {
  await pool.query(
    "INSERT INTO etl.heartbeats (name, beat_at) VALUES ($1, now()) ON CONFLICT (name) DO UPDATE SET beat_at = now()",
    [name],
  );
}
