import { type CipherGCM, createCipheriv, timingSafeEqual } from "node:crypto";
import { open, unlink } from "node:fs/promises";
import {
  bronzeSealKey,
  isGzipEncoding,
  objectSealKeyBytes,
  type RejectRecord,
  type S3,
  S3Error,
  type S3Object,
  SEAL_HEADER,
  SEAL_NONCE,
  type SealKey,
  sealMac,
} from "@growit/contract";
import { eachLimited } from "./each-limited.ts";
import type { WrittenObject } from "./line-check.ts";
import { LineCheckPool } from "./line-check-pool.ts";
import type { DownloadedFile } from "./line-check-thread.ts";
import { bronzeFileName } from "./merge.ts";
import { getObjectStream } from "./s3-get.ts";

export interface FetchProgress {
  objects: number;
  totalObjects: number;
  bytes: number;
  totalBytes: number;
}

export interface BronzeFetchOptions {
  s3: S3;
  /** The objects to fetch, in key order. */
  objects: readonly S3Object[];
  /** Where the usable lines go, a file per object (see bronzeFileName), numbered by index in `objects`. */
  dir: string;
  concurrency: number;
  /** See EtlConfig.sealSecret; without it every line is checked. */
  sealSecret?: string;
  /** See MAX_CHECKED_OBJECT_BYTES (its default). */
  maxCheckedBytes?: number;
  onProgress?: (progress: FetchProgress) => void;
}

/** What became of one fetched object. */
export interface FetchedObject {
  key: string;
  /** As stored (compressed, for a compressed object). */
  bytes: number;
  lines: number;
  /** Lines in its local file. */
  usableLines: number;
  /**
   * Set for a compressed object taken as checked: its lines are not counted on the way (that would
   * mean decompressing it twice), but as DuckDB reads it, and `lines` and `usableLines` set then.
   */
  uncounted?: true;
  /** The local file DuckDB is to read (gzip-compressed when its name ends in .gz), or null when no line is usable. */
  file: string | null;
  rejects: RejectRecord[];
  /** Whether its seal held, so that its lines were not checked again. */
  sealed: boolean;
}

export interface BronzeFetched {
  /** Per object, in the order of the options' `objects`. */
  objects: FetchedObject[];
  bytes: number;
  /** Local files written; their names sort as their objects' keys do. */
  files: number;
  sealedObjects: number;
}

const NEWLINE = 0x0a;
/** Chunks are written a mebibyte at a time: a write per network chunk cost ~0.1 s of CPU per 217 MiB. */
const WRITE_BATCH_BYTES = 1 << 20;

interface Downloaded {
  bytes: number;
  /** Lines counted in the stored bytes; null for a compressed object (see FetchedObject.uncounted). */
  lines: number | null;
  /** Whether the object carried a seal that holds for its bytes. */
  sealed: boolean;
  file: DownloadedFile;
}

/** Computes the seal tag of the object at `objectKey` as its bytes go by (see bronze-seal.ts). */
async function sealTagOf(sealRoot: SealKey, objectKey: string): Promise<CipherGCM> {
  return createCipheriv("aes-256-gcm", Buffer.from(await objectSealKeyBytes(sealRoot, objectKey)), SEAL_NONCE);
}

/**
 * Streams the object at `key` to the `index`-th file of `dir`, as stored, computing its seal's tag
 * on the way (and counting its lines, unless it is compressed), so that no object is ever whole in
 * memory (collecting bodies cost more CPU in garbage collection than the download itself).
 */
async function download(
  s3: S3,
  key: string,
  target: { dir: string; index: number },
  sealRoot: SealKey | null,
): Promise<Downloaded> {
  const body = await getObjectStream(s3, key);
  const status = body.statusCode ?? 0;
  if (status < 200 || status >= 300) {
    body.destroy();
    throw new S3Error(`S3 GET ${s3.url(key)} answered HTTP ${status}`, status);
  }
  const compressed = isGzipEncoding(body.headers["content-encoding"]);
  const path = bronzeFileName(target.dir, target.index, { compressed });
  const usablePath = bronzeFileName(target.dir, target.index);
  const seal = body.headers[SEAL_HEADER];
  const mac = sealRoot ? sealMac(typeof seal === "string" ? seal : null) : null;
  const tag = sealRoot && mac ? await sealTagOf(sealRoot, key) : null;
  const file = await open(path, "w").catch((error: unknown) => {
    body.destroy();
    throw error;
  });
  let bytes = 0;
  let newlines = 0;
  let last = NEWLINE;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      tag?.setAAD(chunk);
      if (!compressed) {
        for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, at + 1)) newlines++;
      }
      bytes += chunk.length;
      last = chunk[chunk.length - 1] ?? last;
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= WRITE_BATCH_BYTES) {
        await file.writev(pending);
        pending = [];
        pendingBytes = 0;
      }
    }
    if (pending.length > 0) await file.writev(pending);
  } finally {
    await file.close();
  }
  const lines = compressed ? null : newlines + (last === NEWLINE ? 0 : 1);
  tag?.final();
  const sealed = tag !== null && mac !== null && timingSafeEqual(tag.getAuthTag(), mac);
  return { bytes, lines, sealed, file: { path, compressed, usablePath } };
}

/**
 * Downloads bronze objects to local files for DuckDB, one per object, compressed as stored. The
 * lines of an object the worker sealed are taken as checked; every line of any other object is
 * checked against the contract (on worker threads, see LineCheckPool), and only its usable lines
 * are kept.
 */
export async function fetchBronze(options: BronzeFetchOptions): Promise<BronzeFetched> {
  const { s3, dir, objects } = options;
  const totalBytes = objects.reduce((sum, o) => sum + o.size, 0);
  const fetched: BronzeFetched = { objects: [], bytes: 0, files: 0, sealedObjects: 0 };
  let done = 0;
  const rejectedAt = new Date().toISOString();
  const sealRoot = options.sealSecret ? await bronzeSealKey(options.sealSecret) : null;
  // Started at the first object that needs its lines checked: when the worker sealed them all,
  // the threads' start-up (a third of a second of both cores) is saved.
  let pool = null as LineCheckPool | null;
  try {
    await eachLimited(objects, options.concurrency, async ({ key }, index) => {
      const downloaded = await download(s3, key, { dir, index }, sealRoot);
      const { path } = downloaded.file;
      let checked: WrittenObject & { uncounted?: true };
      if (!downloaded.sealed) {
        pool ??= new LineCheckPool({ maxCheckedBytes: options.maxCheckedBytes });
        checked = await pool.check({ key, rejectedAt }, downloaded.file);
      } else if (downloaded.lines === null) {
        checked = { lines: 0, usableLines: 0, uncounted: true, file: path, rejects: [] };
      } else {
        checked = { lines: downloaded.lines, usableLines: downloaded.lines, file: path, rejects: [] };
        if (downloaded.lines === 0) {
          await unlink(path);
          checked.file = null;
        }
      }
      if (downloaded.sealed) fetched.sealedObjects++;
      fetched.objects[index] = { key, bytes: downloaded.bytes, sealed: downloaded.sealed, ...checked };
      if (checked.file !== null) fetched.files++;
      fetched.bytes += downloaded.bytes;
      done++;
      options.onProgress?.({ objects: done, totalObjects: objects.length, bytes: fetched.bytes, totalBytes });
    });
  } finally {
    await pool?.close();
  }
  return fetched;
}
