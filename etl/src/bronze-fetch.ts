import { join } from "node:path";
import { bronzeDayPrefix, type RejectRecord, type S3 } from "@growit/contract";
import { bronzeWindow } from "./days.ts";
import { LineCheckPool } from "./line-check-pool.ts";

export interface FetchProgress {
  objects: number;
  totalObjects: number;
  bytes: number;
  totalBytes: number;
  lines: number;
}

export interface BronzeFetchOptions {
  s3: S3;
  /** The event_date being refined; its bronze window (D-1, D, D+1) is fetched. */
  day: string;
  /** Where the usable lines go, one file per object: `<dir>/<index>.jsonl`, indexes in key order. */
  dir: string;
  concurrency: number;
  onProgress?: (progress: FetchProgress) => void;
}

export interface BronzeFetched {
  /** The bronze objects read (of the whole window) and their bytes. */
  objects: number;
  bytes: number;
  /** Local files written; their names sort as their objects' keys do, so DuckDB can break ties by file name. */
  files: number;
  /** Lines of the day's own bronze objects, and those of them that were rejected (the other days' runs count theirs). */
  ownLines: number;
  rejects: RejectRecord[];
}

/** Runs `task` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<void>) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/**
 * Downloads the bronze window of a day, checks every line against the contract (on worker
 * threads, see LineCheckPool) and writes the usable lines to local files for DuckDB.
 */
export async function fetchBronze(options: BronzeFetchOptions): Promise<BronzeFetched> {
  const { s3, day, dir } = options;
  const listed = await Promise.all(bronzeWindow(day).map((d) => s3.listObjects(bronzeDayPrefix(d))));
  const objects = listed.flat().sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const keys = objects.map((o) => o.key);
  const totalBytes = objects.reduce((sum, o) => sum + o.size, 0);
  const ownPrefix = bronzeDayPrefix(day);
  const fetched: BronzeFetched = { objects: keys.length, bytes: 0, files: 0, ownLines: 0, rejects: [] };
  let done = 0;
  let lines = 0;
  const rejectedAt = new Date().toISOString();
  const pool = new LineCheckPool();
  try {
    await eachLimited(keys, options.concurrency, async (key, index) => {
      const bytes = await s3.getBytes(key);
      const size = bytes.length;
      const own = key.startsWith(ownPrefix);
      const path = join(dir, `${String(index).padStart(8, "0")}.jsonl`);
      const checked = await pool.check({ key, own, bytes, rejectedAt }, path);
      if (own) fetched.ownLines += checked.lines;
      fetched.rejects.push(...checked.rejects);
      lines += checked.lines;
      if (checked.usableLines > 0) fetched.files++;
      fetched.bytes += size;
      done++;
      options.onProgress?.({ objects: done, totalObjects: keys.length, bytes: fetched.bytes, totalBytes, lines });
    });
  } finally {
    await pool.close();
  }
  return fetched;
}
