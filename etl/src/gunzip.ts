import { createGunzip } from "node:zlib";

/** Bytes read as far as they could be, and what stopped the reading there (null: nothing did). */
export interface ReadBytes {
  bytes: Buffer;
  damage: string | null;
}

/** What decompressReadable gives: what it could read, or that the output passes the bound. */
export type Decompressed = ReadBytes | { overBound: true };

/**
 * Decompresses gzip bytes as far as they can be read: a stream cut short or damaged gives what
 * came before the damage, and what is wrong (`damage`), instead of nothing. Decompression stops as
 * soon as the output passes `maxBytes` (a small stream can inflate to gigabytes).
 */
export function decompressReadable(stored: Uint8Array, maxBytes: number): Promise<Decompressed> {
  const chunks: Buffer[] = [];
  let total = 0;
  const gunzip = createGunzip();
  return new Promise((resolve) => {
    gunzip.on("data", (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) {
        chunks.length = 0;
        gunzip.destroy();
        resolve({ overBound: true });
      } else {
        chunks.push(chunk);
      }
    });
    gunzip.once("end", () => resolve({ bytes: Buffer.concat(chunks), damage: null }));
    gunzip.once("error", (error) => resolve({ bytes: Buffer.concat(chunks), damage: error.message }));
    gunzip.end(stored);
  });
}
