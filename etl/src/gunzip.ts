import { createGunzip } from "node:zlib";

/**
 * Decompresses gzip bytes as far as they can be read: a stream cut short or damaged gives what
 * came before the damage, and what is wrong (`damage`), instead of nothing.
 */
export function decompressReadable(stored: Uint8Array): Promise<{ bytes: Buffer; damage: string | null }> {
  const chunks: Buffer[] = [];
  const gunzip = createGunzip();
  gunzip.on("data", (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) => {
    gunzip.once("end", () => resolve({ bytes: Buffer.concat(chunks), damage: null }));
    gunzip.once("error", (error) => resolve({ bytes: Buffer.concat(chunks), damage: error.message }));
    gunzip.end(stored);
  });
}
