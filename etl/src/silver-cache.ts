import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { type S3, S3Error } from "@growit/contract";
import { getObjectStream } from "./s3-get.ts";

/** A silver file as etl.silver_files records it. */
export interface SilverFileRecord {
  key: string;
  day: string;
  bytes: number;
  rows: number;
  sha256: string;
}

/** Where the sidecar of ids of a cached silver file is kept, a folder (see merge.ts, ensureSidecar). */
export const sidecarOf = (path: string): string => `${path}.ids`;

export async function sha256Of(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * The silver files this machine has written or read, by content (sha256), so that a run absorbing
 * a few late events into a day reads that day's files from disk instead of downloading them
 * again. The cache is only ever a copy: a file missing here, or written by another machine's ETL,
 * is downloaded and checked against its recorded sha256.
 */
export class SilverCache {
  constructor(readonly dir: string) {}

  #path(sha256: string): string {
    return join(this.dir, `${sha256}.parquet`);
  }

  /**
   * Moves a file the run wrote, and its sidecar of ids, into the cache. A file of the same content
   * may be there already (a rebuild that changed nothing): the new copy takes its place.
   */
  async adopt(file: { path: string; sidecar: string; sha256: string }): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const cached = this.#path(file.sha256);
    const sidecar = sidecarOf(cached);
    await rm(sidecar, { recursive: true, force: true });
    await rename(file.path, cached);
    await rename(file.sidecar, sidecar);
  }

  /** The local path of `file`, downloading it when the cache lacks it. */
  async pathOf(s3: S3, file: SilverFileRecord): Promise<string> {
    const cached = this.#path(file.sha256);
    const present = await stat(cached).then(
      (s) => s.size === file.bytes,
      () => false,
    );
    if (present) return cached;
    await mkdir(this.dir, { recursive: true });
    const partial = `${cached}.${process.pid}.part`;
    const body = await getObjectStream(s3, file.key);
    if ((body.statusCode ?? 0) !== 200) {
      body.destroy();
      throw new S3Error(`S3 GET ${s3.url(file.key)} answered HTTP ${body.statusCode}`, body.statusCode);
    }
    await pipeline(body, createWriteStream(partial));
    const sha256 = await sha256Of(partial);
    if (sha256 !== file.sha256) {
      await rm(partial, { force: true });
      throw new Error(`silver file ${file.key} has sha256 ${sha256}, but etl.silver_files records ${file.sha256}`);
    }
    await rename(partial, cached);
    return cached;
  }

  /** Removes cached files (and sidecars) that are no longer current. */
  async prune(current: ReadonlySet<string>): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const name of names) {
      const sha256 = /^([0-9a-f]{64})\.parquet/.exec(name)?.[1];
      if (!sha256 || !current.has(sha256)) await rm(join(this.dir, name), { recursive: true, force: true });
    }
  }
}
