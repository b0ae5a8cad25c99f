// A worker thread of the line-check pool: checks the bronze objects downloaded to the files it is
// sent, and leaves a file of only their usable lines (the file untouched when they all are; none
// when none is). Reading and writing here, not on the main thread, leaves that to download.
import { readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { parentPort } from "node:worker_threads";
import { decompressReadable, type ReadBytes } from "./gunzip.ts";
import { checkObject, type ObjectToCheck, objectReject, type WrittenObject } from "./line-check.ts";

/** The file a downloaded object is in, and where its usable lines go should they be written again. */
export interface DownloadedFile {
  /** The object's bytes as stored. */
  path: string;
  /** Whether they are gzip-compressed (DuckDB reads such a file only under a name ending in .gz). */
  compressed: boolean;
  /** Where the usable lines are written, uncompressed, when they are not the stored bytes. */
  usablePath: string;
}

export interface CheckRequest {
  id: number;
  object: Omit<ObjectToCheck, "bytes">;
  file: DownloadedFile;
  /** The most bytes of the object's lines (decompressed) the check reads; a larger object is refused whole. */
  maxBytes: number;
}

export type CheckReply = { id: number; written: WrittenObject } | { id: number; error: string };

/** The object's lines as bytes, read as far as they can be; null when they pass `maxBytes`. */
async function readWithin({ path, compressed }: DownloadedFile, maxBytes: number): Promise<ReadBytes | null> {
  if (statSync(path).size > maxBytes) return null;
  const stored = readFileSync(path);
  const read = compressed ? await decompressReadable(stored, maxBytes) : { bytes: stored, damage: null };
  return "overBound" in read ? null : read;
}

async function check({ object, file, maxBytes }: CheckRequest): Promise<WrittenObject> {
  const { path, usablePath } = file;
  const read = await readWithin(file, maxBytes);
  if (read === null) {
    unlinkSync(path);
    const size = maxBytes % 2 ** 20 === 0 ? `${maxBytes / 2 ** 20} MiB` : `${maxBytes} bytes`;
    const bound = `${size}${file.compressed ? " once decompressed" : ""}`;
    const reason = `the object is larger than the ${bound} its line check reads, so none of its lines were used`;
    return {
      lines: 0,
      usableLines: 0,
      rejects: [objectReject(object.key, object.rejectedAt, reason)],
      file: null,
    };
  }
  const { bytes, damage } = read;
  const { usable, ...checked } = checkObject({ ...object, bytes });
  if (damage !== null) {
    // The lines before the damage are used; what follows it cannot be read.
    checked.rejects.push(
      objectReject(
        object.key,
        object.rejectedAt,
        `the object's gzip stream is damaged (${damage}): only the lines before the damage were read`,
      ),
    );
  }
  if (checked.usableLines === 0) {
    unlinkSync(path);
    return { ...checked, file: null };
  }
  if (usable === bytes && damage === null) return { ...checked, file: path };
  writeFileSync(usablePath, usable);
  if (usablePath !== path) unlinkSync(path);
  return { ...checked, file: usablePath };
}

parentPort?.on("message", async (request: CheckRequest) => {
  let reply: CheckReply;
  try {
    reply = { id: request.id, written: await check(request) };
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(reply);
});
