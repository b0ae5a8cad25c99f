import { type Db, sqlState } from "../db/client.ts";

/**
 * How a counter admits attempts. A window opens at a counter's first attempt and lasts
 * `windowSeconds`; within it the first `free` attempts pass at once, and each further one must
 * come `firstDelaySeconds` after the one before, a delay that doubles with every attempt up to
 * `maxDelaySeconds`, and never lasts past the window's end, when the counter starts again. A
 * limit (N per window, then wait for the window to end) is a first delay as long as the window.
 */
export interface ThrottlePolicy {
  free: number;
  windowSeconds: number;
  firstDelaySeconds: number;
  maxDelaySeconds: number;
}

/** `free` attempts per window, then none until the window ends. */
export const limitPer = (free: number, windowSeconds: number): ThrottlePolicy => ({
  free,
  windowSeconds,
  firstDelaySeconds: windowSeconds,
  maxDelaySeconds: windowSeconds,
});

/** One thing attempts are counted against (a username, a client, both), under its policy. */
export interface Counter {
  key: string;
  policy: ThrottlePolicy;
}

/** The SQLSTATE of a CHECK violation: app.attempt_counters refuses an attempt that is not due yet. */
const NOT_DUE = "23514";
/**
 * When the attempt happened. An attempt that waited for a concurrent one to release the row may
 * have started before it; it is taken as happening no earlier, so waiting never makes it early.
 */
const ATTEMPT_AT = "greatest(c.last_at, excluded.last_at)";
/** Whether the counter's window (in the row before this attempt) has ended. */
const ENDED = `c.window_start + c.window_seconds <= ${ATTEMPT_AT}`;

/**
 * Counts an attempt against every counter in one statement, or against none when any of them is
 * not due yet: the upsert locks each counter's row, so of concurrent attempts each sees the ones
 * before it, and the CHECK on the row undoes the whole statement for an attempt that came too
 * early. Rows of ended windows are deleted on the way (not this attempt's own: one statement
 * cannot both delete and update a row).
 */
const COUNT_ATTEMPT = `
  WITH clock AS (SELECT extract(epoch FROM now())::float8 AS now),
  expired AS (
    DELETE FROM app.attempt_counters
     WHERE window_start + window_seconds < (SELECT now FROM clock) AND key <> ALL($1::text[])
  )
  INSERT INTO app.attempt_counters AS c
         (key, free, window_seconds, first_delay, max_delay, attempts, window_start, last_at, due_at)
  SELECT p.key, p.free, p.window_seconds, p.first_delay, p.max_delay, 1, clock.now, clock.now, clock.now
    FROM unnest($1::text[], $2::int[], $3::float8[], $4::float8[], $5::float8[])
           AS p (key, free, window_seconds, first_delay, max_delay), clock
  ON CONFLICT (key) DO UPDATE SET
    free = excluded.free,
    window_seconds = excluded.window_seconds,
    first_delay = excluded.first_delay,
    max_delay = excluded.max_delay,
    attempts = CASE WHEN ${ENDED} THEN 1 ELSE c.attempts + 1 END,
    window_start = CASE WHEN ${ENDED} THEN ${ATTEMPT_AT} ELSE c.window_start END,
    due_at = CASE WHEN ${ENDED} THEN ${ATTEMPT_AT} ELSE c.not_before END,
    last_at = ${ATTEMPT_AT}`;

/**
 * Counts an attempt against `counters` if all of them are due: 0 when it was counted, otherwise
 * the seconds until every one of them is due (nothing was counted).
 */
export async function admit(db: Db, counters: Counter[]): Promise<number> {
  const column = <T>(of: (counter: Counter) => T) => counters.map(of);
  try {
    await db.query(COUNT_ATTEMPT, [
      column((counter) => counter.key),
      column((counter) => counter.policy.free),
      column((counter) => counter.policy.windowSeconds),
      column((counter) => counter.policy.firstDelaySeconds),
      column((counter) => counter.policy.maxDelaySeconds),
    ]);
    return 0;
  } catch (error) {
    if (sqlState(error) !== NOT_DUE) throw error;
  }
  const [wait] = await db.query<{ seconds: number | null }>(
    `SELECT ceil(max(not_before) - extract(epoch FROM now())::float8)::int AS seconds
       FROM app.attempt_counters WHERE key = ANY($1::text[])`,
    [column((counter) => counter.key)],
  );
  // A counter may have become due since the refusal: the client is still told to wait a moment.
  return Math.max(1, wait?.seconds ?? 1);
}

/**
 * For an attempt that turned out well: takes it back from `refunded`, and forgets every attempt
 * counted against `cleared` (a counter in neither list stays as it is; none may be in both).
 */
export async function settle(
  db: Db,
  { refunded, cleared }: { refunded: Counter[]; cleared: Counter[] },
): Promise<void> {
  await db.query(
    `WITH cleared AS (DELETE FROM app.attempt_counters WHERE key = ANY($2::text[]))
     UPDATE app.attempt_counters SET attempts = attempts - 1 WHERE key = ANY($1::text[]) AND attempts > 0`,
    [refunded.map((counter) => counter.key), cleared.map((counter) => counter.key)],
  );
}
