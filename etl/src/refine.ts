import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { SILVER_COLUMNS, SILVER_ROW_GROUP_ROWS, SILVER_SORT } from "@growit/contract";
import { dedupeSql } from "./dedupe.ts";
import { sqlString } from "./duck.ts";

export interface RefineOptions {
  connection: DuckDBConnection;
  day: string;
  /** Holds the usable bronze lines as `*.jsonl` (see fetchBronze); the Parquet is written here too. */
  dir: string;
}

export interface SilverFile {
  path: string;
  bytes: number;
  rows: number;
  sha256: string;
}

export interface Refined {
  /** The day's silver partition, or null when the day has no events. */
  silver: SilverFile | null;
  /** Copies dropped because another copy of their id won. */
  duplicates: number;
  /** The day's mart rows: events per signed-in user, user_ids ascending. */
  mart: { userIds: string[]; counts: bigint[] };
}

/** The bronze envelope fields DuckDB reads, typed; props stays JSON text. */
const BRONZE_COLUMNS =
  "{id: 'VARCHAR', type: 'VARCHAR', ts: 'TIMESTAMP', username: 'VARCHAR', props: 'JSON', received_at: 'TIMESTAMP', source: 'VARCHAR'}";

/** How each silver column is made from a deduplicated copy (SILVER_COLUMNS order). */
const SILVER_EXPRESSIONS: Record<(typeof SILVER_COLUMNS)[number]["name"], string> = {
  id: "id",
  type: "type",
  ts: "ts",
  event_date: "CAST(ts AS DATE)",
  user_id: "user_id",
  props: "props",
  category: "props ->> 'category'",
  query: "props ->> 'query'",
  received_at: "received_at",
  source: "source",
};

async function sha256Of(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

const count = (value: unknown): number => Number(value ?? 0);

/**
 * Deduplicates a day's bronze window in DuckDB and writes the day's silver Parquet (zstd,
 * sorted by SILVER_SORT, SILVER_ROW_GROUP_ROWS rows per group); returns it with the day's mart rows.
 */
export async function refineDay(options: RefineOptions): Promise<Refined> {
  const { connection, day, dir } = options;
  const copies = `(SELECT id, type, ts, username AS user_id, CAST(props AS VARCHAR) AS props, received_at, source,
      filename AS object_key
    FROM read_json(${sqlString(join(dir, "*.jsonl"))}, format = 'newline_delimited', columns = ${BRONZE_COLUMNS},
      filename = true))`;
  const silverSelect = SILVER_COLUMNS.map((c) => `${SILVER_EXPRESSIONS[c.name]} AS ${c.name}`).join(", ");
  await connection.run(`CREATE OR REPLACE TEMP TABLE day_events AS
    SELECT ${silverSelect}, copies FROM (${dedupeSql(copies)})
    WHERE CAST(ts AS DATE) = DATE ${sqlString(day)}`);
  try {
    const totals = (
      await connection.runAndReadAll("SELECT count(*) AS rows, sum(copies - 1) AS duplicates FROM day_events")
    ).getRowObjects()[0];
    const rows = count(totals?.rows);
    const duplicates = count(totals?.duplicates);
    if (rows === 0) return { silver: null, duplicates, mart: { userIds: [], counts: [] } };

    const path = join(dir, "silver.parquet");
    const columns = SILVER_COLUMNS.map((c) => c.name).join(", ");
    await connection.run(`COPY (SELECT ${columns} FROM day_events ORDER BY ${SILVER_SORT.join(", ")})
      TO ${sqlString(path)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${SILVER_ROW_GROUP_ROWS})`);
    const mart = await connection.runAndReadAll(
      "SELECT user_id, count(*) AS cnt FROM day_events WHERE user_id IS NOT NULL GROUP BY user_id ORDER BY user_id",
    );
    const userIds = mart.getColumns()[0] as string[];
    const counts = mart.getColumns()[1] as bigint[];
    const silver = { path, bytes: (await stat(path)).size, rows, sha256: await sha256Of(path) };
    return { silver, duplicates, mart: { userIds, counts } };
  } finally {
    await connection.run("DROP TABLE IF EXISTS day_events");
  }
}
