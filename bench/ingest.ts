// npm run bench:ingest [-- --vs-anchor] [--duration S] [--connections N] [--rounds R]
//
// Drives POST /api/events with autocannon (20-event batches, each connection as a client address
// of its own: see client-addresses.ts) and prints events/s, p50/p99 latency and bronze objects written
// per 1,000 requests, for:
//   - the worker under `npm start` (wrangler dev, with its dev proxy), started if not running;
//   - the same worker bundle in workerd with no dev proxy (as deployed);
//   - with --vs-anchor, the seed's FastAPI service (its folder in BENCH_ANCHOR_DIR), on the same S3.
// Targets run one after another, alternating, each round; results go to bench/results/ingest.json.
// With TEST_PORT_OFFSET set, every port it uses is moved by it and the stack is its own (see startStack).
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { S3 as S3Client, type S3Config } from "@growit/contract";
import autocannon from "autocannon";
import { s3OnPort, startSoakStack } from "../soak/stack.ts";
import { answers, waitForOk } from "../stack/src/children.ts";
import { EMBEDDED_PG, NEON_RELAY, REPO_ROOT, S3, WORKER } from "../stack/src/local.ts";
import { testPort } from "../stack/src/test-ports.ts";
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
const ANCHOR_PORT = testPort(8001);
const DEPLOYED_PORT = testPort(8788);

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

/** Where the wrangler dev target runs and every target writes bronze. */
interface Stack {
  workerUrl: string;
  s3: S3Config;
  stop(): Promise<void>;
}

/**
 * Without TEST_PORT_OFFSET, the local stack of `npm start` on its fixed ports: the one running, or
 * one started. With it, a stack of the benchmark's own on those ports moved by the offset (the same
 * parts as `npm start`, as the soak test starts them), so that the benchmark of one checkout
 * neither measures nor disturbs the stack another runs.
 */
async function startStack(): Promise<Stack> {
  if (testPort(0) !== 0) {
    const dir = await mkdtemp(join(tmpdir(), "growit-bench-ingest-"));
    const ports = {
      s3: testPort(S3.port),
      postgres: testPort(EMBEDDED_PG.port),
      relay: testPort(NEON_RELAY.port),
      worker: testPort(WORKER.port),
    };
    console.log(
      `starting a stack of the benchmark's own (TEST_PORT_OFFSET): worker on ${ports.worker}, S3 on ${ports.s3}`,
    );
    const stack = await startSoakStack(dir, ports);
    return {
      workerUrl: stack.workerUrl,
      s3: stack.s3Config,
      stop: async () => {
        await stack.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const local = { workerUrl: WORKER.url, s3: s3OnPort(S3.port), stop: async () => {} };
  if (await answers(WORKER.healthUrl)) {
    console.log(`using the running stack at ${WORKER.url}`);
    return local;
  }
  if (!existsSync(join(REPO_ROOT, "web/build/index.html"))) {
    startLogged("npm", ["run", "build", "-w", "web"], { cwd: REPO_ROOT, log: join(LOGS, "web-build.log") });
  }
  const log = join(LOGS, "stack.log");
  console.log(`starting the local stack (npm start); log: ${log}`);
  const stack = startLogged("npm", ["start"], { cwd: REPO_ROOT, log });
  await waitForOk(WORKER.healthUrl, { timeoutMs: 180_000, children: [stack], describe: () => `see ${log}` });
  return local;
}

async function startAnchor(s3: S3Config): Promise<string> {
  if (!ANCHOR_DIR) throw new Error("--vs-anchor: set BENCH_ANCHOR_DIR to the folder of the seed's FastAPI service");
  if (!existsSync(join(ANCHOR_DIR, "run.sh")))
    throw new Error(`--vs-anchor: no run.sh in BENCH_ANCHOR_DIR (${ANCHOR_DIR})`);
  const log = join(LOGS, "anchor.log");
  const anchor = startLogged("bash", ["run.sh"], {
    cwd: ANCHOR_DIR,
    log,
    env: { ...process.env, PORT: String(ANCHOR_PORT), S3_ENDPOINT: s3.endpoint },
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

async function measure(target: Target, round: number, bucket: S3Client): Promise<Run> {
  const countBronzeObjects = async () => (await bucket.list("bronze/app/")).length;
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
  const stack = await startStack();
  try {
    await measureAll(stack);
  } finally {
    await stack.stop();
  }
}

async function measureAll(stack: Stack) {
  const bucket = new S3Client(stack.s3);
  const deployed = await startDeployedWorker({
    port: DEPLOYED_PORT,
    s3: stack.s3,
    bundleDir: join(REPO_ROOT, ".data", "bench", "worker-bundle"),
    sealKey: "bench",
  });
  const targets: Target[] = [
    { name: "growit (npm start, wrangler dev)", url: `${stack.workerUrl}/api/events`, body: eventBatch().body },
    { name: "growit (worker bundle, no dev proxy)", url: `${deployed.url}/api/events`, body: eventBatch().body },
  ];
  if (args["vs-anchor"]) {
    const anchor = await startAnchor(stack.s3);
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
      const run = await measure(target, round, bucket);
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
