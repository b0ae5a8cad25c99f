import { tmpdir } from "node:os";
import { join } from "node:path";
import type { S3Config } from "@growit/contract";
import { EMBEDDED_PG, S3 } from "../../stack/src/local.ts";

/** Everything the ETL needs from its environment. */
export interface EtlConfig {
  s3: S3Config;
  databaseUrl: string;
  /** DuckDB's memory_limit (e.g. "512MB"): past it, DuckDB spills to tempDir instead of growing. */
  memoryLimit: string;
  /** Scratch space: downloaded bronze, DuckDB's spill files, Parquet before upload. */
  tempDir: string;
  /** Where copies of the current silver files are kept between runs (see SilverCache). */
  cacheDir: string;
  /** DuckDB threads (default: all cores). */
  threads?: number;
  /** Bronze objects downloaded at once. */
  downloadConcurrency: number;
  /** The worker's BRONZE_SEAL_KEY: objects it sealed are not checked line by line again (see bronze-seal.ts). */
  sealSecret?: string;
}

const positiveInt = (name: string, text: string | undefined, fallback: number): number => {
  if (text === undefined || text.trim() === "") return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(text)}`);
  return n;
};

/** Reads the configuration like the worker does (S3_*, DATABASE_URL), defaulting to the local stack's services. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): EtlConfig {
  const pick = (name: string, fallback: string) => env[name]?.trim() || fallback;
  const threads = env.ETL_THREADS ? positiveInt("ETL_THREADS", env.ETL_THREADS, 1) : undefined;
  const sealSecret = env.BRONZE_SEAL_KEY?.trim();
  return {
    s3: {
      endpoint: pick("S3_ENDPOINT", S3.endpoint),
      region: pick("S3_REGION", S3.region),
      bucket: pick("S3_BUCKET", S3.bucket),
      accessKeyId: pick("S3_ACCESS_KEY_ID", S3.accessKeyId),
      secretAccessKey: pick("S3_SECRET_ACCESS_KEY", S3.secretAccessKey),
    },
    databaseUrl: pick("DATABASE_URL", EMBEDDED_PG.url),
    memoryLimit: pick("ETL_MEMORY_LIMIT", "512MB"),
    tempDir: pick("ETL_TEMP_DIR", join(tmpdir(), "growit-etl")),
    // One cache per bucket: pruning keeps only the files current in this bucket's ledger.
    cacheDir: pick("ETL_CACHE_DIR", join(tmpdir(), `growit-etl-cache-${pick("S3_BUCKET", S3.bucket)}`)),
    ...(threads ? { threads } : {}),
    downloadConcurrency: positiveInt("ETL_DOWNLOAD_CONCURRENCY", env.ETL_DOWNLOAD_CONCURRENCY, 8),
    ...(sealSecret ? { sealSecret } : {}),
  };
}
