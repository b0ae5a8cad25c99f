// How a bronze object of events is stored: its JSON lines gzip-compressed, with
// `Content-Encoding: gzip`, as the S3 archives of Segment and Snowplow are: far fewer bytes to
// store and to download, and the ETL's download is bound by CPU. Any HTTP client that honors the
// header (fetch in browsers, Node and Workers) reads the lines as they are; a reader of the raw
// bytes (the ETL's download, DuckDB) decompresses them. The seal covers the stored bytes. Objects
// written without the header (older ones, other writers', rejects) are read as they are.
import { SEAL_HEADER, type SealKey, sealBronze } from "./bronze-seal.ts";

/** The `Content-Encoding` of the bronze objects the worker writes. */
export const BRONZE_CONTENT_ENCODING = "gzip";

/** Whether a stored object's `Content-Encoding` says its bytes are gzip-compressed. */
export const isGzipEncoding = (contentEncoding: string | null | undefined): boolean =>
  contentEncoding?.trim().toLowerCase() === BRONZE_CONTENT_ENCODING;

/** `bytes` gzip-compressed, with the platform's own zlib (CompressionStream: browsers, Node, workerd). */
export async function gzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const compressed = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(compressed).arrayBuffer());
}

export interface StoredBronzeObject {
  body: Uint8Array<ArrayBuffer>;
  /** To send with the PUT: the content encoding, and the seal when there is a seal key. */
  headers: Record<string, string>;
}

/**
 * The object to store at `key` for the JSON lines `lines`: compressed (unless `compress` is false,
 * to store an object written without compression again as it was), and sealed under `sealRoot`
 * (every line passed the contract's checks) when it is given.
 */
export async function bronzeEventsObject(
  key: string,
  lines: Uint8Array<ArrayBuffer>,
  sealRoot: SealKey | null,
  options: { compress?: boolean } = {},
): Promise<StoredBronzeObject> {
  const compress = options.compress ?? true;
  const body = compress ? await gzip(lines) : lines;
  const headers: Record<string, string> = compress ? { "content-encoding": BRONZE_CONTENT_ENCODING } : {};
  if (sealRoot) headers[SEAL_HEADER] = await sealBronze(sealRoot, key, body);
  return { body, headers };
}
