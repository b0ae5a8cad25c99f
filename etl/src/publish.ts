import type pg from "pg";
import type { RunCounts } from "./ledger.ts";
import { inTransaction } from "./postgres.ts";
import type { SilverFileRecord } from "./silver-cache.ts";

/** A bronze object whose lines a run absorbed (etl.bronze_objects). */
export interface AbsorbedObject {
  key: string;
  bytes: number;
  lines: number;
  rejected: number;
  quarantined: boolean;
  eventDates: string[];
}

/** A day's mart rows: its whole count per user (replace) or counts to add (add). */
export interface MartChange {
  day: string;
  mode: "replace" | "add";
  userIds: string[];
  counts: bigint[];
}

/** What a publication recorded. */
export interface Published {
  /** Each day's run, by day. */
  runs: Map<string, RecordedRun>;
  /** The exports' generation (etl.publication) it made, or null when it changed nothing the exports show. */
  generation: number | null;
}

/** A day's run as recorded: its attempt and counts. */
export interface RecordedRun {
  attempt: number;
  counts: RunCounts;
}

/** What a run records for one event date, besides the totals that publishing computes. */
export type DayRun = { day: string } & Pick<
  RunCounts,
  "bronze_objects" | "bronze_lines" | "rejected" | "duplicates" | "bytes" | "seconds"
>;

export interface Publication {
  /** The run that was claimed or started; its day's record completes it. */
  runId: number;
  worker: string;
  files: SilverFileRecord[];
  /** Silver keys that the new files supersede. */
  superseded: string[];
  mart: MartChange[];
  objects: AbsorbedObject[];
  runs: DayRun[];
}

/**
 * Publishes a run in one transaction: the silver files that are now current, the mart rows of the
 * days they changed, the bronze objects absorbed, and a done run for every day touched, so that a
 * run killed at any point before the commit leaves the ledger as it was and the next run redoes it.
 * unnest() of array parameters is the one bulk path that works on every Postgres, PGlite included
 * (COPY FROM STDIN hangs PGlite's socket server). A change to silver files or mart rows counts up
 * the exports' generation, which tells the exports step how far behind the last exports are.
 */
export async function publish(client: pg.PoolClient, publication: Publication): Promise<Published> {
  const { files, superseded, mart, objects, runs } = publication;
  return inTransaction(client, async () => {
    if (superseded.length > 0) {
      await client.query("DELETE FROM etl.silver_files WHERE object_key = ANY($1)", [superseded]);
      await client.query(
        "INSERT INTO etl.silver_garbage (object_key) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING",
        [superseded],
      );
    }
    if (files.length > 0) {
      await client.query(
        `INSERT INTO etl.silver_files (object_key, event_date, bytes, rows, sha256)
         SELECT * FROM unnest($1::text[], $2::date[], $3::bigint[], $4::bigint[], $5::text[])`,
        [
          files.map((f) => f.key),
          files.map((f) => f.day),
          files.map((f) => f.bytes),
          files.map((f) => f.rows),
          files.map((f) => f.sha256),
        ],
      );
      await client.query("DELETE FROM etl.silver_garbage WHERE object_key = ANY($1)", [files.map((f) => f.key)]);
    }
    const replaced = mart.filter((m) => m.mode === "replace").map((m) => m.day);
    if (replaced.length > 0)
      await client.query("DELETE FROM mart.daily_events WHERE event_date = ANY($1::date[])", [replaced]);
    const rows = mart.flatMap((m) => m.userIds.map((user, i) => [m.day, user, String(m.counts[i])] as const));
    if (rows.length > 0) {
      await client.query(
        `INSERT INTO mart.daily_events (event_date, user_id, cnt)
         SELECT * FROM unnest($1::date[], $2::text[], $3::bigint[])
         ON CONFLICT (event_date, user_id) DO UPDATE SET cnt = mart.daily_events.cnt + excluded.cnt`,
        [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])],
      );
    }
    if (objects.length > 0) {
      await client.query(
        `INSERT INTO etl.bronze_objects (key, bytes, lines, rejected, quarantined, event_dates)
         SELECT key, bytes, lines, rejected, quarantined, string_to_array(dates, ',')::date[]
         FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::boolean[], $6::text[])
           AS o(key, bytes, lines, rejected, quarantined, dates)
         ON CONFLICT (key) DO NOTHING`,
        [
          objects.map((o) => o.key),
          objects.map((o) => o.bytes),
          objects.map((o) => o.lines),
          objects.map((o) => o.rejected),
          objects.map((o) => o.quarantined),
          objects.map((o) => o.eventDates.join(",")),
        ],
      );
    }
    const generation =
      files.length > 0 || superseded.length > 0 || mart.length > 0
        ? Number(
            (
              await client.query<{ generation: string }>(
                "UPDATE etl.publication SET generation = generation + 1 RETURNING generation",
              )
            ).rows[0]?.generation,
          )
        : null;
    const recorded = new Map<string, RecordedRun>();
    for (const run of runs) recorded.set(run.day, await recordRun(client, publication, run));
    return { runs: recorded, generation };
  });
}

/**
 * Marks `run.day` done with its counts: the publication's own run for its day, else a queued run
 * of that day (which this run has just done the work of), else a new done attempt.
 */
async function recordRun(client: pg.PoolClient, publication: Publication, run: DayRun): Promise<RecordedRun> {
  const totals = await client.query<{ silver_rows: string; silver_bytes: string; mart_rows: string }>(
    `SELECT (SELECT coalesce(sum(rows), 0) FROM etl.silver_files WHERE event_date = $1) AS silver_rows,
            (SELECT coalesce(sum(bytes), 0) FROM etl.silver_files WHERE event_date = $1) AS silver_bytes,
            (SELECT count(*) FROM mart.daily_events WHERE event_date = $1) AS mart_rows`,
    [run.day],
  );
  const counts: RunCounts = {
    ...run,
    silver_rows: Number(totals.rows[0]?.silver_rows ?? 0),
    silver_bytes: Number(totals.rows[0]?.silver_bytes ?? 0),
    mart_rows: Number(totals.rows[0]?.mart_rows ?? 0),
  };
  const values = [
    counts.bronze_objects,
    counts.bronze_lines,
    counts.rejected,
    counts.duplicates,
    counts.silver_rows,
    counts.silver_bytes,
    counts.mart_rows,
    counts.bytes,
    counts.seconds,
  ];
  const set = `status = 'done', finished_at = now(), error = NULL, bronze_objects = $2, bronze_lines = $3,
    rejected = $4, duplicates = $5, silver_rows = $6, silver_bytes = $7, mart_rows = $8, bytes = $9, seconds = $10`;
  const own = await client.query<{ attempt: number }>(
    `UPDATE etl.runs SET ${set} WHERE id = $1 AND event_date = $11::date RETURNING attempt`,
    [publication.runId, ...values, run.day],
  );
  const attemptOf = (result: pg.QueryResult<{ attempt: number }>) => Number(result.rows[0]?.attempt ?? 0);
  if (own.rowCount) return { attempt: attemptOf(own), counts };
  const queued = await client.query<{ attempt: number }>(
    `UPDATE etl.runs SET ${set}, started_at = now(), worker = $11
     WHERE id = (SELECT id FROM etl.runs WHERE event_date = $1::date AND status = 'queued' ORDER BY attempt LIMIT 1)
       AND status = 'queued'
     RETURNING attempt`,
    [run.day, ...values, publication.worker],
  );
  if (queued.rowCount) return { attempt: attemptOf(queued), counts };
  const inserted = await client.query<{ attempt: number }>(
    `INSERT INTO etl.runs (event_date, attempt, status, queued_at, started_at, finished_at, worker, bronze_objects,
       bronze_lines, rejected, duplicates, silver_rows, silver_bytes, mart_rows, bytes, seconds)
     SELECT $1::date, coalesce(max(attempt), 0) + 1, 'done', now(), now(), now(), $11, $2, $3, $4, $5, $6, $7, $8, $9, $10
     FROM etl.runs WHERE event_date = $1::date
     RETURNING attempt`,
    [run.day, ...values, publication.worker],
  );
  return { attempt: attemptOf(inserted), counts };
}
