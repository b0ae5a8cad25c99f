// etl.runs, the run ledger (migrations 004, 007 and 008). One row per (event_date, attempt):
//   queued  -> waiting to be claimed (not before not_before, when set);
//   running -> a process is on it (`worker` names it; its heartbeat is in etl.heartbeats);
//   done    -> silver, mart and exports of that day are published;
//   failed  -> the attempt stopped (`error` says why); a retry is a new queued row.
// The worker's cron queues runs (enqueueRun); the ETL claims, runs and fails them. A queued day is
// brought up to date by a run that absorbs every unabsorbed bronze object: that run records a done
// row for every event date the objects touched as well (the ETL's publish). Silver is written by
// one process at a time (lockSilver); a day's own lock keeps two processes from claiming the same day.
// The locks are held by a session: the functions that take one want every statement on one
// connection (a pool's client, not the pool).

import { dayStart } from "./days.ts";
import { DAY_MS } from "./limits.ts";
import { inTransaction, type Queryable } from "./queryable.ts";

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

/** incremental: absorb what arrived; sweep: also look for objects put into older bronze days; rebuild: the day from all its bronze. */
export type RunMode = "incremental" | "sweep" | "rebuild";

export interface RunRow {
  id: number;
  day: string;
  attempt: number;
  mode: RunMode;
}

export interface RunRetryPolicy {
  /** Failed attempts in a row (since the day's last done run) after which no retry is queued. */
  maxAttempts: number;
  /** Backoff before retry n: baseDelayMs * 4^(n-1). */
  baseDelayMs: number;
}

export const DEFAULT_RUN_RETRY_POLICY: RunRetryPolicy = { maxAttempts: 3, baseDelayMs: 5_000 };

/** Advisory lock class for "this day is being run" (the object id is the day's number since 1970). */
const DAY_LOCK_CLASS = 0x65_74_6c;
const dayNumber = (day: string) => Math.round(dayStart(day) / DAY_MS);

const ROW = "id::int AS id, to_char(event_date, 'YYYY-MM-DD') AS day, attempt, mode";

/** Held while a process writes silver, the mart and the ledger of absorbed objects. */
const SILVER_LOCK = 0x65_74_6c_02;

/** Waits for the silver writer's lock on `session`; it lasts until unlockSilver or the session ends. */
export async function lockSilver(session: Queryable): Promise<void> {
  await session.query("SELECT pg_advisory_lock($1)", [SILVER_LOCK]);
}

export async function unlockSilver(session: Queryable): Promise<void> {
  await session.query("SELECT pg_advisory_unlock($1)", [SILVER_LOCK]);
}

/** Takes the day's lock on `session` if free; it lasts until unlockDay or the session ends. */
export async function tryLockDay(session: Queryable, day: string): Promise<boolean> {
  const [row] = await session.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1, $2) AS locked", [
    DAY_LOCK_CLASS,
    dayNumber(day),
  ]);
  return row?.locked === true;
}

export async function unlockDay(session: Queryable, day: string): Promise<void> {
  await session.query("SELECT pg_advisory_unlock($1, $2)", [DAY_LOCK_CLASS, dayNumber(day)]);
}

/**
 * Queues a run of `day` unless one is already queued or running: a new attempt number,
 * status 'queued', which the ETL claims. A sweep upgrades a queued incremental run.
 * Returns whether it queued a new one.
 */
export async function enqueueRun(db: Queryable, day: string, mode: "incremental" | "sweep"): Promise<boolean> {
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

/** A new attempt of `day`, running at once (`run --date`); the caller holds the day's lock. */
export async function startRun(session: Queryable, day: string, worker: string, mode: RunMode): Promise<RunRow> {
  const [run] = await session.query<RunRow>(
    `INSERT INTO etl.runs (event_date, attempt, status, started_at, worker, mode)
     SELECT $1::date, coalesce(max(attempt), 0) + 1, 'running', now(), $2, $3 FROM etl.runs WHERE event_date = $1::date
     RETURNING ${ROW}`,
    [day, worker, mode],
  );
  return run as RunRow;
}

/**
 * Claims the oldest due queued run whose day no one is running, and takes that day's lock on
 * `session`. SKIP LOCKED lets concurrent claimers pass each other's candidates.
 */
export async function claimRun(session: Queryable, worker: string): Promise<RunRow | null> {
  return inTransaction(session, async () => {
    const candidates = await session.query<RunRow>(
      `SELECT ${ROW} FROM etl.runs r
       WHERE status = 'queued' AND (not_before IS NULL OR not_before <= now())
         AND NOT EXISTS (SELECT 1 FROM etl.runs o WHERE o.event_date = r.event_date AND o.status = 'running')
       ORDER BY queued_at, id
       LIMIT 16
       FOR UPDATE SKIP LOCKED`,
    );
    for (const run of candidates) {
      if (!(await tryLockDay(session, run.day))) continue;
      await session.query("UPDATE etl.runs SET status = 'running', started_at = now(), worker = $2 WHERE id = $1", [
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
  session: Queryable,
  run: RunRow,
  error: string,
  policy: RunRetryPolicy,
): Promise<Date | null> {
  return inTransaction(session, async () => {
    await session.query("UPDATE etl.runs SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1", [
      run.id,
      error.slice(0, 4000),
    ]);
    return queueRetry(session, run.day, policy);
  });
}

async function queueRetry(session: Queryable, day: string, policy: RunRetryPolicy): Promise<Date | null> {
  const [failures] = await session.query<{ n: string; pending: boolean }>(
    `SELECT count(*) AS n,
       EXISTS (SELECT 1 FROM etl.runs WHERE event_date = $1 AND status IN ('queued', 'running')) AS pending
     FROM etl.runs
     WHERE event_date = $1 AND status = 'failed'
       AND attempt > coalesce((SELECT max(attempt) FROM etl.runs WHERE event_date = $1 AND status = 'done'), 0)`,
    [day],
  );
  const n = Number(failures?.n ?? 0);
  if (failures?.pending || n >= policy.maxAttempts) return null;
  const delayMs = policy.baseDelayMs * 4 ** (n - 1);
  // The retry keeps the failed attempt's mode, so that a failed sweep or rebuild is not retried as less.
  const [queued] = await session.query<{ not_before: Date }>(
    `INSERT INTO etl.runs (event_date, attempt, status, not_before, mode)
     SELECT $1::date, max(attempt) + 1, 'queued', now() + $2 * interval '1 millisecond',
       (SELECT mode FROM etl.runs WHERE event_date = $1::date ORDER BY attempt DESC LIMIT 1)
     FROM etl.runs WHERE event_date = $1::date
     RETURNING not_before`,
    [day, delayMs],
  );
  return queued?.not_before ?? null;
}

/**
 * Fails the running attempts whose process stopped beating for `staleAfterMs` (killed, or lost
 * its machine), queueing their retries, so the cron and the workers can go on with those days.
 */
export async function recoverStaleRuns(
  session: Queryable,
  staleAfterMs: number,
  policy: RunRetryPolicy,
): Promise<RunRow[]> {
  return inTransaction(session, async () => {
    const stale = await session.query<RunRow>(
      `UPDATE etl.runs r SET status = 'failed', finished_at = now(),
         error = 'abandoned: ' || coalesce(worker, 'unknown worker') || ' stopped beating'
       WHERE status = 'running' AND NOT EXISTS (
         SELECT 1 FROM etl.heartbeats h
         WHERE h.name = r.worker AND h.beat_at > now() - $1 * interval '1 millisecond')
       RETURNING ${ROW}`,
      [staleAfterMs],
    );
    for (const run of stale) await queueRetry(session, run.day, policy);
    return stale;
  });
}

/** Records that `name` (the cron, an ETL process) is alive (etl.heartbeats). */
export async function beat(db: Queryable, name: string): Promise<void> {
  await db.query(
    "INSERT INTO etl.heartbeats (name, beat_at) VALUES ($1, now()) ON CONFLICT (name) DO UPDATE SET beat_at = now()",
    [name],
  );
}
