// `npm start`: the whole local stack (the README's "Run it").
//   1. checks that every fixed port it needs is free;
//   2. starts the S3 server (s3rver, in a child with --openssl-legacy-provider),
//      the embedded Postgres (PGlite over pglite-socket) unless DATABASE_URL is
//      set, and the Neon WebSocket relay;
//   3. applies migrations, creates the demo accounts (embedded Postgres only) and
//      writes .dev.vars;
//   4. starts the child processes (wrangler dev and the ETL queue worker),
//      waits for /api/health and prints where everything is.
// Ctrl-C (SIGINT) or SIGTERM stops everything in reverse order; PGlite is
// closed properly so its data survives the next start.
import { join } from "node:path";
import { maskDatabaseUrl } from "@growit/contract";
import { type ChildSpec, type ManagedChild, startChild, waitForOk } from "./children.ts";
import { DEMO_ACCOUNTS, ensureDemoAccounts } from "./demo-accounts.ts";
import { writeDevVars } from "./dev-vars.ts";
import { etlEnv } from "./etl-env.ts";
import {
  EMBEDDED_PG,
  NEON_RELAY,
  pgDataDir,
  postgresTarget,
  REPO_ROOT,
  S3,
  s3DataDir,
  WORKER,
  wranglerDev,
} from "./local.ts";
import { migrate } from "./migrate.ts";
import { startNeonRelay } from "./neon-relay.ts";
import { busyPorts, type PortUse, portInUseMessage } from "./ports.ts";
import { startEmbeddedPostgres } from "./postgres.ts";
import { spawnS3Server } from "./s3-server.ts";

const env = process.env;
const HEALTH_TIMEOUT_MS = Number(env.GROWIT_HEALTH_TIMEOUT_MS ?? 120_000);

/** Something started that must be stopped on the way out (in reverse order). */
interface Running {
  name: string;
  stop(): Promise<void>;
}
const running: Running[] = [];
let shuttingDown: Promise<never> | undefined;

function log(message: string): void {
  console.log(`[growit] ${message}`);
}

function shutdown(code: number, reason?: string): Promise<never> {
  shuttingDown ??= (async () => {
    if (reason) console.error(`[growit] ${reason}`);
    log("stopping…");
    for (const part of running.reverse()) {
      try {
        await part.stop();
      } catch (error) {
        console.error(`[growit] stopping ${part.name} failed: ${String(error)}`);
      }
    }
    log("stopped");
    process.exit(code);
  })();
  return shuttingDown;
}

process.once("SIGINT", () => void shutdown(0));
process.once("SIGTERM", () => void shutdown(0));

/** The long-running child processes, in start order. */
function childSpecs(workerVars: Map<string, string>, localS3: boolean): ChildSpec[] {
  return [
    // The local S3 server's endpoint, which wrangler.jsonc names only for the default ports.
    wranglerDev(WORKER.host, WORKER.port, localS3 ? ["--var", `S3_ENDPOINT:${S3.endpoint}`] : []),
    {
      name: "etl worker",
      command: process.execPath,
      args: ["--import", "tsx", join(REPO_ROOT, "etl/src/cli.ts"), "work"],
      cwd: REPO_ROOT,
      env: etlEnv(workerVars, env),
    },
  ];
}

async function main(): Promise<void> {
  const externalDb = env.DATABASE_URL?.trim() || undefined;
  const localS3 = !env.S3_ENDPOINT || env.S3_ENDPOINT.replace(/\/$/, "") === S3.endpoint;

  const ports: PortUse[] = [];
  if (localS3) ports.push({ port: S3.port, what: "S3 server" });
  if (!externalDb) ports.push({ port: EMBEDDED_PG.port, what: "embedded Postgres" });
  ports.push({ port: NEON_RELAY.port, what: "Neon WebSocket relay" });
  ports.push({ port: WORKER.port, what: "worker (wrangler dev)" });
  const busy = await busyPorts(ports);
  if (busy.length) {
    for (const use of busy) console.error(`[growit] ${portInUseMessage(use)}`);
    process.exit(1);
  }

  if (localS3) {
    const s3 = await spawnS3Server({ directory: s3DataDir() });
    running.push({ name: "S3 server", stop: () => s3.close() });
    void s3.exited.then((code) => {
      if (!shuttingDown) void shutdown(1, `the S3 server exited unexpectedly (${code})`);
    });
    log(`S3 server on ${s3.endpoint}, bucket ${S3.bucket}`);
  }

  let databaseUrl: string;
  if (externalDb) {
    databaseUrl = externalDb;
  } else {
    const pg = await startEmbeddedPostgres({ dataDir: pgDataDir() });
    running.push({ name: "embedded Postgres", stop: () => pg.stop() });
    databaseUrl = pg.url;
    log(`embedded Postgres (PGlite) on ${pg.url}`);
  }

  const relay = await startNeonRelay({ target: postgresTarget(databaseUrl) });
  running.push({ name: "Neon relay", stop: () => relay.close() });

  const applied = await migrate(databaseUrl, { onMigration: (f) => log(`migrating: ${f}`) });
  log(applied.length ? `applied ${applied.length} migration(s)` : "database schema up to date");
  if (!externalDb) {
    const created = await ensureDemoAccounts(databaseUrl);
    if (created.length) log(`created demo account(s): ${created.join(", ")}`);
  }

  const workerVars = writeDevVars({ databaseUrl, relayWsProxy: relay.wsProxy });

  const children: ManagedChild[] = [];
  for (const spec of childSpecs(workerVars, localS3)) {
    const child = startChild(spec);
    children.push(child);
    running.push({ name: spec.name, stop: () => child.stop() });
    void child.exited.then((code) => {
      if (!shuttingDown) void shutdown(1, `${spec.name} exited unexpectedly (${code})`);
    });
  }

  await waitForOk(WORKER.healthUrl, { timeoutMs: HEALTH_TIMEOUT_MS, children });

  const s3Endpoint = localS3 ? S3.endpoint : (env.S3_ENDPOINT ?? "");
  console.log(
    [
      "",
      "GrowIt is running.",
      `  open      ${WORKER.url}`,
      `  Postgres  DATABASE_URL=${maskDatabaseUrl(databaseUrl)}${externalDb ? "" : " (embedded PGlite)"}`,
      `  S3        ${s3Endpoint} bucket ${env.S3_BUCKET || S3.bucket}`,
      `  relay     ws://${relay.address} (Neon driver -> Postgres)`,
      `  data      ${localS3 || !externalDb ? join(s3DataDir(), "..") : "(external services)"}`,
      ...(externalDb
        ? []
        : [`  accounts  ${DEMO_ACCOUNTS.map((a) => `${a.username} / ${a.password} (${a.role})`).join(", ")}`]),
      "Press Ctrl-C to stop.",
      "",
    ].join("\n"),
  );
}

main().catch((error: unknown) => {
  void shutdown(1, `start failed: ${error instanceof Error ? error.message : String(error)}`);
});
