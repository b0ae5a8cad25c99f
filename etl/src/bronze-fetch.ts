import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { bronzeDayPrefix, parseBronzeLine, type RejectRecord, type S3 } from "@growit/contract";
import { bronzeWindow } from "./days.ts";

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
 * Downloads the bronze window of a day, checks every line against the contract and writes the
 * usable lines to local files for DuckDB. A line already in normal form is written as stored;
 * one that is not is written as its normalized envelope, so DuckDB only ever reads normal forms.
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
  const decoder = new TextDecoder();
  const rejectedAt = new Date().toISOString();
  await eachLimited(keys, options.concurrency, async (key, index) => {
    const bytes = await s3.getBytes(key);
    const own = key.startsWith(ownPrefix);
    const text = decoder.decode(bytes);
    // Lines to write when the object cannot be written as stored; built only once that is known.
    let kept: string[] | null = null;
    let lineNumber = 0;
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf("\n", start);
      if (end === -1) end = text.length;
      const line = text.slice(start, end);
      lineNumber++;
      const verdict = parseBronzeLine(line);
      if (!(verdict.ok && verdict.canonical) && kept === null) {
        kept = start === 0 ? [] : text.slice(0, start - 1).split("\n");
      }
      if (verdict.ok) kept?.push(verdict.canonical ? line : JSON.stringify(verdict.event));
      else if (own) {
        fetched.rejects.push({
          reason: verdict.reason,
          rejected_at: rejectedAt,
          stage: "etl",
          object: key,
          line: lineNumber,
          event: line,
        });
      }
      start = end + 1;
    }
    if (own) fetched.ownLines += lineNumber;
    lines += lineNumber;
    if (kept === null ? lineNumber > 0 : kept.length > 0) {
      const path = join(dir, `${String(index).padStart(8, "0")}.jsonl`);
      await writeFile(path, kept === null ? bytes : `${kept.join("\n")}\n`);
      fetched.files++;
    }
    fetched.bytes += bytes.length;
    done++;
    options.onProgress?.({ objects: done, totalObjects: keys.length, bytes: fetched.bytes, totalBytes, lines });
  });
  return fetched;
}
