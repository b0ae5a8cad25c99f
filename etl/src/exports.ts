import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import {
  DAILY_EVENTS_COLUMNS,
  EXPORT_KEYS,
  exportSelect,
  GOLD_MART_NAMES,
  GOLD_MARTS,
  type GoldMart,
  goldMartKey,
  type Manifest,
  type S3,
  sqlString,
} from "@growit/contract";
import type pg from "pg";
import type { MartRow, Published } from "./publish.ts";

export interface ExportsOptions {
  client: pg.PoolClient;
  connection: DuckDBConnection;
  s3: S3;
  /** Scratch directory for the mart's Parquet. */
  dir: string;
  /** This run's publication: the exports' generation it made (null: none) and the mart rows it changed. */
  published: Pick<Published, "generation" | "mart" | "goldChanged">;
}

/** Serializes refreshes across processes, so that a slower one cannot put back an older manifest. */
const EXPORTS_LOCK = 0x65_74_6c_01;

const PARQUET = "application/vnd.apache.parquet";

interface ExportRecord {
  generation: string;
  bytes: string;
  rows: string;
  sha256: string;
  generated_at: Date;
}

/** The columns of etl.exports an ExportRecord holds. */
const RECORD_COLUMNS = "generation, bytes, rows, sha256, generated_at";

const MART_ROWS = `SELECT to_char(event_date, 'YYYY-MM-DD') AS event_date, user_id, cnt FROM mart.daily_events`;

/**
 * Loads into `mart_export` the rows of the export on record that the run did not change; false,
 * with nothing loaded, when the stored object cannot be read or is not the one on record (the
 * caller then reads the whole mart, which is always right).
 */
async function keptRows(options: ExportsOptions, previous: ExportRecord): Promise<boolean> {
  const { connection, s3, dir } = options;
  const body = await s3.getBytes(EXPORT_KEYS.dailyEvents).catch(() => null);
  if (!body || createHash("sha256").update(body).digest("hex") !== previous.sha256) return false;
  const path = join(dir, "daily_events.previous.parquet");
  await writeFile(path, body);
  const { replacedDays, rows } = options.published.mart;
  await connection.run("CREATE OR REPLACE TEMP TABLE mart_added (event_date VARCHAR, user_id VARCHAR)");
  const appender = await connection.createAppender("mart_added");
  for (const row of rows) {
    appender.appendVarchar(row.event_date);
    appender.appendVarchar(row.user_id);
    appender.endRow();
  }
  appender.closeSync();
  const notReplaced = replacedDays.length
    ? `WHERE event_date NOT IN (${replacedDays.map((d) => sqlString(d)).join(", ")})`
    : "";
  await connection.run(`INSERT INTO mart_export
    SELECT * FROM (SELECT CAST(event_date AS VARCHAR) AS event_date, user_id, cnt FROM read_parquet(${sqlString(path)}))
    ANTI JOIN mart_added USING (event_date, user_id) ${notReplaced}`);
  await connection.run("DROP TABLE mart_added");
  return true;
}

/**
 * Writes `exports/mart/daily_events.parquet` when the mart changed and returns its record. When
 * the export on record was made from the generation just before this run's, it is patched: its
 * unchanged rows are kept, and the rows the run changed (whole days rebuilt, single rows added
 * to) come as its publication wrote them, so a run absorbing a few late events reads nothing of
 * the mart. Otherwise (the first export, or a run stopped between its publish and its export)
 * the whole mart is read.
 */
async function exportDailyEvents(options: ExportsOptions, generation: number): Promise<ExportRecord> {
  const { client, connection, s3, dir, published } = options;
  const key = EXPORT_KEYS.dailyEvents;
  const previous = await exportRecordOf(client, key);
  const previousGeneration = previous ? Number(previous.generation) : null;
  if (previous && previousGeneration === generation) return previous;

  await connection.run("CREATE OR REPLACE TEMP TABLE mart_export (event_date VARCHAR, user_id VARCHAR, cnt BIGINT)");
  try {
    const patched =
      previous &&
      published.generation === generation &&
      previousGeneration === generation - 1 &&
      (await keptRows(options, previous));
    const rows = patched ? published.mart.rows : (await client.query<MartRow>(MART_ROWS)).rows;
    const appender = await connection.createAppender("mart_export");
    for (const row of rows) {
      appender.appendVarchar(row.event_date);
      appender.appendVarchar(row.user_id);
      appender.appendBigInt(BigInt(row.cnt));
      appender.endRow();
    }
    appender.closeSync();
    const path = join(dir, "daily_events.parquet");
    const written = await connection.runAndReadAll(
      `COPY (SELECT ${exportSelect(DAILY_EVENTS_COLUMNS)} FROM mart_export ORDER BY event_date, user_id)
       TO ${sqlString(path)} (FORMAT parquet, COMPRESSION zstd)`,
    );
    const body = new Uint8Array(await readFile(path));
    await s3.put(key, body, PARQUET);
    return await recordExport(client, key, generation, body, Number(written.getRows()[0]?.[0] ?? 0));
  } finally {
    await connection.run("DROP TABLE IF EXISTS mart_export");
  }
}

/**
 * Writes a gold mart whole as its export (they hold a row per day and category, query or cohort,
 * not per learner and event) and returns its record; nothing when it is current, or when the
 * publication it is one behind did not change the mart.
 */
async function exportGoldMart(options: ExportsOptions, generation: number, mart: GoldMart): Promise<ExportRecord> {
  const { client, connection, s3, dir } = options;
  const key = goldMartKey(mart);
  const previous = await exportRecordOf(client, key);
  if (previous && Number(previous.generation) === generation) return previous;
  // One publication behind and not changed by it: the export on record is current as it is.
  const { published } = options;
  if (
    previous &&
    published.generation === generation &&
    Number(previous.generation) === generation - 1 &&
    !published.goldChanged.includes(mart)
  ) {
    const kept = await client.query<ExportRecord>(
      `UPDATE etl.exports SET generation = $2 WHERE object_key = $1 RETURNING ${RECORD_COLUMNS}`,
      [key, generation],
    );
    return kept.rows[0] as ExportRecord;
  }
  const columns = Object.entries(GOLD_MARTS[mart]);
  // Through JSON lines: row_to_json writes dates as ISO text and numbers as numbers, which
  // DuckDB reads back with the export's column types.
  const rows = await client.query<{ row: string }>(
    `SELECT row_to_json(t)::text AS row FROM (SELECT ${columns.map(([name]) => name).join(", ")} FROM mart.${mart}) t`,
  );
  const lines = join(dir, `${mart}.jsonl`);
  await writeFile(lines, rows.rows.map((r) => `${r.row}\n`).join(""));
  const path = join(dir, `${mart}.parquet`);
  const types = `{${columns.map(([name, type]) => `${name}: '${type}'`).join(", ")}}`;
  const written = await connection.runAndReadAll(
    `COPY (SELECT * FROM read_json(${sqlString(lines)}, format = 'newline_delimited', columns = ${types})
       ORDER BY ALL) TO ${sqlString(path)} (FORMAT parquet, COMPRESSION zstd)`,
  );
  const body = new Uint8Array(await readFile(path));
  await s3.put(key, body, PARQUET);
  return recordExport(client, key, generation, body, Number(written.getRows()[0]?.[0] ?? 0));
}

/** The export of `key` on record, if any. */
async function exportRecordOf(client: pg.PoolClient, key: string): Promise<ExportRecord | undefined> {
  const record = await client.query<ExportRecord>(`SELECT ${RECORD_COLUMNS} FROM etl.exports WHERE object_key = $1`, [
    key,
  ]);
  return record.rows[0];
}

async function recordExport(
  client: pg.PoolClient,
  key: string,
  generation: number,
  body: Uint8Array,
  rows: number,
): Promise<ExportRecord> {
  const record = await client.query<ExportRecord>(
    `INSERT INTO etl.exports (object_key, generation, bytes, rows, sha256, generated_at)
     VALUES ($1, $2, $3, $4, $5, now())
     ON CONFLICT (object_key) DO UPDATE SET generation = excluded.generation, bytes = excluded.bytes,
       rows = excluded.rows, sha256 = excluded.sha256, generated_at = excluded.generated_at
     RETURNING ${RECORD_COLUMNS}`,
    [key, generation, body.length, rows, createHash("sha256").update(body).digest("hex")],
  );
  return record.rows[0] as ExportRecord;
}

/**
 * Brings `exports/mart/daily_events.parquet` (the whole mart) and `exports/manifest.json` (it
 * and every current silver file in etl.silver_files) up to date with the last publication, this
 * run's or an earlier one whose run stopped before its exports; nothing is written when they are.
 * Each is one PUT, so readers see whole files, and a reader that follows the manifest sees each
 * day as one run left it.
 */
export async function refreshExports(options: ExportsOptions): Promise<void> {
  const { client, s3 } = options;
  await client.query("SELECT pg_advisory_lock($1)", [EXPORTS_LOCK]);
  try {
    const state = await client.query<{ generation: string; exported: string | null }>(
      `SELECT generation, (SELECT generation FROM etl.exports WHERE object_key = $1) AS exported FROM etl.publication`,
      [EXPORT_KEYS.manifest],
    );
    const generation = Number(state.rows[0]?.generation ?? 0);
    if (Number(state.rows[0]?.exported ?? 0) === generation) return;
    const dailyEvents = await exportDailyEvents(options, generation);
    const gold: Array<{ key: string; record: ExportRecord }> = [];
    for (const mart of GOLD_MART_NAMES) {
      gold.push({ key: goldMartKey(mart), record: await exportGoldMart(options, generation, mart) });
    }
    const partitions = await client.query<{
      object_key: string;
      bytes: string;
      rows: string;
      sha256: string;
      written_at: Date;
    }>("SELECT object_key, bytes, rows, sha256, written_at FROM etl.silver_files ORDER BY event_date, object_key");
    const manifest: Manifest = {
      generated_at: new Date().toISOString(),
      files: [
        {
          key: EXPORT_KEYS.dailyEvents,
          bytes: Number(dailyEvents.bytes),
          rows: Number(dailyEvents.rows),
          sha256: dailyEvents.sha256,
          generated_at: dailyEvents.generated_at.toISOString(),
        },
        ...gold.map(({ key, record }) => ({
          key,
          bytes: Number(record.bytes),
          rows: Number(record.rows),
          sha256: record.sha256,
          generated_at: record.generated_at.toISOString(),
        })),
        ...partitions.rows.map((p) => ({
          key: p.object_key,
          bytes: Number(p.bytes),
          rows: Number(p.rows),
          sha256: p.sha256,
          generated_at: p.written_at.toISOString(),
        })),
      ],
    };
    const body = new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`);
    await s3.put(EXPORT_KEYS.manifest, body, "application/json");
    await recordExport(client, EXPORT_KEYS.manifest, generation, body, manifest.files.length);
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [EXPORTS_LOCK]);
  }
}
