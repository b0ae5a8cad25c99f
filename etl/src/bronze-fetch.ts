import { writeFile } from "node:fs/promises";
import { bronzeDayPrefix, bronzeSealKey, isSealed, type RejectRecord, type S3, SEAL_HEADER } from "@growit/contract";
import { bronzeWindow } from "./days.ts";
import { type ObjectToCheck, takeSealed, type WrittenObject } from "./line-check.ts";
import { LineCheckPool } from "./line-check-pool.ts";
import { bronzeFileName } from "./refine.ts";

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
  /** Where the usable lines go, one file per object (see bronzeFileName), indexes in key order. */
  dir: string;
  concurrency: number;
  /** See EtlConfig.sealSecret; without it every line is checked. */
  sealSecret?: string;
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
  /** Objects whose seal held, so that their lines were not checked again. */
  sealedObjects: number;
}

/**
 * Runs `load` then `use` over `items` in `limit` lanes. A lane loads its next item while `use`
 * works on the one before, so loading never waits for using (nor for the pool's threads to
 * start); at most two items per lane are held at once.
 */
async function pipelined<T, L>(
  items: readonly T[],
  limit: number,
  load: (item: T) => Promise<L>,
  use: (loaded: L, item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    let using: Promise<void> = Promise.resolve();
    while (next < items.length) {
      const index = next++;
      const item = items[index] as T;
      const loaded = await load(item);
      await using;
      using = use(loaded, item, index);
    }
    await using;
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/**
 * Downloads the bronze window of a day, checks every line of each object the worker did not seal
 * against the contract (on worker threads, see LineCheckPool) and writes the usable lines to
 * local files for DuckDB.
 */
export async function fetchBronze(options: BronzeFetchOptions): Promise<BronzeFetched> {
  const { s3, day, dir } = options;
  const listed = await Promise.all(bronzeWindow(day).map((d) => s3.listObjects(bronzeDayPrefix(d))));
  const objects = listed.flat().sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const keys = objects.map((o) => o.key);
  const totalBytes = objects.reduce((sum, o) => sum + o.size, 0);
  const ownPrefix = bronzeDayPrefix(day);
  const fetched: BronzeFetched = {
    objects: keys.length,
    bytes: 0,
    files: 0,
    ownLines: 0,
    rejects: [],
    sealedObjects: 0,
  };
  let done = 0;
  let lines = 0;
  const rejectedAt = new Date().toISOString();
  // Per object, so that rejects come out in key order whatever order the downloads finish in.
  const rejectsOf: RejectRecord[][] = [];
  const sealKey = options.sealSecret ? bronzeSealKey(options.sealSecret) : null;
  // Started at the first object that needs its lines checked: when the worker sealed them all,
  // the threads' start-up (a third of a second of both cores) is saved.
  let pool = null as LineCheckPool | null;
  /** Verifies a seal on the main thread (WebCrypto works off it) and writes the object's lines as they are. */
  const takeIfSealed = async (object: ObjectToCheck, path: string): Promise<WrittenObject | null> => {
    if (!sealKey || !(await isSealed(await sealKey, object.bytes, object.seal))) return null;
    const { usable, ...written } = takeSealed(object);
    await writeFile(path, usable);
    return written;
  };
  try {
    const download = (key: string) => s3.getObject(key);
    await pipelined(keys, options.concurrency, download, async ({ bytes, headers }, key, index) => {
      const size = bytes.length;
      const own = key.startsWith(ownPrefix);
      const path = bronzeFileName(dir, index);
      const object: ObjectToCheck = { key, own, bytes, seal: headers.get(SEAL_HEADER), rejectedAt };
      let checked = await takeIfSealed(object, path);
      if (checked) fetched.sealedObjects++;
      else {
        pool ??= new LineCheckPool();
        checked = await pool.check(object, path);
      }
      if (own) fetched.ownLines += checked.lines;
      rejectsOf[index] = checked.rejects;
      lines += checked.lines;
      if (checked.usableLines > 0) fetched.files++;
      fetched.bytes += size;
      done++;
      options.onProgress?.({ objects: done, totalObjects: keys.length, bytes: fetched.bytes, totalBytes, lines });
    });
  } finally {
    await pool?.close();
  }
  fetched.rejects = rejectsOf.flat();
  return fetched;
}
