import { tmpdir } from "node:os";
import { join } from "node:path";
import type { S3Config } from "@growit/contract";

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

/**
 * Where the ETL's data lives. None has a default: the only one there could be is the local stack's,
 * and an ETL elsewhere that fell back on it would fail late, or work on the wrong data.
 */
export const REQUIRED_VARIABLES = [
  "S3_ENDPOINT",
  "S3_REGION",
  "S3_BUCKET",
  "S3_ACCESS_KEY_ID",
  "S3_SECRET_ACCESS_KEY",
  "DATABASE_URL",
] as const;

/**
 * The ETL's own settings' defaults. DuckDB's limit leaves room for the rest of the process (Node,
 * the gold rows on their way to Postgres), so that a large day's run stays within 1 GiB.
 */
export const DEFAULTS = { memoryLimit: "384MB", downloadConcurrency: 8 } as const;

/** ETL_MEMORY_LIMIT, or DuckDB's limit the ETL runs with by default. */
export const memoryLimitFromEnv = (env: NodeJS.ProcessEnv = process.env): string =>
  env.ETL_MEMORY_LIMIT?.trim() || DEFAULTS.memoryLimit;

/**
 * Reads the configuration like the worker does (S3_*, DATABASE_URL), each of which must be set:
 * whoever runs the ETL names its services (`npm start` passes its local ones to the ETL it starts).
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): EtlConfig {
  const missing = REQUIRED_VARIABLES.filter((name) => !env[name]?.trim());
  if (missing.length > 0) throw new Error(`${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not set`);
  // Each is set, as checked above: `?? ""` is for the type checker.
  const required = (name: (typeof REQUIRED_VARIABLES)[number]) => env[name]?.trim() ?? "";
  const optional = (name: string, fallback: string) => env[name]?.trim() || fallback;
  const threads = env.ETL_THREADS ? positiveInt("ETL_THREADS", env.ETL_THREADS, 1) : undefined;
  const sealSecret = env.BRONZE_SEAL_KEY?.trim();
  const bucket = required("S3_BUCKET");
  return {
    s3: {
      endpoint: required("S3_ENDPOINT"),
      region: required("S3_REGION"),
      bucket,
      accessKeyId: required("S3_ACCESS_KEY_ID"),
      secretAccessKey: required("S3_SECRET_ACCESS_KEY"),
    },
    databaseUrl: required("DATABASE_URL"),
    memoryLimit: memoryLimitFromEnv(env),
    tempDir: optional("ETL_TEMP_DIR", join(tmpdir(), "growit-etl")),
    // One cache per bucket: pruning keeps only the files current in this bucket's ledger.
    cacheDir: optional("ETL_CACHE_DIR", join(tmpdir(), `growit-etl-cache-${bucket}`)),
    ...(threads ? { threads } : {}),
    downloadConcurrency: positiveInt(
      "ETL_DOWNLOAD_CONCURRENCY",
      env.ETL_DOWNLOAD_CONCURRENCY,
      DEFAULTS.downloadConcurrency,
    ),
    ...(sealSecret ? { sealSecret } : {}),
  };
}
