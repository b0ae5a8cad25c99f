import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { SILVER_COLUMNS, SILVER_ROW_GROUP_ROWS, SILVER_SORT, type SilverColumn } from "@growit/contract";
import { COPY_FIELDS, dedupeSql } from "./dedupe.ts";
import { sqlString } from "./duck.ts";

export interface RefineOptions {
  connection: DuckDBConnection;
  day: string;
  /** Holds the usable bronze lines, one file per object named by bronzeFileName; the Parquet is written here too. */
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

/**
 * Where the lines of the `index`-th bronze object (in key order) go for refineDay: the number in
 * the name is the copy's tie-break, so DuckDB never holds the key itself for every line.
 */
export const bronzeFileName = (dir: string, index: number): string =>
  join(dir, `${String(index).padStart(8, "0")}.jsonl`);

/** The bronze envelope fields DuckDB reads, typed; props stays JSON text. */
const BRONZE_COLUMNS =
  "{id: 'VARCHAR', type: 'VARCHAR', ts: 'TIMESTAMP', username: 'VARCHAR', props: 'JSON', received_at: 'TIMESTAMP', source: 'VARCHAR'}";

/** DuckDB's reader of the bronze files in `dir`, with each line's file name as `filename`. */
export const readBronzeSql = (dir: string): string =>
  `read_json(${sqlString(join(dir, "*.jsonl"))}, format = 'newline_delimited', columns = ${BRONZE_COLUMNS}, filename = true)`;

/** How each silver column is made from a deduplicated copy (SILVER_COLUMNS order). */
const SILVER_EXPRESSIONS: Record<SilverColumn, string> = {
  id: "CAST(id AS VARCHAR)",
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

/** The select list of a silver row, from a relation with a winning copy's columns. */
export const SILVER_SELECT = SILVER_COLUMNS.map((c) => `${SILVER_EXPRESSIONS[c.name]} AS ${c.name}`).join(", ");

async function sha256Of(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

const count = (value: unknown): number => Number(value ?? 0);

/**
 * Deduplicates a day's bronze window in DuckDB and writes the day's silver Parquet (zstd,
 * sorted by SILVER_SORT, SILVER_ROW_GROUP_ROWS rows per group); returns it with the day's mart rows.
 *
 * The copies are loaded once into a narrow table (ids as UUIDs, the object as its file number),
 * and only ids with several copies go through the dedupe rule: every other copy is its own
 * winner. Run over every copy, the rule's wide aggregate outgrew the memory limit many times
 * over (2.1 GiB of RSS at 10M events with memory_limit 512MB) and took twice as long.
 */
export async function refineDay(options: RefineOptions): Promise<Refined> {
  const { connection, day, dir } = options;
  const ofDay = `CAST(ts AS DATE) = DATE ${sqlString(day)}`;
  const fields = ["id", ...COPY_FIELDS].join(", ");
  try {
    await connection.run(`CREATE OR REPLACE TEMP TABLE copies AS
      SELECT CAST(id AS UUID) AS id, type, ts, username AS user_id, CAST(props AS VARCHAR) AS props, received_at, source,
        CAST(regexp_extract(filename, '(\\d+)\\.jsonl$', 1) AS INTEGER) AS object_order
      FROM ${readBronzeSql(dir)}`);
    await connection.run(`CREATE OR REPLACE TEMP TABLE repeated_ids AS
      SELECT id FROM copies GROUP BY id HAVING count(*) > 1`);
    await connection.run(`CREATE OR REPLACE TEMP TABLE repeated_winners AS
      SELECT * FROM (${dedupeSql("(SELECT * FROM copies SEMI JOIN repeated_ids USING (id))")}) WHERE ${ofDay}`);
    const dayEvents = `SELECT ${fields} FROM copies ANTI JOIN repeated_ids USING (id) WHERE ${ofDay}
      UNION ALL SELECT ${fields} FROM repeated_winners`;
    const path = join(dir, "silver.parquet");
    const written = await connection.runAndReadAll(`COPY (SELECT ${SILVER_SELECT} FROM (${dayEvents})
      ORDER BY ${SILVER_SORT.join(", ")})
      TO ${sqlString(path)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${SILVER_ROW_GROUP_ROWS})`);
    const rows = count(written.getRows()[0]?.[0]);
    const duplicates = count(
      (await connection.runAndReadAll("SELECT sum(copies - 1) FROM repeated_winners")).getRows()[0]?.[0],
    );
    if (rows === 0) return { silver: null, duplicates, mart: { userIds: [], counts: [] } };

    // Counted from the written partition, so that the mart is what silver holds.
    const mart = await connection.runAndReadAll(`SELECT user_id, count(*) AS cnt FROM read_parquet(${sqlString(path)})
      WHERE user_id IS NOT NULL GROUP BY user_id ORDER BY user_id`);
    const userIds = mart.getColumns()[0] as string[];
    const counts = mart.getColumns()[1] as bigint[];
    const silver = { path, bytes: (await stat(path)).size, rows, sha256: await sha256Of(path) };
    return { silver, duplicates, mart: { userIds, counts } };
  } finally {
    for (const table of ["copies", "repeated_ids", "repeated_winners"]) {
      await connection.run(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
