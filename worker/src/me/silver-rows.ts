import { zstdDecompressSync } from "node:zlib";
import { type S3, SILVER_COLUMNS, type SilverColumn } from "@growit/contract";
import { type Compressors, type DecodedArray, type ParquetScan, parquetMetadataAsync, parquetScan } from "hyparquet";
import { S3RangeFile } from "../storage/s3-range-file.ts";

/** A current silver file, as etl.silver_files lists it. */
export interface SilverFile {
  key: string;
  bytes: number;
}

/** A silver row as the export reads it: timestamps as ISO 8601 text, the date as YYYY-MM-DD, nulls as null. */
export type SilverRow = Record<SilverColumn, string | null>;

/**
 * The most of a learner's rows decoded at once. A row group (up to SILVER_ROW_GROUP_ROWS) may be
 * all one learner's; reading it a window at a time keeps what is held to this many rows, at the
 * cost of fetching the row group's column chunks again for each further window.
 */
export const WINDOW_ROWS = 5_000;

/** The footer of a silver file (a few KiB with a handful of row groups) is read with one GET of this much. */
const FOOTER_FETCH_BYTES = 64 * 1024;

// The ETL writes zstd (etl/src/merge.ts). workerd's node:zlib (nodejs_compat) decodes it natively:
// no dependency, and several times the speed of a JavaScript decoder (workerd compiles no
// WebAssembly at run time, which rules out hyparquet-compressors' WASM ones).
// The page's own size bounds the output, with room for the chunk the workerd of the Workers
// Vitest pool adds before it checks the bound (it refuses a page of 70,000 bytes at 70,000).
const ZSTD_SLACK_BYTES = 1 << 20;
const compressors: Compressors = {
  ZSTD: (input, outputLength) => zstdDecompressSync(input, { maxOutputLength: outputLength + ZSTD_SLACK_BYTES }),
};
// DuckDB's TIMESTAMP (no zone) holds UTC wall-clock time, as the ETL wrote it from ISO instants.
const parsers = {
  timestampFromMicroseconds: (micros: bigint) => new Date(Number(micros / 1000n)).toISOString(),
  dateFromDays: (days: number) => new Date(days * 86_400_000).toISOString().slice(0, 10),
};

const NAMES = SILVER_COLUMNS.map((c) => c.name);

/** A silver file opened for one learner: its footer read, its row groups pruned to those that may hold them. */
export interface LearnerSilverFile {
  /** Row groups left after pruning by user_id's statistics. */
  rowGroups: number;
  /** The learner's rows, in file order (user_id, ts, id), WINDOW_ROWS at most a batch. */
  rows(): AsyncGenerator<SilverRow[]>;
}

/**
 * Opens `file` for `username`: reads its footer (one ranged GET) and keeps the row groups whose
 * user_id min/max can hold the username. Throws ObjectGone when the file is gone.
 */
export async function openLearnerSilverFile(s3: S3, file: SilverFile, username: string): Promise<LearnerSilverFile> {
  const buffer = new S3RangeFile(s3, file.key, file.bytes);
  const metadata = await parquetMetadataAsync(buffer, { initialFetchSize: FOOTER_FETCH_BYTES, parsers });
  const scan = await parquetScan({
    file: buffer,
    metadata,
    compressors,
    parsers,
    pruningFilter: { user_id: { $eq: username } },
  });
  return { rowGroups: scan.ranges.length, rows: () => learnerRows(scan, username) };
}

async function* learnerRows(scan: ParquetScan, username: string): AsyncGenerator<SilverRow[]> {
  // Files written before a column existed lack it (the ETL reads them with union_by_name): null.
  const present = new Set(scan.metadata.schema.map((element) => element.name));
  for (const group of scan.ranges) {
    // The user_id column alone first: it says which rows, if any, are the learner's.
    const userIds = await scan.readColumn({ column: "user_id", ...group });
    let first = -1;
    let last = -1;
    for (let i = 0; i < userIds.length; i++) {
      if (userIds[i] !== username) continue;
      if (first < 0) first = i;
      last = i;
    }
    if (first < 0) continue;
    // Sorted by user_id, the learner's rows are [first, last]; rows of others between them (an
    // unsorted file) are read and dropped.
    for (let start = first; start <= last; start += WINDOW_ROWS) {
      const end = Math.min(last + 1, start + WINDOW_ROWS);
      const columns = new Map<SilverColumn, DecodedArray>();
      // One column at a time, so that one decoded page is held at a time.
      for (const name of NAMES) {
        if (name === "user_id" || !present.has(name)) continue;
        columns.set(
          name,
          await scan.readColumn({ column: name, rowStart: group.rowStart + start, rowEnd: group.rowStart + end }),
        );
      }
      const rows: SilverRow[] = [];
      for (let i = start; i < end; i++) {
        if (userIds[i] !== username) continue;
        const row = {} as SilverRow;
        for (const name of NAMES) {
          row[name] = name === "user_id" ? username : ((columns.get(name)?.[i - start] as string | undefined) ?? null);
        }
        rows.push(row);
      }
      yield rows;
    }
  }
}
