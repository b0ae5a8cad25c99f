import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { etlRejectsKey, type S3, silverPartitionKey } from "@growit/contract";
import type pg from "pg";
import { type FetchProgress, fetchBronze } from "./bronze-fetch.ts";
import type { Duck } from "./duck.ts";
import { refreshExports } from "./exports.ts";
import type { RunCounts } from "./ledger.ts";
import { publishDay } from "./publish.ts";
import { type Refined, refineDay } from "./refine.ts";
import { uploadFile } from "./upload-file.ts";

/** Points where tests stop a run on purpose, to check that the next run converges. */
export interface RunHooks {
  /** After the day's silver partition is uploaded, before the mart is published. */
  afterSilverUpload?: (day: string) => Promise<void> | void;
}

export interface DayContext {
  s3: S3;
  /** A client of the pool that holds the day's lock; the mart is published through it. */
  client: pg.PoolClient;
  duck: Duck;
  /** Scratch space; the run works in a subdirectory of its own and removes it. */
  tempDir: string;
  downloadConcurrency: number;
  /** See EtlConfig.sealSecret. */
  sealSecret?: string;
  hooks?: RunHooks;
  onProgress?: (progress: FetchProgress) => void;
}

const JSONL = "application/x-ndjson";

/** Seconds spent in each stage of a day's run. */
export type StageSeconds = Record<"fetch" | "refine" | "upload" | "publish" | "exports", number>;

export interface DayResult {
  counts: RunCounts;
  stages: StageSeconds;
  sealedObjects: number;
}
const NO_EVENTS: Refined = { silver: null, duplicates: 0, mart: { userIds: [], counts: [] } };

/**
 * Refines one day: bronze window -> rejects -> silver partition -> mart -> exports. Every step
 * replaces what an earlier run of the day wrote, so a re-run converges whatever point a previous
 * run stopped at; readers see the old or the new object, never a mix.
 */
export async function runDay(context: DayContext, day: string): Promise<DayResult> {
  const started = performance.now();
  let mark = started;
  const lap = () => {
    const now = performance.now();
    const seconds = Math.round(now - mark) / 1000;
    mark = now;
    return seconds;
  };
  const { s3, client, duck } = context;
  const dir = join(context.tempDir, `day-${day}-${process.pid}-${Date.now()}`);
  await mkdir(dir, { recursive: true });
  try {
    const fetched = await fetchBronze({
      s3,
      day,
      dir,
      concurrency: context.downloadConcurrency,
      ...(context.sealSecret ? { sealSecret: context.sealSecret } : {}),
      ...(context.onProgress ? { onProgress: context.onProgress } : {}),
    });
    const fetchSeconds = lap();
    const refined = fetched.files > 0 ? await refineDay({ connection: duck.connection, day, dir }) : NO_EVENTS;
    const refineSeconds = lap();

    if (fetched.rejects.length > 0) {
      await s3.put(etlRejectsKey(day), fetched.rejects.map((r) => `${JSON.stringify(r)}\n`).join(""), JSONL);
    } else {
      await s3.delete(etlRejectsKey(day));
    }

    const partitionKey = silverPartitionKey(day);
    if (refined.silver) {
      await uploadFile(s3, partitionKey, { ...refined.silver, contentType: "application/vnd.apache.parquet" });
    }
    await context.hooks?.afterSilverUpload?.(day);
    const uploadSeconds = lap();
    const { silver } = refined;
    await publishDay(client, {
      day,
      mart: refined.mart,
      partition: silver ? { key: partitionKey, bytes: silver.bytes, rows: silver.rows, sha256: silver.sha256 } : null,
    });
    // Deleted only once the mart and etl.partitions no longer name it.
    if (!silver) await s3.delete(partitionKey);
    const publishSeconds = lap();
    await refreshExports({ client, connection: duck.connection, s3, dir });
    const stages = {
      fetch: fetchSeconds,
      refine: refineSeconds,
      upload: uploadSeconds,
      publish: publishSeconds,
      exports: lap(),
    };
    const counts: RunCounts = {
      bronze_objects: fetched.objects,
      bronze_lines: fetched.ownLines,
      rejected: fetched.rejects.length,
      duplicates: refined.duplicates,
      silver_rows: silver?.rows ?? 0,
      silver_bytes: silver?.bytes ?? 0,
      mart_rows: refined.mart.userIds.length,
      bytes: fetched.bytes,
      seconds: Math.round(performance.now() - started) / 1000,
    };
    return { counts, stages, sealedObjects: fetched.sealedObjects };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
