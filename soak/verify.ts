// What the soak tests read back: bronze from the bucket, silver Parquet through DuckDB,
// the mart from Postgres; and the ETL CLI, run as a user would.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { bronzeDayOf, PREFIX, type S3 as S3Client } from "@growit/contract";
import pg from "pg";
import { collectOutput } from "../stack/src/children.ts";
import { REPO_ROOT } from "../stack/src/local.ts";

/** Objects fetched at once: the S3 server, not the test, is the bound. */
const READ_CONCURRENCY = 8;

export interface BronzeLine {
  id: string;
  type: string;
  username: string | null;
  source: string;
}

export interface BronzeRead {
  objects: number;
  /** UTC days (YYYY-MM-DD) whose folders hold bronze objects. */
  days: string[];
}

/** Calls `visit` with every line of every bronze object (objects in no particular order). */
export async function forEachBronzeLine(
  bucket: S3Client,
  visit: (line: string, key: string) => void,
): Promise<BronzeRead> {
  const keys = await bucket.list(PREFIX.bronze);
  let next = 0;
  const lane = async () => {
    while (next < keys.length) {
      const key = keys[next++] as string;
      const text = await bucket.getText(key);
      for (const line of text.split("\n")) if (line.trim()) visit(line, key);
    }
  };
  await Promise.all(Array.from({ length: READ_CONCURRENCY }, lane));
  const days = new Set(keys.map(bronzeDayOf).filter((day) => day !== null));
  return { objects: keys.length, days: [...days].sort() };
}

export async function readBronze(bucket: S3Client): Promise<BronzeRead & { lines: BronzeLine[] }> {
  const lines: BronzeLine[] = [];
  const read = await forEachBronzeLine(bucket, (line) => lines.push(JSON.parse(line) as BronzeLine));
  return { ...read, lines };
}

/** `npm run etl -- run --date <day>` against the soak stack; throws with its output if it fails. */
export function runEtl(day: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "--silent", "etl", "--", "run", "--date", day], {
      cwd: REPO_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const output = collectOutput(child.stdout, child.stderr);
    child.once("error", reject);
    child.once("close", (code) =>
      code === 0 ? resolve(output()) : reject(new Error(`etl run --date ${day} exited ${code}:\n${output()}`)),
    );
  });
}

export interface Silver {
  files: number;
  rows: number;
  distinctIds: number;
  ids: Set<string>;
}

/** Downloads every silver Parquet object and reads them with DuckDB. */
export async function readSilver(bucket: S3Client, dir: string): Promise<Silver> {
  mkdirSync(dir, { recursive: true });
  const keys = (await bucket.list(PREFIX.silver)).filter((key) => key.endsWith(".parquet"));
  const files = keys.map((key, i) => {
    const file = join(dir, `silver-${i}.parquet`);
    return { key, file };
  });
  for (const { key, file } of files) writeFileSync(file, await bucket.getBytes(key));
  if (files.length === 0) return { files: 0, rows: 0, distinctIds: 0, ids: new Set() };
  const instance = await DuckDBInstance.create(":memory:", {
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
  });
  const connection = await instance.connect();
  try {
    const list = files.map(({ file }) => `'${file.replaceAll("'", "''")}'`).join(", ");
    const source = `read_parquet([${list}])`;
    const counts = await connection.runAndReadAll(
      `SELECT count(*)::INTEGER, count(DISTINCT id)::INTEGER FROM ${source}`,
    );
    const [rows, distinctIds] = counts.getRows()[0] as [number, number];
    const idRows = await connection.runAndReadAll(`SELECT id FROM ${source}`);
    const ids = new Set(idRows.getRows().map((row) => String(row[0])));
    return { files: files.length, rows, distinctIds, ids };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** `SELECT SUM(cnt) FROM mart.daily_events`, and its row count. */
export async function martTotal(databaseUrl: string): Promise<{ total: number; rows: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const result = await client.query<{ total: string | null; rows: string }>(
      "SELECT SUM(cnt)::text AS total, count(*)::text AS rows FROM mart.daily_events",
    );
    const row = result.rows[0];
    return { total: Number(row?.total ?? 0), rows: Number(row?.rows ?? 0) };
  } finally {
    await client.end();
  }
}
