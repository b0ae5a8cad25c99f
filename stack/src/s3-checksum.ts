import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { createRequire } from "node:module";
import { Readable } from "node:stream";
import { CHECKSUM_HEADER } from "@growit/contract";
import type { S3rverContext, S3rverMiddleware } from "s3rver";

/** s3rver's own error, which it answers as S3 does (XML, the code's status). */
const S3Error: new (code: string, message: string) => Error = createRequire(import.meta.url)(
  "s3rver/lib/models/error.js",
);

/**
 * S3, R2 and MinIO check a PUT's body against the SHA-256 it carries in x-amz-checksum-sha256 and
 * refuse a mismatch (400 BadDigest), so that an upload corrupted on the way is never stored;
 * s3rver does not look at the header. This middleware makes it check, before s3rver reads the body.
 */
export const checksumCheck: S3rverMiddleware = async (ctx: S3rverContext, next) => {
  const expected = ctx.get(CHECKSUM_HEADER);
  if (ctx.method !== "PUT" || !expected) return next();
  // Hashed as it arrives and kept as received: gathering it into one buffer (stream/consumers)
  // cost more CPU than s3rver's own storing of it.
  const hash = createHash("sha256");
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    hash.update(chunk);
    chunks.push(chunk);
  }
  if (hash.digest("base64") !== expected) {
    throw new S3Error("BadDigest", `The ${CHECKSUM_HEADER} you specified did not match the calculated checksum.`);
  }
  // s3rver streams the object from ctx.req, which this middleware has read.
  ctx.req = Readable.from(chunks) as unknown as IncomingMessage;
  return next();
};
