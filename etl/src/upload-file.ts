import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { CHECKSUM_HEADER, type S3, S3Error } from "@growit/contract";

export interface FileToUpload {
  path: string;
  bytes: number;
  /** Hex SHA-256 of the file: signed in place of the payload, so the body can stream. */
  sha256: string;
  contentType: string;
}

/**
 * Stores a local file as one object with a single PUT, streamed from disk: a day's silver
 * Parquet can be hundreds of MiB, which must not sit in memory (once, let alone per copy).
 */
export async function uploadFile(s3: S3, key: string, file: FileToUpload): Promise<void> {
  const response = await s3.send(
    key,
    () =>
      ({
        method: "PUT",
        headers: {
          "content-type": file.contentType,
          "content-length": String(file.bytes),
          "x-amz-content-sha256": file.sha256,
          // The same digest as a checksum, which stores check even where they take the payload hash on trust.
          [CHECKSUM_HEADER]: Buffer.from(file.sha256, "hex").toString("base64"),
        },
        body: Readable.toWeb(createReadStream(file.path)) as ReadableStream<Uint8Array>,
        duplex: "half",
      }) as RequestInit,
  );
  await response.body?.cancel();
  if (!response.ok) throw new S3Error(`S3 PUT ${s3.url(key)} answered HTTP ${response.status}`, response.status);
}
