// The soak test's own stack: the same parts as `npm start` (stack/src/start.ts) on ports
// of its own, with its data in a temp dir, and with the S3 server and the worker
// restartable on the same port and data.
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { S3 as S3Client, type S3Config } from "@growit/contract";
import { type ManagedChild, startChild, waitForOk } from "../stack/src/children.ts";
import { S3, wranglerDev } from "../stack/src/local.ts";
import { migrate } from "../stack/src/migrate.ts";
import { type NeonRelay, startNeonRelay } from "../stack/src/neon-relay.ts";
import { busyPorts, waitForPortFree } from "../stack/src/ports.ts";
import { type EmbeddedPostgres, startEmbeddedPostgres } from "../stack/src/postgres.ts";
import { type SpawnedS3Server, spawnS3Server } from "../stack/src/s3-server.ts";

/** Where a stack of its own listens. */
export interface StackPorts {
  s3: number;
  postgres: number;
  relay: number;
  worker: number;
}

/** Clear of the fixed local ports (8787, 9000, 5433, 5480) and of the other tests' ports. */
export const SOAK_PORTS = { s3: 9040, postgres: 5450, relay: 5495, worker: 8797 } as const satisfies StackPorts;
const HOST = "127.0.0.1";

/** An S3 server of a stack's own on `port` (local credentials and bucket). */
export const s3OnPort = (port: number): S3Config => ({
  endpoint: `http://${HOST}:${port}`,
  region: S3.region,
  bucket: S3.bucket,
  accessKeyId: S3.accessKeyId,
  secretAccessKey: S3.secretAccessKey,
});

/** The soak's own S3 server. */
export const SOAK_S3: S3Config = s3OnPort(SOAK_PORTS.s3);

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface SoakStack {
  dir: string;
  workerUrl: string;
  databaseUrl: string;
  s3Config: S3Config;
  bucket: S3Client;
  /** The environment the ETL CLI gets (S3_*, DATABASE_URL). */
  etlEnv: NodeJS.ProcessEnv;
  stopS3(): Promise<void>;
  startS3(): Promise<void>;
  restartWorker(): Promise<void>;
  /** Fires the worker's quarter-hourly cron, which queues the ETL runs that are due. */
  triggerCron(): Promise<void>;
  /** Stops everything started, in reverse order; safe to call twice and after a failed start. */
  stop(): Promise<void>;
  /** The end of the worker's log (for failure messages). */
  workerLog(lines?: number): string;
}

/** The stack, with its data in `dir`, on `ports` (the soak's unless another user of it gives its own). */
export async function startSoakStack(dir: string, ports: StackPorts = SOAK_PORTS): Promise<SoakStack> {
  const busy = await busyPorts([
    { port: ports.s3, what: "soak S3 server" },
    { port: ports.postgres, what: "soak embedded Postgres" },
    { port: ports.relay, what: "soak Neon relay" },
    { port: ports.worker, what: "soak worker" },
  ]);
  if (busy.length) throw new Error(`ports in use: ${busy.map((b) => `${b.port} (${b.what})`).join(", ")}`);

  const s3Dir = join(dir, "s3");
  const workerLogPath = join(dir, "wrangler.log");
  const stops: { name: string; stop: () => Promise<void> }[] = [];
  let s3: SpawnedS3Server | undefined;
  let pg: EmbeddedPostgres | undefined;
  let relay: NeonRelay | undefined;
  let worker: ManagedChild | undefined;
  let stopped: Promise<void> | undefined;

  const s3Config = s3OnPort(ports.s3);
  const databaseUrl = `postgres://postgres@${HOST}:${ports.postgres}/postgres`;
  const workerUrl = `http://${HOST}:${ports.worker}`;

  const startS3 = async () => {
    s3 = await spawnS3Server({ directory: s3Dir, host: HOST, port: ports.s3 });
  };
  const stopS3 = async () => {
    const server = s3;
    s3 = undefined;
    if (!server) return;
    // SIGTERM lets s3rver finish what it is writing; a hung close is killed.
    const timer = setTimeout(() => server.child.kill("SIGKILL"), 5_000);
    await server.close();
    clearTimeout(timer);
    await waitForPortFree(ports.s3);
  };

  // Every binding, so that neither wrangler.jsonc `vars` nor the repo's .dev.vars (which
  // --env-file makes wrangler skip) points the worker at the fixed local services. Written
  // once the relay is up, as NEON_WS_PROXY carries its secret.
  const envFile = join(dir, "worker.env");
  const sealSecret = randomBytes(32).toString("hex");
  const writeWorkerEnv = (neonWsProxy: string) =>
    writeFileSync(
      envFile,
      [
        `S3_ENDPOINT=${s3Config.endpoint}`,
        `S3_BUCKET=${s3Config.bucket}`,
        `S3_REGION=${s3Config.region}`,
        `S3_ACCESS_KEY_ID=${s3Config.accessKeyId}`,
        `S3_SECRET_ACCESS_KEY=${s3Config.secretAccessKey}`,
        `DATABASE_URL=${databaseUrl}`,
        `SESSION_SECRET=${randomBytes(32).toString("hex")}`,
        `NEON_WS_PROXY=${neonWsProxy}`,
        `BRONZE_SEAL_KEY=${sealSecret}`,
        "",
      ].join("\n"),
      { mode: 0o600 },
    );
  const workerLog = (lines = 40) => {
    try {
      return readFileSync(workerLogPath, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no worker log)";
    }
  };
  const startWorker = async () => {
    worker = startChild({
      ...wranglerDev(HOST, ports.worker, ["--persist-to", join(dir, "wrangler-state"), "--env-file", envFile]),
      // A restarted worker writes on after the earlier one's lines.
      log: { path: workerLogPath, append: true },
    });
    await waitForOk(`${workerUrl}/api/health`, {
      timeoutMs: 120_000,
      children: [worker],
      describe: () => `wrangler log (${workerLogPath}):\n${workerLog()}`,
    });
  };
  const stopWorker = async () => {
    const running = worker;
    worker = undefined;
    if (!running) return;
    await running.stop();
    await waitForPortFree(ports.worker);
  };

  const stack: SoakStack = {
    dir,
    workerUrl,
    databaseUrl,
    s3Config,
    bucket: new S3Client(s3Config),
    etlEnv: {
      ...process.env,
      S3_ENDPOINT: s3Config.endpoint,
      S3_BUCKET: s3Config.bucket,
      S3_REGION: s3Config.region,
      S3_ACCESS_KEY_ID: s3Config.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3Config.secretAccessKey,
      DATABASE_URL: databaseUrl,
      ETL_TEMP_DIR: join(dir, "etl-tmp"),
      // Its own, not the one per bucket name that every local ETL of bucket "growit" shares and prunes.
      ETL_CACHE_DIR: join(dir, "etl-cache"),
      BRONZE_SEAL_KEY: sealSecret,
    },
    startS3,
    stopS3,
    restartWorker: async () => {
      await stopWorker();
      await startWorker();
    },
    triggerCron: async () => {
      const response = await fetch(`${workerUrl}/__scheduled?cron=${encodeURIComponent("*/15 * * * *")}`, {
        signal: AbortSignal.timeout(60_000),
      });
      const body = await response.text();
      if (!response.ok) throw new Error(`the cron answered ${response.status} ${body}\n${workerLog()}`);
    },
    stop: () => {
      stopped ??= (async () => {
        for (const { name, stop } of stops.reverse()) {
          try {
            await stop();
          } catch (error) {
            console.error(`[soak] stopping ${name} failed: ${String(error)}`);
          }
        }
      })();
      return stopped;
    },
    workerLog,
  };

  try {
    stops.push({ name: "S3 server", stop: stopS3 });
    await startS3();
    stops.push({ name: "embedded Postgres", stop: async () => pg?.stop() });
    pg = await startEmbeddedPostgres({ dataDir: join(dir, "pg"), host: HOST, port: ports.postgres });
    stops.push({ name: "Neon relay", stop: async () => relay?.close() });
    relay = await startNeonRelay({
      target: { host: HOST, port: ports.postgres },
      host: HOST,
      port: ports.relay,
    });
    writeWorkerEnv(relay.wsProxy);
    await migrate(databaseUrl);
    stops.push({ name: "wrangler dev", stop: stopWorker });
    await startWorker();
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}
