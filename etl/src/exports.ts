import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { EXPORT_KEYS, type Manifest, type S3 } from "@growit/contract";
import type pg from "pg";
import { sqlString } from "./duck.ts";

export interface ExportsOptions {
  client: pg.PoolClient;
  connection: DuckDBConnection;
  s3: S3;
  /** Scratch directory for the mart's Parquet. */
  dir: string;
}

/** Serializes refreshes across processes, so that a slower one cannot put back an older manifest. */
const EXPORTS_LOCK = 0x65_74_6c_01;

/**
 * Rewrites `exports/mart/daily_events.parquet` (the whole mart) and `exports/manifest.json`
 * (it and every current silver file in etl.silver_files). Each is one PUT, so readers see whole
 * files, and a reader that follows the manifest sees each day as one run left it.
 */
export async function refreshExports(options: ExportsOptions): Promise<Manifest> {
  const { client, connection, s3, dir } = options;
  await client.query("SELECT pg_advisory_lock($1)", [EXPORTS_LOCK]);
  try {
    const mart = await client.query<{ event_date: string; user_id: string; cnt: string }>(
      "SELECT to_char(event_date, 'YYYY-MM-DD') AS event_date, user_id, cnt FROM mart.daily_events ORDER BY event_date, user_id",
    );
    await connection.run("CREATE OR REPLACE TABLE mart_export (event_date VARCHAR, user_id VARCHAR, cnt BIGINT)");
    const appender = await connection.createAppender("mart_export");
    for (const row of mart.rows) {
      appender.appendVarchar(row.event_date);
      appender.appendVarchar(row.user_id);
      appender.appendBigInt(BigInt(row.cnt));
      appender.endRow();
    }
    appender.closeSync();
    const path = join(dir, "daily_events.parquet");
    await connection.run(
      `COPY (SELECT CAST(event_date AS DATE) AS event_date, user_id, cnt FROM mart_export ORDER BY event_date, user_id) TO ${sqlString(path)} (FORMAT parquet, COMPRESSION zstd)`,
    );
    await connection.run("DROP TABLE mart_export");
    const body = new Uint8Array(await readFile(path));
    const generatedAt = new Date().toISOString();
    await s3.put(EXPORT_KEYS.dailyEvents, body, "application/vnd.apache.parquet");
    const partitions = await client.query<{
      object_key: string;
      bytes: string;
      rows: string;
      sha256: string;
      written_at: Date;
    }>("SELECT object_key, bytes, rows, sha256, written_at FROM etl.silver_files ORDER BY event_date, object_key");
    const manifest: Manifest = {
      generated_at: generatedAt,
      files: [
        {
          key: EXPORT_KEYS.dailyEvents,
          bytes: body.length,
          rows: mart.rows.length,
          sha256: createHash("sha256").update(body).digest("hex"),
          generated_at: generatedAt,
        },
        ...partitions.rows.map((p) => ({
          key: p.object_key,
          bytes: Number(p.bytes),
          rows: Number(p.rows),
          sha256: p.sha256,
          generated_at: p.written_at.toISOString(),
        })),
      ],
    };
    await s3.put(EXPORT_KEYS.manifest, `${JSON.stringify(manifest, null, 2)}\n`, "application/json");
    return manifest;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [EXPORTS_LOCK]);
  }
}
