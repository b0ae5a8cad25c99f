// What the soak tests read back: bronze from the bucket, silver Parquet (the files the exports
// manifest names, as the dashboard reads them) through DuckDB, the mart from Postgres; and the
// ETL CLI, run as a user would.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import {
  bronzeDayOf,
  EXPORT_KEYS,
  type Manifest,
  PREFIX,
  type S3 as S3Client,
  silverFileDay,
  sqlString,
} from "@growit/contract";
import pg from "pg";
import { collectOutput } from "../stack/src/children.ts";
import { REPO_ROOT } from "../stack/src/local.ts";

/** Objects fetched at once: the S3 server, not the test, is the bound. */
const READ_CONCURRENCY = 8;

/** One stored copy of an event: a bronze line and the object holding it. */
export interface BronzeCopy {
  id: string;
  type: string;
  /** The event time the worker derived (ISO 8601). */
  ts: string;
  /** The client's own ts; absent on server events. */
  client_ts?: string;
  username: string | null;
  received_at: string;
  source: string;
  /** The key of the object holding this copy. */
  object: string;
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

export async function readBronze(bucket: S3Client): Promise<BronzeRead & { copies: BronzeCopy[] }> {
  const copies: BronzeCopy[] = [];
  const read = await forEachBronzeLine(bucket, (line, object) =>
    copies.push({ ...(JSON.parse(line) as Omit<BronzeCopy, "object">), object }),
  );
  return { ...read, copies };
}

/** The days an ETL JSON log says were done. */
function daysDone(log: string): string[] {
  const days: string[] = [];
  for (const line of log.split("\n")) {
    if (!line.startsWith("{")) continue;
    const entry = JSON.parse(line) as { msg?: string; day?: string };
    if (entry.msg === "day done" && entry.day) days.push(entry.day);
  }
  return days;
}

/**
 * `npm run etl -- run --pending` against the soak stack: the queued runs, until none is left.
 * Returns the days it brought up to date; throws with its output if it fails.
 */
export async function runPendingEtl(env: NodeJS.ProcessEnv): Promise<string[]> {
  const child = spawn("npm", ["run", "--silent", "etl", "--", "run", "--pending"], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Its log is JSON lines on stdout (not a terminal); stderr only matters when it fails.
  const log = collectOutput(child.stdout);
  const output = collectOutput(child.stdout, child.stderr);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
  if (code !== 0) throw new Error(`etl run --pending exited ${code}:\n${output()}`);
  return daysDone(log());
}

export interface SilverRow {
  /** ms since the epoch. */
  ts: number;
  eventDate: string;
  userId: string | null;
  /** The event_date of the partition the row's file is in. */
  partition: string;
}

export interface Silver {
  files: number;
  rows: number;
  /** Each id's row (the first one read, for an id with several). */
  byId: Map<string, SilverRow>;
  /** Ids with more than one row. */
  duplicateIds: string[];
}

/** Downloads every silver file the exports manifest names (checking its SHA-256) and reads them with DuckDB. */
export async function readSilver(bucket: S3Client, dir: string): Promise<Silver> {
  mkdirSync(dir, { recursive: true });
  const manifest = JSON.parse(await bucket.getText(EXPORT_KEYS.manifest)) as Manifest;
  const files: { file: string; partition: string }[] = [];
  for (const entry of manifest.files) {
    const partition = silverFileDay(entry.key);
    if (partition === null) continue;
    const bytes = await bucket.getBytes(entry.key);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    if (sha256 !== entry.sha256) throw new Error(`${entry.key}: SHA-256 ${sha256}, the manifest says ${entry.sha256}`);
    const file = join(dir, `silver-${files.length}.parquet`);
    writeFileSync(file, bytes);
    files.push({ file, partition });
  }
  const silver: Silver = { files: files.length, rows: 0, byId: new Map(), duplicateIds: [] };
  if (files.length === 0) return silver;
  const partitionOf = new Map(files.map(({ file, partition }) => [file, partition]));
  const instance = await DuckDBInstance.create(":memory:", {
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
  });
  const connection = await instance.connect();
  try {
    const list = files.map(({ file }) => sqlString(file)).join(", ");
    const result = await connection.runAndReadAll(
      `SELECT CAST(id AS VARCHAR), epoch_ms(ts), CAST(event_date AS VARCHAR), user_id, filename
       FROM read_parquet([${list}], filename = true)`,
    );
    for (const [id, ts, eventDate, userId, file] of result.getRows()) {
      silver.rows++;
      const key = String(id);
      if (silver.byId.has(key)) {
        silver.duplicateIds.push(key);
        continue;
      }
      silver.byId.set(key, {
        ts: Number(ts),
        eventDate: String(eventDate),
        userId: userId === null ? null : String(userId),
        // A file DuckDB names otherwise than it was given would show as its path, and fail the check.
        partition: partitionOf.get(String(file)) ?? String(file),
      });
    }
    return silver;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** mart.daily_events: each row's count, keyed `event_date user_id`. */
export async function readMart(databaseUrl: string): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const result = await client.query<{ event_date: string; user_id: string; cnt: string }>(
      "SELECT to_char(event_date, 'YYYY-MM-DD') AS event_date, user_id, cnt::text AS cnt FROM mart.daily_events",
    );
    return new Map(result.rows.map((row) => [martKey(row.event_date, row.user_id), Number(row.cnt)]));
  } finally {
    await client.end();
  }
}

export const martKey = (eventDate: string, userId: string): string => `${eventDate} ${userId}`;
