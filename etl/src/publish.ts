import { type GoldMart, inTransaction, type RunCounts } from "@growit/contract";
import type pg from "pg";
import type { GoldRows } from "./gold.ts";
import { queryable } from "./postgres.ts";
import { publishGold } from "./publish-gold.ts";
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

/** A row of mart.daily_events as the exports take it. */
export type MartRow = { event_date: string; user_id: string; cnt: string };

/** What a publication recorded. */
export interface Published {
  /** Each day's run, by day. */
  runs: Map<string, RecordedRun>;
  /** The exports' generation (etl.publication) it made, or null when it changed nothing the exports show. */
  generation: number | null;
  /** The mart rows it changed: the days it replaced whole, and every row it wrote, as it now stands. */
  mart: { replacedDays: string[]; rows: MartRow[] };
  /** The gold marts whose rows it changed. */
  goldChanged: GoldMart[];
}

/** A day's run as recorded: its attempt and counts. */
export interface RecordedRun {
  attempt: number;
  counts: RunCounts;
}

/** What a run records for one event date, besides the totals and the seconds, which publishing adds as it records them. */
export type DayRun = { day: string } & Pick<
  RunCounts,
  "bronze_objects" | "bronze_lines" | "rejected" | "duplicates" | "bytes"
>;

export interface Publication {
  /** The run that was claimed or started; its day's record completes it. */
  runId: number;
  worker: string;
  files: SilverFileRecord[];
  /** Silver keys that the new files supersede. */
  superseded: string[];
  mart: MartChange[];
  /**
   * The gold marts' rows of the days whose silver changed, still being computed in DuckDB while
   * the statements before them run in Postgres.
   */
  gold: Promise<GoldRows>;
  objects: AbsorbedObject[];
  runs: DayRun[];
  /** When the run started (performance.now()): each day records the run's seconds up to its publication. */
  startedAt: number;
}

export interface PublishOptions {
  /** Awaited before the commit (the run's uploads): a failure there rolls the publication back. */
  beforeCommit?: () => Promise<void>;
}

/**
 * Publishes a run in one transaction: the silver files that are now current, the mart rows of the
 * days they changed, the bronze objects absorbed, and a done run for every day touched, so that a
 * run killed at any point before the commit leaves the ledger as it was and the next run redoes it.
 * unnest() of array parameters is the one bulk path that works on every Postgres, PGlite included
 * (COPY FROM STDIN hangs PGlite's socket server). A change to silver files or mart rows counts up
 * the exports' generation, which tells the exports step how far behind the last exports are.
 */
export async function publish(
  client: pg.PoolClient,
  publication: Publication,
  options: PublishOptions = {},
): Promise<Published> {
  const { files, superseded, mart, objects } = publication;
  return inTransaction(queryable(client), async () => {
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
    // A replaced day's rows meet none already there: they are stored, and exported, as they are.
    const replacedRows = martRowsOf(mart.filter((m) => m.mode === "replace"));
    if (replacedRows.length > 0) {
      await client.query(
        `INSERT INTO mart.daily_events (event_date, user_id, cnt)
         SELECT * FROM unnest($1::date[], $2::text[], $3::bigint[])`,
        martColumns(replacedRows),
      );
    }
    // An added row's count adds to the day's, and the sum comes back for the exports.
    const addedRows = martRowsOf(mart.filter((m) => m.mode === "add"));
    const sums =
      addedRows.length > 0
        ? (
            await client.query<MartRow>(
              `INSERT INTO mart.daily_events (event_date, user_id, cnt)
               SELECT * FROM unnest($1::date[], $2::text[], $3::bigint[])
               ON CONFLICT (event_date, user_id) DO UPDATE SET cnt = mart.daily_events.cnt + excluded.cnt
               RETURNING to_char(event_date, 'YYYY-MM-DD') AS event_date, user_id, cnt`,
              martColumns(addedRows),
            )
          ).rows
        : [];
    const martRows = [...replacedRows, ...sums];
    const goldChanged = await publishGold(client, await publication.gold);
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
    const runs = await recordRuns(client, publication);
    await options.beforeCommit?.();
    return { runs, generation, mart: { replacedDays: replaced, rows: martRows }, goldChanged };
  });
}

/** The mart rows of `changes`, as exported. */
const martRowsOf = (changes: readonly MartChange[]): MartRow[] =>
  changes.flatMap((m) => m.userIds.map((user_id, i) => ({ event_date: m.day, user_id, cnt: String(m.counts[i]) })));

/** `rows` as the parameters of unnest($1::date[], $2::text[], $3::bigint[]). */
const martColumns = (rows: readonly MartRow[]) => [
  rows.map((r) => r.event_date),
  rows.map((r) => r.user_id),
  rows.map((r) => r.cnt),
];

/** The columns of etl.runs a done run sets, in the order recordRuns passes them. */
const RUN_COUNT_COLUMNS = [
  "bronze_objects",
  "bronze_lines",
  "rejected",
  "duplicates",
  "silver_rows",
  "silver_bytes",
  "mart_rows",
  "bytes",
  "seconds",
] as const satisfies readonly (keyof RunCounts)[];

/** The days being recorded with their counts, as a relation `v` of parameters $1 on. */
const RUN_VALUES = `unnest($1::date[], ${RUN_COUNT_COLUMNS.map((c, i) => `$${i + 2}::${c === "seconds" ? "numeric" : "bigint"}[]`).join(", ")})
  AS v(event_date, ${RUN_COUNT_COLUMNS.join(", ")})`;
/** The parameter after RUN_VALUES' own. */
const NEXT_PARAMETER = `$${RUN_COUNT_COLUMNS.length + 2}`;
const SET_DONE = `status = 'done', finished_at = now(), error = NULL, ${RUN_COUNT_COLUMNS.map((c) => `${c} = v.${c}`).join(", ")}`;
const returningDay = (table: string) => `RETURNING to_char(${table}.event_date, 'YYYY-MM-DD') AS day, ${table}.attempt`;

/**
 * Marks every day of the publication done with its counts, in a few statements for all of them (a
 * run absorbing late events touches many days): for each day, the publication's own run, else the
 * oldest queued run of that day (which this run has just done the work of), else a new done attempt.
 */
async function recordRuns(client: pg.PoolClient, publication: Publication): Promise<Map<string, RecordedRun>> {
  const recorded = new Map<string, RecordedRun>();
  if (publication.runs.length === 0) return recorded;
  const totals = await client.query<{ day: string; silver_rows: string; silver_bytes: string; mart_rows: string }>(
    `SELECT to_char(d, 'YYYY-MM-DD') AS day,
       (SELECT coalesce(sum(rows), 0) FROM etl.silver_files WHERE event_date = d) AS silver_rows,
       (SELECT coalesce(sum(bytes), 0) FROM etl.silver_files WHERE event_date = d) AS silver_bytes,
       (SELECT count(*) FROM mart.daily_events WHERE event_date = d) AS mart_rows
     FROM unnest($1::date[]) AS d`,
    [publication.runs.map((r) => r.day)],
  );
  const totalsOf = new Map(totals.rows.map((t) => [t.day, t]));
  const seconds = Math.round(performance.now() - publication.startedAt) / 1000;
  const counts = publication.runs.map((run): RunCounts => {
    const total = totalsOf.get(run.day);
    return {
      ...run,
      seconds,
      silver_rows: Number(total?.silver_rows ?? 0),
      silver_bytes: Number(total?.silver_bytes ?? 0),
      mart_rows: Number(total?.mart_rows ?? 0),
    };
  });
  // Each statement is given the days the ones before it did not record.
  const record = async (sql: string, next: unknown) => {
    const pending = publication.runs.flatMap((run, i) =>
      recorded.has(run.day) ? [] : [{ run, counts: counts[i] as RunCounts }],
    );
    if (pending.length === 0) return;
    const result = await client.query<{ day: string; attempt: number }>(sql, [
      pending.map((p) => p.run.day),
      ...RUN_COUNT_COLUMNS.map((c) => pending.map((p) => p.counts[c])),
      next,
    ]);
    const countsOf = new Map(pending.map((p) => [p.run.day, p.counts]));
    for (const row of result.rows) {
      recorded.set(row.day, { attempt: Number(row.attempt), counts: countsOf.get(row.day) as RunCounts });
    }
  };
  await record(
    `UPDATE etl.runs r SET ${SET_DONE} FROM ${RUN_VALUES}
     WHERE r.id = ${NEXT_PARAMETER} AND r.event_date = v.event_date ${returningDay("r")}`,
    publication.runId,
  );
  await record(
    `UPDATE etl.runs r SET ${SET_DONE}, started_at = now(), worker = ${NEXT_PARAMETER}
     FROM ${RUN_VALUES}, LATERAL (SELECT id FROM etl.runs q WHERE q.event_date = v.event_date AND q.status = 'queued'
                                 ORDER BY q.attempt LIMIT 1) oldest
     WHERE r.id = oldest.id AND r.status = 'queued' ${returningDay("r")}`,
    publication.worker,
  );
  await record(
    `INSERT INTO etl.runs (event_date, attempt, status, queued_at, started_at, finished_at, worker, ${RUN_COUNT_COLUMNS.join(", ")})
     SELECT v.event_date, coalesce((SELECT max(attempt) FROM etl.runs WHERE event_date = v.event_date), 0) + 1,
       'done', now(), now(), now(), ${NEXT_PARAMETER}, ${RUN_COUNT_COLUMNS.map((c) => `v.${c}`).join(", ")}
     FROM ${RUN_VALUES} ${returningDay("etl.runs")}`,
    publication.worker,
  );
  return recorded;
}
