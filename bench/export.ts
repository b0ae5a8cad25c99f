// npm run bench:export [-- --heavy N] [--light N] [--filler N] [--days N] [--rounds N]
//
// GET /api/me/export through the deployable worker bundle in workerd (as bench:ingest measures
// ingestion), for a learner with 100,000 events and one with 10,000. It writes bronze over the
// last --days days (28): the two learners' events spread evenly, and --filler events a day
// (20,000) of 1,000 other learners, sealed as the worker seals them, then runs the real ETL
// (`etl run --pending`) so that silver, etl.silver_files and mart.learner_daily are what
// production would hold. Each export is read to its end and checked (its end record counts every
// event); it prints the time, events/s and MiB/s, and workerd's resident memory before the export
// and at its peak during it (VmHWM, reset before each export, and VmRSS sampled every 10 ms), to
// show whether memory follows the learner's size. Its own S3 server, and Postgres from
// DATABASE_URL or else an embedded PGlite, under .data/bench/export/. Results go to
// bench/results/export.json.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  addDays,
  bronzeEventsObject,
  bronzeObjectKey,
  bronzeSealKey,
  dayStart,
  enqueueRun,
  S3 as S3Client,
  type S3Config,
  utcDay,
  uuidv7,
} from "@growit/contract";
import { queryable } from "../etl/src/postgres.ts";
import { collectOutput } from "../stack/src/children.ts";
import { postgresTarget, REPO_ROOT, S3 } from "../stack/src/local.ts";
import { migrate } from "../stack/src/migrate.ts";
import { startNeonRelay } from "../stack/src/neon-relay.ts";
import { withClient } from "../stack/src/pg-client.ts";
import { startEmbeddedPostgres } from "../stack/src/postgres.ts";
import { spawnS3Server } from "../stack/src/s3-server.ts";
import { startDeployedWorker } from "./deployed-worker.ts";
import { EVENT_KINDS } from "./event-batch.ts";
import { median, writeResult } from "./results.ts";

const { values: args } = parseArgs({
  options: {
    heavy: { type: "string", default: "100000" },
    light: { type: "string", default: "10000" },
    filler: { type: "string", default: "20000" },
    days: { type: "string", default: "28" },
    rounds: { type: "string", default: "3" },
  },
});
const DAYS = Number(args.days);
const FILLER_PER_DAY = Number(args.filler);
const ROUNDS = Number(args.rounds);
const LEARNERS = [
  { name: "bench-heavy", events: Number(args.heavy) },
  { name: "bench-light", events: Number(args.light) },
];
const FILLER_LEARNERS = 1_000;
const PER_OBJECT = 10_000;
const WORK = join(REPO_ROOT, ".data", "bench", "export");
// Ports of its own, so that it runs beside `npm start` and the other benchmarks' servers.
const S3_PORT = 9012;
const PG_PORT = 5436;
const RELAY_PORT = 5496;
const WORKER_PORT = 8790;
const SEAL_SECRET = "growit-bench-export-seal";
const PASSWORD = "bench export password";
const MIB = 2 ** 20;

const cleanups: Array<() => Promise<void>> = [];

interface Memory {
  rss: number;
  hwm: number;
}

/** The parent of process `pid`, or 0 once it is gone. */
function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(/^\d+ \(.*\) \S+ (\d+)/.exec(stat)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** The workerd process Miniflare started for this process (a descendant of it), found by name and ancestry. */
function workerdPid(): number {
  for (const name of readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
    let comm = "";
    try {
      comm = readFileSync(`/proc/${name}/comm`, "utf8").trim();
    } catch {
      continue;
    }
    if (comm !== "workerd") continue;
    for (let pid = parentOf(Number(name)); pid > 1; pid = parentOf(pid)) if (pid === process.pid) return Number(name);
  }
  throw new Error("no workerd process under this one");
}

function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
  return { rss: kib("VmRSS"), hwm: kib("VmHWM") };
}

/** Resets the process's peak RSS (VmHWM) to its current RSS, where the kernel allows it. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

async function startServers(): Promise<{ s3: S3Config; databaseUrl: string; wsProxy: string }> {
  rmSync(WORK, { recursive: true, force: true });
  const server = await spawnS3Server({ directory: join(WORK, "s3"), port: S3_PORT });
  cleanups.push(() => server.close());
  const s3: S3Config = {
    endpoint: server.endpoint,
    region: S3.region,
    bucket: "growit-bench-export",
    accessKeyId: S3.accessKeyId,
    secretAccessKey: S3.secretAccessKey,
  };
  const created = await new S3Client(s3).send("", { method: "PUT" });
  await created.body?.cancel();
  let databaseUrl = process.env.DATABASE_URL?.trim() ?? "";
  if (!databaseUrl) {
    const embedded = await startEmbeddedPostgres({ dataDir: join(WORK, "pg"), port: PG_PORT });
    cleanups.push(() => embedded.stop());
    databaseUrl = embedded.url;
  }
  await migrate(databaseUrl);
  const relay = await startNeonRelay({ target: postgresTarget(databaseUrl), port: RELAY_PORT });
  cleanups.push(() => relay.close());
  return { s3, databaseUrl, wsProxy: relay.wsProxy };
}

/** The learner (or filler user) of the n-th event of a day: the two learners spread evenly among the filler. */
function eventOwners(day: number): Array<string> {
  const owners: string[] = [];
  for (const learner of LEARNERS) {
    const share = Math.floor(learner.events / DAYS) + (day < learner.events % DAYS ? 1 : 0);
    for (let i = 0; i < share; i++) owners.push(learner.name);
  }
  for (let i = 0; i < FILLER_PER_DAY; i++) owners.push(`filler-${String(i % FILLER_LEARNERS).padStart(4, "0")}`);
  // Interleaved in time, as real days are.
  return owners
    .map((owner, i) => ({ owner, at: (i * 7919) % owners.length }))
    .sort((a, b) => a.at - b.at)
    .map((o) => o.owner);
}

/** Writes each day's events as sealed bronze objects received that day (ts a second earlier). */
async function writeBronze(s3: S3Client, days: readonly string[]): Promise<number> {
  const sealKey = await bronzeSealKey(SEAL_SECRET);
  const encoder = new TextEncoder();
  let events = 0;
  for (const [d, day] of days.entries()) {
    const owners = eventOwners(d);
    const start = dayStart(day);
    const step = 86_000_000 / owners.length;
    const puts: Promise<void>[] = [];
    for (let first = 0; first < owners.length; first += PER_OBJECT) {
      const lines: string[] = [];
      for (let n = first; n < Math.min(owners.length, first + PER_OBJECT); n++) {
        const received = Math.floor(start + n * step);
        const kind = EVENT_KINDS[n % EVENT_KINDS.length] as (typeof EVENT_KINDS)[number];
        const ts = new Date(received - 1_000).toISOString();
        lines.push(
          JSON.stringify({
            id: uuidv7(received),
            ...kind,
            ts,
            client_ts: ts,
            username: owners[n],
            received_at: new Date(received).toISOString(),
            source: "web",
          }),
        );
      }
      const key = bronzeObjectKey(new Date(Math.floor(start + first * step)), uuidv7());
      const { body, headers } = await bronzeEventsObject(key, encoder.encode(`${lines.join("\n")}\n`), sealKey);
      puts.push(s3.put(key, body, "application/x-ndjson", headers));
      events += lines.length;
    }
    await Promise.all(puts);
  }
  return events;
}

/** Queues a run and runs the ETL CLI (`run --pending`) in a child process, as the cron and a worker would. */
async function runEtl(s3: S3Config, databaseUrl: string): Promise<void> {
  await withClient(databaseUrl, (client) => enqueueRun(queryable(client), utcDay(new Date()), "incremental"));
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(REPO_ROOT, "etl/src/cli.ts"), "run", "--pending", "--json"],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        S3_ENDPOINT: s3.endpoint,
        S3_REGION: s3.region,
        S3_BUCKET: s3.bucket,
        S3_ACCESS_KEY_ID: s3.accessKeyId,
        S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        DATABASE_URL: databaseUrl,
        ETL_TEMP_DIR: join(WORK, "etl-tmp"),
        BRONZE_SEAL_KEY: SEAL_SECRET,
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const output = collectOutput(child.stdout);
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  if (code !== 0) throw new Error(`etl exited ${code}: ${output().slice(-2000)}`);
}

/** Signs `username` up through the worker; returns its session cookie. */
async function signUp(url: string, username: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password: PASSWORD, full_name: username, interests: [] }),
  });
  if (response.status !== 201)
    throw new Error(`signing ${username} up: HTTP ${response.status} ${await response.text()}`);
  return (response.headers.get("set-cookie") ?? "").split(";")[0] as string;
}

interface ExportRun {
  learner: string;
  round: number;
  seconds: number;
  events: number;
  bytes: number;
  events_per_s: number;
  mib_per_s: number;
  rss_before_mib: number;
  peak_rss_mib: number;
  peak_over_before_mib: number;
}

/** One export read to its end, with workerd's memory around it. */
async function measure(url: string, cookie: string, learner: string, round: number, pid: number): Promise<ExportRun> {
  const before = memoryOf(pid);
  const peakReset = resetPeak(pid);
  let sampled = before.rss;
  const sampler = setInterval(() => {
    sampled = Math.max(sampled, memoryOf(pid).rss);
  }, 10);
  const started = performance.now();
  const response = await fetch(`${url}/api/me/export`, { headers: { cookie } });
  if (response.status !== 200)
    throw new Error(`export of ${learner}: HTTP ${response.status} ${await response.text()}`);
  const decoder = new TextDecoder();
  let bytes = 0;
  let tail = "";
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    // Only the last line is kept: the end record.
    tail = (tail + decoder.decode(chunk, { stream: true })).slice(-4096);
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const after = memoryOf(pid);
  const peak = Math.max(sampled, after.rss, peakReset ? after.hwm : 0);
  const end = JSON.parse(tail.trimEnd().split("\n").at(-1) as string) as { record: string; events: number };
  if (end.record !== "end") throw new Error(`export of ${learner} did not end whole: ${tail.slice(-300)}`);
  return {
    learner,
    round,
    seconds: Math.round(seconds * 1000) / 1000,
    events: end.events,
    bytes,
    events_per_s: Math.round(end.events / seconds),
    mib_per_s: Math.round((bytes / MIB / seconds) * 10) / 10,
    rss_before_mib: Math.round(before.rss / MIB),
    peak_rss_mib: Math.round(peak / MIB),
    peak_over_before_mib: Math.round((peak - before.rss) / MIB),
  };
}

async function main() {
  const { s3, databaseUrl, wsProxy } = await startServers();
  const bucket = new S3Client(s3, { attempts: 3, baseDelayMs: 200, timeoutMs: 120_000 });
  const today = utcDay(new Date());
  const days = Array.from({ length: DAYS }, (_, i) => addDays(today, i - DAYS));
  console.log(`writing bronze for ${days[0]} to ${days.at(-1)}…`);
  const written = await writeBronze(bucket, days);
  console.log(`${written.toLocaleString("en-US")} events; running the ETL (etl run --pending)…`);
  const etlStarted = performance.now();
  await runEtl(s3, databaseUrl);
  console.log(`ETL done in ${((performance.now() - etlStarted) / 1000).toFixed(1)} s; starting the worker bundle…`);
  const worker = await startDeployedWorker({
    port: WORKER_PORT,
    s3,
    bundleDir: join(WORK, "worker-bundle"),
    sealKey: SEAL_SECRET,
    database: { url: databaseUrl, wsProxy },
  });
  cleanups.push(() => worker.dispose());
  const pid = workerdPid();
  const cookies = new Map<string, string>();
  for (const { name } of LEARNERS) cookies.set(name, await signUp(worker.url, name));
  // A first export warms the isolate (module load, JIT) so that the rounds compare exports alone.
  await measure(worker.url, cookies.get("bench-light") as string, "bench-light", 0, pid);
  const runs: ExportRun[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const { name } of round % 2 ? LEARNERS : [...LEARNERS].reverse()) {
      const run = await measure(worker.url, cookies.get(name) as string, name, round, pid);
      runs.push(run);
      console.log(
        `  ${name.padEnd(12)} ${run.events.toLocaleString("en-US").padStart(8)} events ${run.seconds.toFixed(2)} s ` +
          `${run.events_per_s.toLocaleString("en-US").padStart(7)} events/s ${run.mib_per_s} MiB/s  ` +
          `workerd RSS ${run.rss_before_mib} MiB before, peak ${run.peak_rss_mib} MiB (+${run.peak_over_before_mib})`,
      );
    }
  }
  const summary = LEARNERS.map(({ name, events }) => {
    const mine = runs.filter((r) => r.learner === name);
    return {
      learner: name,
      events: mine[0]?.events ?? events,
      seconds: median(mine.map((r) => r.seconds)),
      events_per_s: median(mine.map((r) => r.events_per_s)),
      mib_per_s: median(mine.map((r) => r.mib_per_s)),
      rss_before_mib: median(mine.map((r) => r.rss_before_mib)),
      peak_rss_mib: Math.max(...mine.map((r) => r.peak_rss_mib)),
      peak_over_before_mib: Math.max(...mine.map((r) => r.peak_over_before_mib)),
    };
  });
  console.log(`\nmedians of ${ROUNDS} rounds (peaks: the highest):`);
  for (const s of summary) {
    console.log(
      `  ${s.learner.padEnd(12)} ${s.events.toLocaleString("en-US").padStart(8)} events ${s.seconds.toFixed(2)} s ` +
        `${s.events_per_s.toLocaleString("en-US")} events/s ${s.mib_per_s} MiB/s, workerd RSS ${s.rss_before_mib} MiB ` +
        `before, peak ${s.peak_rss_mib} MiB (+${s.peak_over_before_mib})`,
    );
  }
  const path = writeResult("export", {
    config: {
      days: DAYS,
      filler_events_per_day: FILLER_PER_DAY,
      learners: LEARNERS,
      rounds: ROUNDS,
      bronze_events: written,
      postgres: process.env.DATABASE_URL?.trim() ? "DATABASE_URL" : "embedded PGlite",
    },
    summary,
    runs,
  });
  console.log(`\nwritten: ${path}`);
}

try {
  await main();
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
}
