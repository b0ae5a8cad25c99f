// npm run bench:etl [-- --events N] [--per-object N] [--rounds N] [--unsealed]
//
// Writes N generated events (default 1,000,000; 1% duplicate copies) as bronze objects of one day
// into the local S3 (bucket growit-bench; an s3rver is started on 127.0.0.1:9000 if none answers),
// sealed as the worker seals them, after the 29 days before it with 100,000 events each (absorbed
// first, untimed). It runs `etl run --date` on the day in a child process (Postgres: DATABASE_URL,
// an empty database migrated with `npm run migrate`, else an embedded PGlite), and prints events/s,
// seconds per stage and the ETL's peak RSS next to the floor measured in the same run: DuckDB alone
// reading the same JSONL from local disk, deduplicating and writing zstd Parquet, in one plain
// statement. Then the late-data case: 10,000 late events spread over those 29 days arrive in
// today's bronze, and the incremental run that absorbs them (`etl run --pending`, as the cron
// queues it) is timed and set against the day's run, and so is the later one that finds their
// partitions full (MAX_PARTITION_FILES) and compacts them. `--unsealed` writes the objects
// without seals, so that the ETL checks every line. The floor and the ETL run back to back `--rounds` times
// (default 3): the figures are medians, the ratios the median of each round's ratio (a machine's
// speed drifts over minutes). Results go to bench/results/etl.json.
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
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
  SILVER_ROW_GROUP_ROWS,
  SILVER_SORT,
  utcDay,
  uuidv7,
} from "@growit/contract";
import { memoryLimitFromEnv } from "../etl/src/config.ts";
import { dedupeSql } from "../etl/src/dedupe.ts";
import { openDuck } from "../etl/src/duck.ts";
import {
  bronzeFileName,
  loadCopies,
  MAX_PARTITION_FILES,
  mergeCopies,
  readBronzeSql,
  SILVER_SELECT,
} from "../etl/src/merge.ts";
import { queryable } from "../etl/src/postgres.ts";
import { answers, collectOutput } from "../stack/src/children.ts";
import { REPO_ROOT, S3 } from "../stack/src/local.ts";
import { migrate } from "../stack/src/migrate.ts";
import { withClient } from "../stack/src/pg-client.ts";
import { startEmbeddedPostgres } from "../stack/src/postgres.ts";
import { spawnS3Server } from "../stack/src/s3-server.ts";
import { EVENT_KINDS } from "./event-batch.ts";
import { median, writeResult } from "./results.ts";

const { values: args } = parseArgs({
  options: {
    events: { type: "string", default: "1000000" },
    "per-object": { type: "string", default: "10000" },
    unsealed: { type: "boolean", default: false },
    rounds: { type: "string", default: "3" },
  },
});
const EVENTS = Number(args.events);
/** The late-data case: days before the measured one, their events each, and the late events spread over them. */
const EARLIER_DAYS = 29;
const EARLIER_EVENTS = 100_000;
const LATE_EVENTS = 10_000;
const PER_OBJECT = Number(args["per-object"]);
const ROUNDS = Number(args.rounds);
const BUCKET = "growit-bench";
const WORK = join(REPO_ROOT, ".data", "bench", "etl");
const FLOOR_DIR = join(WORK, "floor");
const BENCH_PG_PORT = 5434;
const SEAL_SECRET = "growit-bench-seal";
const encoder = new TextEncoder();
/** The ETL's DuckDB memory limit (ETL_MEMORY_LIMIT or its default); the floor runs with it too. */
const MEMORY_LIMIT = memoryLimitFromEnv();

const s3Config = {
  endpoint: S3.endpoint,
  region: S3.region,
  bucket: BUCKET,
  accessKeyId: S3.accessKeyId,
  secretAccessKey: S3.secretAccessKey,
};
const bucket = new S3Client(s3Config, { attempts: 3, baseDelayMs: 200, timeoutMs: 120_000 });
const cleanups: Array<() => Promise<void>> = [];

async function ensureS3(): Promise<void> {
  if (await answers(`${S3.endpoint}/`)) {
    console.log(`using the S3 server on ${S3.endpoint}`);
  } else {
    const server = await spawnS3Server({ directory: join(WORK, "s3") });
    cleanups.push(() => server.close());
    console.log(`started an S3 server on ${server.endpoint}`);
  }
  const created = await bucket.send("", { method: "PUT" });
  await created.body?.cancel();
  for (const key of await bucket.list("")) await bucket.delete(key);
}

/** The Postgres the ETL publishes to: DATABASE_URL's, else an embedded PGlite started here. */
const EXTERNAL_POSTGRES = process.env.DATABASE_URL?.trim();
const POSTGRES = EXTERNAL_POSTGRES ? "DATABASE_URL" : "embedded PGlite";

async function ensurePostgres(): Promise<string> {
  if (EXTERNAL_POSTGRES) {
    await checkEmpty(EXTERNAL_POSTGRES);
    return EXTERNAL_POSTGRES;
  }
  const dir = join(WORK, "pg");
  rmSync(dir, { recursive: true, force: true });
  const pg = await startEmbeddedPostgres({ dataDir: dir, port: BENCH_PG_PORT });
  cleanups.push(() => pg.stop());
  await migrate(pg.url);
  return pg.url;
}

/**
 * Refuses a database that already holds what an ETL absorbed: the benchmark empties its bucket, and
 * such a database names bronze objects that are no longer there.
 */
async function checkEmpty(databaseUrl: string): Promise<void> {
  const held = await withClient(databaseUrl, (client) =>
    client.query<{ n: string }>("SELECT count(*) AS n FROM etl.bronze_objects").catch(() => null),
  );
  if (held === null) throw new Error("DATABASE_URL's database is not migrated: run `npm run migrate` against it first");
  if (Number(held.rows[0]?.n) > 0) {
    throw new Error(
      `DATABASE_URL's database already holds ${held.rows[0]?.n} absorbed bronze objects: give the benchmark an empty one (createdb, then \`npm run migrate\`)`,
    );
  }
}

interface BronzeBatch {
  /** The bronze day (received_at) of the objects. */
  day: string;
  events: number;
  /** When the n-th event was received (default: spread over the day). */
  receivedMs?: (n: number) => number;
  /** When the n-th event happened (default: as it was received). */
  eventMs?: (n: number) => number;
  /** Also write the objects as local files, for the floor. */
  floor?: boolean;
  /** Where ids and usernames start, so that batches do not share ids. */
  serial: number;
}

const mib = (bytes: number) => Math.round(bytes / 2 ** 20);

/** The bytes of a batch's JSON lines, and of its objects as stored (compressed). */
interface BronzeBytes {
  lines: number;
  stored: number;
}

/** Writes generated events as bronze objects received on `batch.day` (1% duplicate copies). */
async function writeBronze(batch: BronzeBatch): Promise<BronzeBytes> {
  if (batch.floor) {
    rmSync(FLOOR_DIR, { recursive: true, force: true });
    mkdirSync(FLOOR_DIR, { recursive: true });
  }
  const start = dayStart(batch.day);
  const step = 86_000_000 / batch.events;
  const receivedMs = batch.receivedMs ?? ((n: number) => Math.floor(start + n * step));
  let written = 0;
  const bytes: BronzeBytes = { lines: 0, stored: 0 };
  const puts: Promise<void>[] = [];
  const sealKey = args.unsealed ? null : await bronzeSealKey(SEAL_SECRET);
  for (let part = 0; written < batch.events; part++) {
    const lines: string[] = [];
    const firstMs = receivedMs(written);
    for (let i = 0; i < PER_OBJECT && written < batch.events; i++, written++) {
      const received = receivedMs(written);
      const ms = batch.eventMs ? batch.eventMs(written) : received;
      const n = batch.serial + written;
      const kind = EVENT_KINDS[n % EVENT_KINDS.length] as (typeof EVENT_KINDS)[number];
      const ts = new Date(ms).toISOString();
      const line = JSON.stringify({
        id: uuidv7(ms),
        ...kind,
        ts,
        client_ts: ts,
        username: n % 10 === 0 ? null : `user${n % 5000}`,
        received_at: new Date(received + 300).toISOString(),
        source: "web",
      });
      lines.push(line);
      // 1% duplicate copies (a client retry), in the same object.
      if (n % 100 === 1) lines.push(line);
    }
    const text = encoder.encode(`${lines.join("\n")}\n`);
    if (batch.floor) writeFileSync(bronzeFileName(FLOOR_DIR, part), text);
    const key = bronzeObjectKey(new Date(firstMs), uuidv7());
    const { body, headers } = await bronzeEventsObject(key, text, sealKey);
    bytes.lines += text.length;
    bytes.stored += body.length;
    puts.push(bucket.put(key, body, "application/x-ndjson", headers));
    if (puts.length >= 8) await Promise.all(puts.splice(0));
  }
  await Promise.all(puts);
  return bytes;
}

/**
 * The floor: DuckDB alone, in the one statement anyone would write first: local JSONL -> the
 * dedupe rule -> the day's silver Parquet (same columns, sorted, zstd), with the ETL's memory limit.
 * Also timed: the ETL's own refine step on the same files, which does the same work its own way.
 */
async function measureFloor(day: string): Promise<{ floor: number; refineAlone: number }> {
  const duck = await openDuck({ memoryLimit: MEMORY_LIMIT, tempDir: join(WORK, "floor-tmp") });
  const timed = async (work: () => Promise<unknown>) => {
    const started = performance.now();
    await work();
    return (performance.now() - started) / 1000;
  };
  try {
    const copies = `(SELECT id, type, ts, client_ts, username AS user_id, CAST(props AS VARCHAR) AS props, received_at,
      source, filename AS object_order FROM ${readBronzeSql(join(FLOOR_DIR, "*.jsonl"))})`;
    const floor = await timed(() =>
      duck.connection.run(`COPY (SELECT ${SILVER_SELECT} FROM (SELECT *, object_order AS bronze_object FROM (${dedupeSql(copies)}))
        WHERE CAST(ts AS DATE) = DATE '${day}' ORDER BY ${SILVER_SORT.join(", ")})
        TO '${join(WORK, "floor.parquet")}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${SILVER_ROW_GROUP_ROWS})`),
    );
    const files = readdirSync(FLOOR_DIR).map((name) => ({
      index: Number.parseInt(name, 10),
      key: name,
      path: join(FLOOR_DIR, name),
    }));
    const refineAlone = await timed(async () => {
      await loadCopies(duck.connection, FLOOR_DIR, files);
      await mergeCopies({
        connection: duck.connection,
        dir: join(WORK, "floor-tmp"),
        existingFiles: async () => new Map(),
        indexedFiles: async () => [],
      });
    });
    return { floor, refineAlone };
  } finally {
    duck.close();
  }
}

interface DayLog {
  msg: string;
  day?: string;
  silver_rows?: number;
  duplicates?: number;
  bytes?: number;
  stages?: Record<string, number>;
  run_seconds?: number;
  peak_rss_bytes?: number;
  bronze_objects?: number;
  sealed_objects?: number;
  error?: string;
}

/**
 * Runs the ETL CLI (`run --date day`, or `run --pending`) in a child process (its own RSS),
 * returning the "day done" log of `day`, which carries the whole run's time and stages.
 */
async function runEtl(
  day: string,
  databaseUrl: string,
  command: readonly string[] = ["run", "--date", day],
): Promise<{ wall: number; done: DayLog }> {
  const started = performance.now();
  // --json: its log lines on stdout even when the bench's stderr is a terminal.
  const cliArgs = [join(REPO_ROOT, "etl/src/cli.ts"), ...command, "--json"];
  const child = spawn(process.execPath, ["--import", "tsx", ...cliArgs], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      S3_ENDPOINT: s3Config.endpoint,
      S3_REGION: s3Config.region,
      S3_BUCKET: s3Config.bucket,
      S3_ACCESS_KEY_ID: s3Config.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3Config.secretAccessKey,
      DATABASE_URL: databaseUrl,
      ETL_TEMP_DIR: join(WORK, "etl-tmp"),
      BRONZE_SEAL_KEY: SEAL_SECRET,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const output = collectOutput(child.stdout);
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  const wall = (performance.now() - started) / 1000;
  const out = output();
  const logs = out
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as DayLog);
  const done = logs.find((l) => l.msg === "day done" && l.day === day);
  if (code !== 0 || !done) throw new Error(`etl exited ${code}: ${out.slice(-2000)}`);
  return { wall, done };
}

/**
 * A run's whole time, from its fetch to its exports (the stages overlap: the uploads go on beside
 * publish once gold is computed, and gold beside publishing's first statements). The `seconds` a
 * run records in etl.runs is taken as it records them, before its commit, so it leaves out the
 * exports.
 */
function runSeconds(log: DayLog): number {
  if (log.run_seconds === undefined) throw new Error(`the ETL's "day done" line for ${log.day} has no run_seconds`);
  return log.run_seconds;
}

const stagesText = (done: DayLog) =>
  Object.entries(done.stages ?? {})
    .map(([stage, s]) => `${stage} ${s.toFixed(2)}`)
    .join(", ");

/** The most silver files any of `days` holds. */
async function mostFilesOfEarlierDays(databaseUrl: string, days: readonly string[]): Promise<number> {
  const result = await withClient(databaseUrl, (client) =>
    client.query<{ files: number }>(
      "SELECT coalesce(max(files), 0)::int AS files FROM (SELECT count(*) AS files FROM etl.silver_files WHERE event_date = ANY($1::date[]) GROUP BY event_date) f",
      [days],
    ),
  );
  return result.rows[0]?.files ?? 0;
}

/** Queues a run of `day`, as the cron does when bronze arrives. */
async function queueRun(databaseUrl: string, day: string): Promise<void> {
  await withClient(databaseUrl, (client) => enqueueRun(queryable(client), day, "incremental"));
}

async function main() {
  const databaseUrl = await ensurePostgres();
  await ensureS3();
  const today = utcDay(new Date());
  const day = addDays(today, -1);
  const earlier = Array.from({ length: EARLIER_DAYS }, (_, i) => addDays(day, -1 - i));
  console.log(
    `writing ${EARLIER_EVENTS.toLocaleString("en-US")} events for each of the ${EARLIER_DAYS} days before ${day}…`,
  );
  for (const [i, d] of earlier.entries())
    await writeBronze({ day: d, events: EARLIER_EVENTS, serial: (i + 1) * 10_000_000 });
  await queueRun(databaseUrl, today);
  await runEtl(today, databaseUrl, ["run", "--pending"]);
  console.log(`writing ${EVENTS.toLocaleString("en-US")} events (${PER_OBJECT} per object) as bronze of ${day}…`);
  const bronzeBytes = await writeBronze({ day, events: EVENTS, floor: true, serial: 0 });
  const rounds: Array<{
    floor: number;
    refineAlone: number;
    seconds: number;
    wall: number;
    done: DayLog;
    late: DayLog;
  }> = [];
  /** Late events for the earlier days, received over the last minute, and the run that absorbs them. */
  const lateRun = async (round: number) => {
    const now = Date.now();
    await writeBronze({
      day: today,
      events: LATE_EVENTS,
      serial: 1_000_000_000 + round * LATE_EVENTS,
      receivedMs: (n) => now - 60_000 + Math.floor((n * 60_000) / LATE_EVENTS),
      eventMs: (n) => Date.parse(`${earlier[n % EARLIER_DAYS]}T12:00:00Z`) + n,
    });
    await queueRun(databaseUrl, today);
    return (await runEtl(today, databaseUrl, ["run", "--pending"])).done;
  };
  for (let round = 1; round <= ROUNDS; round++) {
    const { floor, refineAlone } = await measureFloor(day);
    const { wall, done } = await runEtl(day, databaseUrl);
    const seconds = runSeconds(done);
    const late = await lateRun(round);
    rounds.push({ floor, refineAlone, seconds, wall, done, late });
    console.log(
      `round ${round}: floor ${floor.toFixed(2)} s, ETL ${seconds.toFixed(2)} s (${(seconds / floor).toFixed(2)}x; ` +
        `${stagesText(done)}), refine step alone ${refineAlone.toFixed(2)} s; ` +
        `late run ${runSeconds(late).toFixed(2)} s (${(runSeconds(late) / seconds).toFixed(2)} of the day's; ${stagesText(late)})`,
    );
  }
  const floor = median(rounds.map((r) => r.floor));
  const refineAlone = median(rounds.map((r) => r.refineAlone));
  const seconds = median(rounds.map((r) => r.seconds));
  const ratio = median(rounds.map((r) => r.seconds / r.floor));
  const lateSeconds = median(rounds.map((r) => runSeconds(r.late)));
  const lateShare = median(rounds.map((r) => runSeconds(r.late) / r.seconds));
  // Stages and counts of the round whose ETL time is nearest the median.
  const { wall, done } = rounds.reduce((best, r) =>
    Math.abs(r.seconds - seconds) < Math.abs(best.seconds - seconds) ? r : best,
  );
  const goldShare = median(rounds.map((r) => (r.done.stages?.gold ?? 0) / r.seconds));
  // More late runs, until the one that finds the earlier days' partitions full and compacts them.
  let compacting: DayLog | null = null;
  for (let round = ROUNDS + 1; compacting === null; round++) {
    if (round > ROUNDS + MAX_PARTITION_FILES) throw new Error("no late run compacted the earlier days' partitions");
    const full = (await mostFilesOfEarlierDays(databaseUrl, earlier)) >= MAX_PARTITION_FILES;
    const late = await lateRun(round);
    if (full) compacting = late;
  }
  const compactingSeconds = runSeconds(compacting);
  const peakRssMib = mib(Math.max(...rounds.map((r) => r.done.peak_rss_bytes ?? 0)));
  console.log(
    [
      `\nmedians of ${ROUNDS} rounds (Postgres: ${POSTGRES}):`,
      `floor (DuckDB alone, local JSONL -> Parquet): ${floor.toFixed(2)} s`,
      `the ETL's refine step alone on the same files: ${refineAlone.toFixed(2)} s`,
      `etl run --date ${day}: ${seconds.toFixed(2)} s from fetch to exports (${wall.toFixed(2)} s with process start)`,
      `  ${Math.round(EVENTS / seconds).toLocaleString("en-US")} events/s; ${ratio.toFixed(2)}x the floor (target: at most 1.5x)`,
      `  stages (s): ${stagesText(done)}`,
      `  gold step: ${(done.stages?.gold ?? 0).toFixed(2)} s, ${(goldShare * 100).toFixed(1)}% of the run (target: at most 10%)`,
      `  silver rows ${done.silver_rows}, duplicates ${done.duplicates}, bronze ${mib(bronzeBytes.lines)} MiB of JSON lines, ${mib(bronzeBytes.stored)} MiB stored`,
      `  bronze objects taken as checked on their seal: ${done.sealed_objects}`,
      `  peak RSS ${peakRssMib} MiB (highest of the rounds)`,
      `late data: ${LATE_EVENTS.toLocaleString("en-US")} events over the ${EARLIER_DAYS} days before, each holding ${EARLIER_EVENTS.toLocaleString("en-US")}:`,
      `  the incremental run that absorbs them: ${lateSeconds.toFixed(2)} s, ${lateShare.toFixed(2)} of the day's run (target: at most 0.25)`,
      `  the one that finds their partitions at ${MAX_PARTITION_FILES} files and compacts them: ${compactingSeconds.toFixed(2)} s, ` +
        `${(compactingSeconds / seconds).toFixed(2)} of the day's run (${stagesText(compacting)})`,
    ].join("\n"),
  );
  const round2 = (n: number) => Math.round(n * 100) / 100;
  const path = writeResult("etl", {
    config: {
      postgres: POSTGRES,
      events: EVENTS,
      per_object: PER_OBJECT,
      duplicate_share: 0.01,
      memory_limit: MEMORY_LIMIT,
      sealed: !args.unsealed,
      rounds: ROUNDS,
    },
    bronze_mib: mib(bronzeBytes.lines),
    bronze_stored_mib: mib(bronzeBytes.stored),
    floor_s: round2(floor),
    refine_alone_s: round2(refineAlone),
    etl_s: seconds,
    etl_wall_s: round2(wall),
    ratio_to_floor: round2(ratio),
    gold_share: round2(goldShare),
    rounds: rounds.map((r) => ({
      floor_s: round2(r.floor),
      etl_s: r.seconds,
      ratio: round2(r.seconds / r.floor),
      late_s: round2(runSeconds(r.late)),
      late_stages_s: r.late.stages,
    })),
    late: {
      events: LATE_EVENTS,
      days: EARLIER_DAYS,
      events_per_day: EARLIER_EVENTS,
      run_s: lateSeconds,
      share_of_day_run: round2(lateShare),
      compacting_run_s: compactingSeconds,
      compacting_share_of_day_run: round2(compactingSeconds / seconds),
    },
    events_per_s: Math.round(EVENTS / seconds),
    stages_s: done.stages,
    silver_rows: done.silver_rows,
    sealed_objects: done.sealed_objects,
    duplicates: done.duplicates,
    peak_rss_mib: peakRssMib,
  });
  console.log(`\nwritten: ${path}`);
}

try {
  await main();
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(FLOOR_DIR, { recursive: true, force: true });
}
