import { type S3, S3Error } from "@growit/contract";
import type { AsyncBuffer } from "hyparquet";

/** The object is no longer there: for a silver file, the ETL replaced it and collected it as garbage. */
export class ObjectGone extends Error {
  constructor(readonly key: string) {
    super(`${key} is gone from S3`);
    this.name = "ObjectGone";
  }
}

/**
 * An object read by HTTP Range GETs, as hyparquet's AsyncBuffer: each `slice` is one ranged GET
 * (with the S3 client's retries), so a reader holds only the bytes it asked for. `byteLength`
 * comes from the caller (etl.silver_files records each file's size), which saves a HEAD.
 */
export class S3RangeFile implements AsyncBuffer {
  constructor(
    readonly s3: S3,
    readonly key: string,
    readonly byteLength: number,
  ) {}

  async slice(start: number, end = this.byteLength): Promise<ArrayBuffer> {
    if (end <= start) return new ArrayBuffer(0);
    const response = await this.s3.send(this.key, { headers: { range: `bytes=${start}-${end - 1}` } });
    if (response.status === 404) {
      await response.body?.cancel();
      throw new ObjectGone(this.key);
    }
    if (response.status !== 206 && response.status !== 200) {
      await response.body?.cancel();
      throw new S3Error(
        `S3 GET ${this.key} bytes ${start}-${end - 1} answered HTTP ${response.status}`,
        response.status,
      );
    }
    const bytes = await response.arrayBuffer();
    // A store that ignores Range answers 200 with the whole object.
    return response.status === 200 ? bytes.slice(start, end) : bytes;
  }
}
