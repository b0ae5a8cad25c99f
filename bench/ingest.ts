// npm run bench:ingest [-- --vs-anchor] [--duration S] [--connections N] [--rounds R]
//
// Drives POST /api/events with autocannon (20-event batches, each connection as a client address
// of its own: see client-addresses.ts) and prints events/s, p50/p99 latency and bronze objects written
// per 1,000 requests, for:
//   - the worker under `npm start` (wrangler dev, with its dev proxy), started if not running;
//   - the same worker bundle in workerd with no dev proxy (as deployed);
//   - with --vs-anchor, the seed's FastAPI service (its folder in BENCH_ANCHOR_DIR), on the same S3.
// Targets run one after another, alternating, each round; results go to bench/results/ingest.json.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { S3 as S3Client, type S3Config } from "@growit/contract";
import autocannon from "autocannon";
import { answers, waitForOk } from "../stack/src/children.ts";
import { REPO_ROOT, S3, WORKER } from "../stack/src/local.ts";
import { addressPerConnection } from "./client-addresses.ts";
import { startDeployedWorker } from "./deployed-worker.ts";
import { BATCH, eventBatch } from "./event-batch.ts";
import { startLogged, stopAll } from "./processes.ts";
import { median, writeResult } from "./results.ts";

const { values: args } = parseArgs({
  options: {
    "vs-anchor": { type: "boolean", default: false },
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "50" },
    rounds: { type: "string", default: "2" },
  },
});
const DURATION_S = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const ROUNDS = Number(args.rounds);
const LOGS = join(REPO_ROOT, ".data", "bench", "logs");
/** The seed's FastAPI service is not part of this repository: --vs-anchor needs its folder named here. */
const ANCHOR_DIR = process.env.BENCH_ANCHOR_DIR?.trim() ? resolve(process.env.BENCH_ANCHOR_DIR.trim()) : "";
const ANCHOR_PORT = 8001;
const DEPLOYED_PORT = 8788;

interface Target {
  name: string;
  url: string;
  body: string;
}

interface Run {
  target: string;
  round: number;
  requests_per_s: number;
  events_per_s: number;
  p50_ms: number;
  p99_ms: number;
  non_2xx: number;
  errors: number;
  bronze_objects: number;
  objects_per_1000_requests: number;
}

const s3Config: S3Config = {
  endpoint: S3.endpoint,
  region: S3.region,
  bucket: S3.bucket,
  accessKeyId: S3.accessKeyId,
  secretAccessKey: S3.secretAccessKey,
};
const bucket = new S3Client(s3Config);
const countBronzeObjects = async () => (await bucket.list("bronze/app/")).length;

async function ensureLocalStack(): Promise<void> {
  if (await answers(WORKER.healthUrl)) return console.log(`using the running stack at ${WORKER.url}`);
  if (!existsSync(join(REPO_ROOT, "web/build/index.html"))) {
    startLogged("npm", ["run", "build", "-w", "web"], { cwd: REPO_ROOT, log: join(LOGS, "web-build.log") });
  }
  const log = join(LOGS, "stack.log");
  console.log(`starting the local stack (npm start); log: ${log}`);
  const stack = startLogged("npm", ["start"], { cwd: REPO_ROOT, log });
  await waitForOk(WORKER.healthUrl, { timeoutMs: 180_000, children: [stack], describe: () => `see ${log}` });
}

async function startAnchor(): Promise<string> {
  if (!ANCHOR_DIR) throw new Error("--vs-anchor: set BENCH_ANCHOR_DIR to the folder of the seed's FastAPI service");
  if (!existsSync(join(ANCHOR_DIR, "run.sh")))
    throw new Error(`--vs-anchor: no run.sh in BENCH_ANCHOR_DIR (${ANCHOR_DIR})`);
  const log = join(LOGS, "anchor.log");
  const anchor = startLogged("bash", ["run.sh"], {
    cwd: ANCHOR_DIR,
    log,
    env: { ...process.env, PORT: String(ANCHOR_PORT), S3_ENDPOINT: S3.endpoint },
  });
  const url = `http://127.0.0.1:${ANCHOR_PORT}`;
  await waitForOk(`${url}/api/health`, {
    timeoutMs: 30_000,
    children: [anchor],
    describe: () =>
      `see ${log} (it needs: apt-get install -y python3-fastapi python3-uvicorn python3-boto3 python3-uvloop python3-httptools)`,
  });
  return url;
}

let runsStarted = 0;

async function measure(target: Target, round: number): Promise<Run> {
  const before = await countBronzeObjects();
  const headers = { "content-type": "application/json" };
  const result = await autocannon({
    url: target.url,
    method: "POST",
    headers,
    body: target.body,
    connections: CONNECTIONS,
    duration: DURATION_S,
    setupClient: addressPerConnection(headers, runsStarted++),
  });
  const objects = (await countBronzeObjects()) - before;
  const requests = result["2xx"];
  return {
    target: target.name,
    round,
    requests_per_s: Math.round(requests / DURATION_S),
    events_per_s: Math.round((requests * BATCH) / DURATION_S),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    non_2xx: result.non2xx,
    errors: result.errors,
    bronze_objects: objects,
    objects_per_1000_requests: requests ? Math.round((objects / requests) * 1000 * 10) / 10 : 0,
  };
}

async function main() {
  await ensureLocalStack();
  const deployed = await startDeployedWorker({
    port: DEPLOYED_PORT,
    s3: s3Config,
    bundleDir: join(REPO_ROOT, ".data", "bench", "worker-bundle"),
    sealKey: "bench",
  });
  const targets: Target[] = [
    { name: "growit (npm start, wrangler dev)", url: `${WORKER.url}/api/events`, body: eventBatch().body },
    { name: "growit (worker bundle, no dev proxy)", url: `${deployed.url}/api/events`, body: eventBatch().body },
  ];
  if (args["vs-anchor"]) {
    const anchor = await startAnchor();
    // The anchor's own 20-event body (its schema differs: no ids, server-side types allowed).
    const { readFileSync } = await import("node:fs");
    targets.push({
      name: "anchor (seed FastAPI)",
      url: `${anchor}/api/events`,
      body: readFileSync(join(ANCHOR_DIR, "body.json"), "utf8"),
    });
  }
  console.log(
    `${ROUNDS} rounds x ${targets.length} targets, ${DURATION_S} s each, ${CONNECTIONS} connections, ${BATCH}-event batches`,
  );
  const runs: Run[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const target of round % 2 ? targets : [...targets].reverse()) {
      const run = await measure(target, round);
      runs.push(run);
      console.log(
        `  ${run.target.padEnd(38)} ${String(run.events_per_s).padStart(7)} events/s  p50 ${run.p50_ms} ms  p99 ${run.p99_ms} ms  ` +
          `${run.objects_per_1000_requests} objects/1000 req  non-2xx ${run.non_2xx}  errors ${run.errors}`,
      );
    }
  }
  const summary = targets.map(({ name }) => {
    const mine = runs.filter((r) => r.target === name);
    return {
      target: name,
      events_per_s: median(mine.map((r) => r.events_per_s)),
      p50_ms: median(mine.map((r) => r.p50_ms)),
      p99_ms: median(mine.map((r) => r.p99_ms)),
      objects_per_1000_requests: Math.round(median(mine.map((r) => r.objects_per_1000_requests)) * 10) / 10,
      failed_requests: mine.reduce((n, r) => n + r.non_2xx + r.errors, 0),
    };
  });
  const anchor = summary.find((s) => s.target.startsWith("anchor"));
  console.log("\nmedian of rounds:");
  for (const s of summary) {
    const ratio = anchor && s !== anchor ? `  ${(s.events_per_s / anchor.events_per_s).toFixed(2)}x anchor` : "";
    console.log(
      `  ${s.target.padEnd(38)} ${String(s.events_per_s).padStart(7)} events/s  p50 ${s.p50_ms} ms  p99 ${s.p99_ms} ms  ${s.objects_per_1000_requests} objects/1000 req${ratio}`,
    );
  }
  const path = writeResult("ingest", {
    config: { duration_s: DURATION_S, connections: CONNECTIONS, batch: BATCH, rounds: ROUNDS },
    summary,
    runs,
  });
  console.log(`\nwritten: ${path}`);
  await deployed.dispose();
}

try {
  await main();
} finally {
  await stopAll();
}
