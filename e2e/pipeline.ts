// The real parts an end-to-end test of the pipeline drives: an s3rver and a scratch Postgres of
// its own, the worker's deployable bundle in workerd (bench/deployed-worker.ts) and the ETL.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { enqueueRun, S3, type S3Config, sqlString, utcDay } from "@growit/contract";
import pg from "pg";
import { startDeployedWorker } from "../bench/deployed-worker.ts";
import type { EtlConfig } from "../etl/src/config.ts";
import { type Duck, openDuck } from "../etl/src/duck.ts";
import { Etl } from "../etl/src/etl.ts";
import type { Reporter } from "../etl/src/reporter.ts";
import { S3 as LOCAL_S3, REPO_ROOT } from "../stack/src/local.ts";
import { migrate } from "../stack/src/migrate.ts";
import { startNeonRelay } from "../stack/src/neon-relay.ts";
import { spawnS3Server } from "../stack/src/s3-server.ts";
import { createScratchDatabase } from "../stack/src/test-db.ts";
import { testPort } from "../stack/src/test-ports.ts";

const SILENT: Reporter = { log() {}, progress() {}, outcome() {}, summary() {} };

export interface PipelineOptions {
  /** Names the scratch folder and the worker's bundle folder. */
  name: string;
  /** Base ports (testPort moves them by TEST_PORT_OFFSET); `relay` gives the worker Postgres through the Neon relay. */
  ports: { s3: number; worker: number; relay?: number };
  /** The worker's BRONZE_SEAL_KEY and the ETL's seal secret. */
  sealKey: string;
}

export interface Pipeline {
  worker: { url: string };
  s3: S3;
  /** The ETL's configuration, on the pipeline's S3 and Postgres. */
  config: EtlConfig;
  /** A DuckDB for reading what the pipeline wrote. */
  duck: Duck;
  /** Runs SQL on the pipeline's Postgres. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /**
   * Queues today's run as the cron does (`mode`), then runs the ETL over the queue, and over the
   * pending erasure requests when `erasures` is set; throws when any of them failed.
   */
  runEtl(options: { mode: "incremental" | "sweep"; erasures?: boolean }): Promise<void>;
  /** Every current silver file, downloaded, as a DuckDB relation (`read_parquet` by name), or null when there is none. */
  silver(): Promise<string | null>;
  close(): Promise<void>;
}

export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
  const scratch = await mkdtemp(join(tmpdir(), `growit-${options.name}-`));
  const cleanups: Array<() => Promise<unknown>> = [() => rm(scratch, { recursive: true, force: true })];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const server = await spawnS3Server({ port: testPort(options.ports.s3), directory: join(scratch, "s3") });
    cleanups.push(() => server.close());
    const database = await createScratchDatabase();
    cleanups.push(() => database.drop());
    await migrate(database.url);
    let wsProxy: string | undefined;
    if (options.ports.relay !== undefined) {
      const target = new URL(database.url);
      const relay = await startNeonRelay({
        target: { host: target.hostname, port: Number(target.port || 5432) },
        host: "127.0.0.1",
        port: testPort(options.ports.relay),
      });
      cleanups.push(() => relay.close());
      wsProxy = relay.wsProxy;
    }
    const s3Config: S3Config = { ...LOCAL_S3, endpoint: server.endpoint };
    const config: EtlConfig = {
      s3: s3Config,
      databaseUrl: database.url,
      memoryLimit: "256MB",
      tempDir: join(scratch, "etl"),
      cacheDir: join(scratch, "etl-cache"),
      downloadConcurrency: 4,
      sealSecret: options.sealKey,
    };
    const s3 = new S3(s3Config);
    const duck = await openDuck({ memoryLimit: "256MB", tempDir: join(scratch, "duck") });
    cleanups.push(async () => duck.close());
    const worker = await startDeployedWorker({
      port: testPort(options.ports.worker),
      s3: s3Config,
      bundleDir: join(REPO_ROOT, ".data", "test", `${options.name}-bundle`),
      sealKey: options.sealKey,
      ...(wsProxy ? { database: { url: database.url, wsProxy } } : {}),
    });
    cleanups.push(() => worker.dispose());

    const query = async <T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> => {
      const client = new pg.Client(database.url);
      await client.connect();
      try {
        return (await client.query(text, params)).rows as T[];
      } finally {
        await client.end();
      }
    };
    let downloads = 0;
    return {
      worker,
      s3,
      config,
      duck,
      query,
      async runEtl({ mode, erasures = false }) {
        await enqueueRun({ query }, utcDay(new Date()), mode);
        const etl = await Etl.open(config, { reporter: SILENT });
        try {
          const outcomes = [
            ...(await etl.runPending()),
            ...(erasures ? await etl.eraseRequested({ backoff: false }) : []),
          ];
          const failed = outcomes.filter((o) => o.status !== "done");
          if (failed.length > 0) throw new Error(`ETL runs or erasures failed: ${JSON.stringify(failed)}`);
        } finally {
          await etl.close();
        }
      },
      async silver() {
        const files = await query<{ key: string }>(
          "SELECT object_key AS key FROM etl.silver_files ORDER BY object_key",
        );
        const paths: string[] = [];
        for (const file of files) {
          const path = join(scratch, `silver-${downloads++}.parquet`);
          await writeFile(path, await s3.getBytes(file.key));
          paths.push(path);
        }
        if (paths.length === 0) return null;
        // By name: files written before a column was added read it as NULL.
        return `read_parquet([${paths.map(sqlString).join(", ")}], union_by_name = true)`;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
