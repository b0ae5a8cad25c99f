// npm run bench:dashboard [-- --runs N] [--events N] [--regenerate]
//
// The analyst dashboard at scale: a 1M-row mart, 5M silver events (or --events) over the last
// 30 days and the gold marts, generated straight into the local S3 as Parquet with DuckDB in
// Node (not through the ETL), with a matching exports manifest. Then, in Chromium: N cold loads
// of /dashboard (each in a fresh browser context, so an empty HTTP cache) timing the first
// chart, every panel's chart and query, and the seed's three queries run warm in the SQL
// console. Results go to bench/results/dashboard-<events>.json.
//
// It starts its own stack (data in .data/bench/dashboard/, kept between runs and regenerated
// when stale) and refuses to run beside another: it replaces the exports in the bucket.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  DAILY_EVENTS_COLUMNS,
  EXPORT_KEYS,
  exportSelect,
  GOLD_MART_NAMES,
  type GoldMart,
  goldMartKey,
  type ManifestFile,
  S3 as S3Client,
  SILVER_ROW_GROUP_ROWS,
  SILVER_SORT,
  silverFileKey,
  sqlString,
  utcDayFromToday,
} from "@growit/contract";
import type { ElementHandle, Page } from "playwright-core";
import { launchChromium } from "../e2e/browser.ts";
import { openDuck } from "../etl/src/duck.ts";
import { answers, waitForOk } from "../stack/src/children.ts";
import { REPO_ROOT, S3, WORKER } from "../stack/src/local.ts";
import { localStackEnv } from "../stack/src/stack-process.ts";
import { dayUsers, eventsPerDay, topUsers } from "../web/src/lib/dashboard/queries.ts";
import { startLogged, stopAll } from "./processes.ts";
import { median, writeResult } from "./results.ts";

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    events: { type: "string", default: "5000000" },
    regenerate: { type: "boolean", default: false },
  },
});
const RUNS = Number(args.runs);
const WARM_REPEATS = 5;
const DAYS = 30;
/** 30 days x 33,334 users a day = 1,000,020 mart rows. */
const USERS_PER_DAY = 33_334;
const USERS = 50_000;
const SILVER_EVENTS = Number(args.events);
const WORK = join(REPO_ROOT, ".data", "bench", "dashboard");
const STACK_DATA = join(WORK, "stack");
const SCRATCH = join(WORK, "parquet");
const LOGS = join(REPO_ROOT, ".data", "bench", "logs");
const VIEWS = [
  "events-per-day",
  "top-users",
  "day-users",
  "recommendations-by-category",
  "recommendations-by-position",
  "search-success",
  "zero-result-queries",
  "active-learners",
  "retention",
  "activity-by-interest",
  "events-by-type",
  "events-by-category",
];
/** The stages the warehouse marks while it loads (absent before the dashboard marked them). */
const STAGES = ["dashboard:manifest", "dashboard:engine", "dashboard:marts", "dashboard:events"];
const TARGETS = { every_panel_cold_ms: 1_500, seed_query_warm_ms: 50 };
const round = (ms: number | undefined) => (ms === undefined ? null : Math.round(ms));

const bucket = new S3Client({ ...S3 }, { attempts: 3, baseDelayMs: 200, timeoutMs: 120_000 });

async function startStack(): Promise<void> {
  if (await answers(WORKER.healthUrl)) {
    throw new Error(
      `a stack already answers on ${WORKER.url}: stop it; this benchmark runs its own and replaces its exports`,
    );
  }
  if (!existsSync(join(REPO_ROOT, "web/build/index.html"))) {
    throw new Error("no web/build: run `npm run build -w web` first");
  }
  const log = join(LOGS, "dashboard-stack.log");
  console.log(`starting a stack with data in ${STACK_DATA}; log: ${log}`);
  // Local mode (embedded Postgres, its own S3): outside settings must not leak into it.
  // Through node itself, as `npm start` does: the tsx command kills its child when a signal is not
  // confirmed within moments, which would leave wrangler dev running after the benchmark.
  const stack = startLogged(process.execPath, ["--import", "tsx", "stack/src/start.ts"], {
    cwd: REPO_ROOT,
    env: localStackEnv(STACK_DATA),
    log,
  });
  await waitForOk(WORKER.healthUrl, { timeoutMs: 180_000, children: [stack], describe: () => `see ${log}` });
}

/** The manifest in the bucket, if it describes today's generated data set. */
async function currentManifest(): Promise<ManifestFile[] | null> {
  try {
    const manifest = JSON.parse(await bucket.getText(EXPORT_KEYS.manifest)) as { files: ManifestFile[] };
    const mart = manifest.files.find((f) => f.key === EXPORT_KEYS.dailyEvents);
    const silver = manifest.files.filter((f) => f.key.startsWith("silver/"));
    const fresh = silver.some((f) => f.key === silverFileKey(utcDayFromToday(-1), "0"));
    const silverRows = silver.reduce((n, f) => n + f.rows, 0);
    const gold = GOLD_MART_NAMES.every((name) => manifest.files.some((f) => f.key === goldMartKey(name)));
    return mart?.rows === DAYS * USERS_PER_DAY &&
      silver.length === DAYS &&
      silverRows === SILVER_EVENTS &&
      fresh &&
      gold
      ? manifest.files
      : null;
  } catch {
    return null;
  }
}

async function upload(key: string, path: string, rows: number, generatedAt: string): Promise<ManifestFile> {
  const body = new Uint8Array(readFileSync(path));
  await bucket.put(key, body, "application/vnd.apache.parquet");
  const sha256 = createHash("sha256").update(body).digest("hex");
  return { key, bytes: body.length, rows, sha256, generated_at: generatedAt };
}

/**
 * The mart (day, user, cnt) for the 30 days before today, and silver events that match it: each
 * mart row's cnt events for its user, plus anonymous events up to 5M in all. Written as the ETL
 * writes them (zstd, silver sorted by SILVER_SORT in SILVER_ROW_GROUP_ROWS row groups).
 */
async function generate(): Promise<ManifestFile[]> {
  rmSync(SCRATCH, { recursive: true, force: true });
  mkdirSync(SCRATCH, { recursive: true });
  const duck = await openDuck({ memoryLimit: "1GB", tempDir: join(SCRATCH, "tmp") });
  const { connection } = duck;
  const first = utcDayFromToday(-DAYS);
  const generatedAt = new Date().toISOString();
  const files: ManifestFile[] = [];
  try {
    // (u * 7 + d * 1013) mod 50,000 is one-to-one in u, so each day has 33,334 distinct users.
    await connection.run(`CREATE TABLE mart AS
      SELECT DATE ${sqlString(first)} + d::INTEGER AS event_date,
             printf('user%05d', (u * 7 + d * 1013) % ${USERS}) AS user_id,
             (1 + (u * 31 + d * 17) % 8)::BIGINT AS cnt
      FROM range(${DAYS}) days(d), range(${USERS_PER_DAY}) users(u)`);
    const named = Number((await connection.runAndReadAll("SELECT sum(cnt) FROM mart")).getRows()[0]?.[0]);
    const anonymousPerDay = Math.floor((SILVER_EVENTS - named) / DAYS);
    const martPath = join(SCRATCH, "daily_events.parquet");
    await connection.run(
      `COPY (SELECT ${exportSelect(DAILY_EVENTS_COLUMNS)} FROM mart ORDER BY event_date, user_id) TO ${sqlString(martPath)} (FORMAT parquet, COMPRESSION zstd)`,
    );
    files.push(await upload(EXPORT_KEYS.dailyEvents, martPath, DAYS * USERS_PER_DAY, generatedAt));
    console.log(`  mart: ${DAYS * USERS_PER_DAY} rows, ${(files[0]?.bytes ?? 0) / 1e6} MB`);

    let silverTotal = 0;
    for (let d = 0; d < DAYS; d++) {
      const day = utcDayFromToday(-DAYS + d);
      // The last day takes the remainder, so that silver holds exactly SILVER_EVENTS events.
      const anonymous = d === DAYS - 1 ? SILVER_EVENTS - named - anonymousPerDay * (DAYS - 1) : anonymousPerDay;
      const path = join(SCRATCH, `silver-${day}.parquet`);
      await connection.run(`COPY (
        WITH raw AS (
          SELECT m.user_id, i.i AS n FROM mart m, range(m.cnt) i(i) WHERE m.event_date = DATE ${sqlString(day)}
          UNION ALL SELECT NULL, i FROM range(${anonymous}) a(i)
        ), typed AS (
          SELECT user_id, n, (hash(user_id, n) % 1000000007)::BIGINT AS h,
                 ['page_view', 'search_query', 'category_recommendation', 'video_open', 'course_open'][1 + n % 5] AS type
          FROM raw
        ), events AS (
          SELECT uuid()::VARCHAR AS id, type,
                 DATE ${sqlString(day)} + to_seconds((h % 86400)::BIGINT) AS ts,
                 DATE ${sqlString(day)} AS event_date, user_id,
                 CASE WHEN type = 'page_view' THEN NULL
                      ELSE ['data', 'ai', 'cloud', 'design', 'business'][1 + (h // 86400) % 5] END AS category,
                 CASE WHEN type = 'search_query' THEN 'query ' || (h % 100) END AS query
          FROM typed
        )
        SELECT id, type, ts, ts AS client_ts, event_date, user_id,
               CASE type WHEN 'page_view' THEN json_object('path', '/')
                         WHEN 'search_query' THEN json_object('query', query, 'category', category)
                         ELSE json_object('category', category) END::VARCHAR AS props,
               category, query, ts + INTERVAL 1 SECOND AS received_at, 'web' AS source,
               'bronze/app/generated.jsonl' AS bronze_object
        FROM events ORDER BY ${SILVER_SORT.join(", ")}
      ) TO ${sqlString(path)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${SILVER_ROW_GROUP_ROWS})`);
      const rows = Number(
        (await connection.runAndReadAll(`SELECT count(*) FROM read_parquet(${sqlString(path)})`)).getRows()[0]?.[0],
      );
      files.push(await upload(silverFileKey(day, "0"), path, rows, generatedAt));
      silverTotal += rows;
    }
    const silverBytes = files.slice(1).reduce((n, f) => n + f.bytes, 0);
    console.log(`  silver: ${silverTotal} events in ${DAYS} partitions, ${(silverBytes / 1e6).toFixed(1)} MB`);
    const silverPaths = Array.from({ length: DAYS }, (_, d) =>
      sqlString(join(SCRATCH, `silver-${utcDayFromToday(-DAYS + d)}.parquet`)),
    );
    await connection.run(`CREATE VIEW silver AS SELECT * FROM read_parquet([${silverPaths.join(", ")}])`);
    for (const [name, sql] of Object.entries(goldQueries(first))) {
      const path = join(SCRATCH, `${name}.parquet`);
      await connection.run(`COPY (${sql}) TO ${sqlString(path)} (FORMAT parquet, COMPRESSION zstd)`);
      const rows = Number(
        (await connection.runAndReadAll(`SELECT count(*) FROM read_parquet(${sqlString(path)})`)).getRows()[0]?.[0],
      );
      files.push(await upload(goldMartKey(name as GoldMart), path, rows, generatedAt));
      console.log(`  gold ${name}: ${rows} rows`);
    }
  } finally {
    duck.close();
    rmSync(SCRATCH, { recursive: true, force: true });
  }
  const manifest = { generated_at: generatedAt, files };
  await bucket.put(EXPORT_KEYS.manifest, `${JSON.stringify(manifest, null, 2)}\n`, "application/json");
  return files;
}

/**
 * The gold marts of the generated data: events by type and category counted from its silver,
 * the rest made up at the sizes a month of a busy site gives (lists in 5 categories opened at
 * 20 positions, 2,000 queries that found nothing a day, 5 weekly cohorts, 5 interests).
 */
function goldQueries(first: string): Record<GoldMart, string> {
  const days = `(SELECT DATE ${sqlString(first)} + d::INTEGER AS event_date, d FROM range(${DAYS}) t(d))`;
  const categories = "unnest(['data', 'ai', 'cloud', 'design', 'business'])";
  return {
    daily_type_events: `SELECT event_date, type, count(*)::BIGINT AS events, count(DISTINCT user_id)::BIGINT AS learners
      FROM silver GROUP BY ALL ORDER BY ALL`,
    daily_category_events: `SELECT event_date, category, type, count(*)::BIGINT AS events, count(DISTINCT user_id)::BIGINT AS learners
      FROM silver WHERE category IS NOT NULL GROUP BY ALL ORDER BY ALL`,
    recommendation_daily: `SELECT event_date, category, (20000 + d * 37)::BIGINT AS requests, (3000 + d * 11)::BIGINT AS opens
      FROM ${days}, (SELECT ${categories} AS category) ORDER BY ALL`,
    recommendation_positions: `SELECT event_date, category, p::INTEGER AS position, (3000 // p)::BIGINT AS opens
      FROM ${days}, (SELECT ${categories} AS category), range(1, 21) t(p) ORDER BY ALL`,
    search_daily: `SELECT event_date, (40000 + d * 53)::BIGINT AS searches, (6000 + d * 7)::BIGINT AS zero_result,
      (15000 + d * 13)::BIGINT AS opens FROM ${days} ORDER BY ALL`,
    zero_result_queries: `SELECT event_date, 'query ' || q AS query, (1 + (q * 7 + d) % 40)::BIGINT AS searches
      FROM ${days}, range(2000) t(q) ORDER BY ALL`,
    retention_weekly: `SELECT DATE ${sqlString(first)} - (isodow(DATE ${sqlString(first)}) - 1)::INTEGER + (7 * c)::INTEGER AS cohort_week,
      o::INTEGER AS week_offset, (20000 // (1 + o))::BIGINT AS learners
      FROM range(5) a(c), range(5) b(o) WHERE c + o < 5 ORDER BY ALL`,
    interest_daily: `SELECT event_date, interest, (6000 + d * 3)::BIGINT AS learners, (30000 + d * 17)::BIGINT AS events
      FROM ${days}, (SELECT ${categories} AS interest) ORDER BY ALL`,
  };
}

interface ColdLoad {
  first_chart_ms: number | null;
  all_charts_ms: number | null;
  charts_ms: Record<string, number | null>;
  queries_ms: Record<string, number | null>;
  stages_ms: Record<string, number | null>;
}

/** Marks and measures the dashboard records, relative to the navigation's start. */
async function readTimings(page: Page): Promise<ColdLoad> {
  // Plain data out of the page: tsx's helpers do not exist there, so no functions are defined inside.
  const entries = await page.evaluate(
    (names) => names.map((name) => performance.getEntriesByName(name)[0]?.toJSON()),
    [...VIEWS.map((v) => `chart:${v}`), ...VIEWS.map((v) => `query:${v}`), ...STAGES],
  );
  const charts = Object.fromEntries(VIEWS.map((v, i) => [v, entries[i]?.startTime ?? null]));
  const queries = Object.fromEntries(VIEWS.map((v, i) => [v, entries[VIEWS.length + i]?.duration ?? null]));
  const drawn = Object.values(charts).filter((t): t is number => t !== null);
  return {
    first_chart_ms: charts["events-per-day"] ?? null,
    all_charts_ms: drawn.length === VIEWS.length ? Math.max(...drawn) : null,
    charts_ms: charts,
    queries_ms: queries,
    stages_ms: Object.fromEntries(STAGES.map((s, i) => [s, entries[2 * VIEWS.length + i]?.startTime ?? null])),
  };
}

/**
 * Runs `sql` in the SQL console's query `box` (Ctrl-Enter) and returns DuckDB's time for it. The
 * box is found once, by the caller: finding it by its label at every action scans the whole page
 * on its main thread, beside the query being timed.
 */
async function consoleQuery(page: Page, box: ElementHandle, sql: string): Promise<number> {
  const before = await page.evaluate(() => performance.getEntriesByName("query:console").length);
  await box.fill(sql);
  await box.press("Control+Enter");
  await page.waitForFunction((n) => performance.getEntriesByName("query:console").length > n, before);
  return page.evaluate(() => performance.getEntriesByName("query:console").at(-1)?.duration ?? Number.NaN);
}

async function main(): Promise<void> {
  await startStack();
  let files = args.regenerate ? null : await currentManifest();
  if (files) console.log("reusing today's generated data set");
  else {
    console.log(`generating ${DAYS * USERS_PER_DAY} mart rows and ${SILVER_EVENTS} silver events into S3...`);
    const started = performance.now();
    files = await generate();
    console.log(`  generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }

  const browser = await launchChromium();
  const loads: ColdLoad[] = [];
  const warm: Record<string, number[]> = {};
  try {
    for (let run = 1; run <= RUNS; run++) {
      const context = await browser.newContext({
        baseURL: WORKER.url,
        locale: "en-US",
        viewport: { width: 1280, height: 900 },
      });
      const login = await context.request.post("/api/auth/login", {
        data: { username: "analyst", password: "growit-analyst" },
      });
      if (login.status() !== 200) throw new Error(`analyst login answered HTTP ${login.status()}`);
      const page = await context.newPage();
      await page.goto("/dashboard");
      for (const view of VIEWS) await page.locator(`#${view} [data-chart] svg`).first().waitFor({ timeout: 300_000 });
      // The SQL console is ready once the `events` view exists, after the panels.
      await page.waitForFunction(() => performance.getEntriesByName("dashboard:events").length > 0, undefined, {
        timeout: 300_000,
      });
      const load = await readTimings(page);
      loads.push(load);
      console.log(
        `cold load ${run}: first chart ${round(load.first_chart_ms ?? undefined)} ms, all charts ${round(load.all_charts_ms ?? undefined)} ms; queries ${VIEWS.map((v) => `${v} ${round(load.queries_ms[v] ?? undefined)}`).join(", ")} ms; stages ${STAGES.map((s) => `${s} ${round(load.stages_ms[s] ?? undefined)}`).join(", ")} ms`,
      );
      if (run === RUNS) {
        const range = { from: utcDayFromToday(-30), to: utcDayFromToday(0) };
        const seeds = {
          "1 events per day (7 days)": eventsPerDay(range),
          "2 top 5 users (30 days)": topUsers(range),
          "3 users of yesterday with categories": dayUsers(utcDayFromToday(-1), [
            silverFileKey(utcDayFromToday(-1), "0"),
          ]),
        };
        const box = await page.getByLabel("SQL query").elementHandle();
        if (!box) throw new Error("the SQL console has no query box");
        for (const [name, sql] of Object.entries(seeds)) {
          await consoleQuery(page, box, sql);
          warm[name] = [];
          for (let i = 0; i < WARM_REPEATS; i++) warm[name].push(await consoleQuery(page, box, sql));
        }
      }
      await context.close();
    }
  } finally {
    await browser.close();
  }

  const firstChart = median(loads.map((l) => l.first_chart_ms ?? Number.NaN));
  const queries = Object.fromEntries(
    VIEWS.map((v) => [v, round(median(loads.map((l) => l.queries_ms[v] ?? Number.NaN)))]),
  );
  const warmMedians = Object.fromEntries(
    Object.entries(warm).map(([name, ms]) => [name, Math.round(median(ms) * 10) / 10]),
  );
  const allCharts = median(loads.map((l) => l.all_charts_ms ?? Number.NaN));
  const charts = Object.fromEntries(
    VIEWS.map((v) => [v, round(median(loads.map((l) => l.charts_ms[v] ?? Number.NaN)))]),
  );
  console.log(
    `\nmedian of ${RUNS} cold loads, ${SILVER_EVENTS} silver events (target: every panel within ${TARGETS.every_panel_cold_ms} ms):`,
  );
  console.log(`  first chart ${Math.round(firstChart)} ms, all panels ${Math.round(allCharts)} ms`);
  for (const view of VIEWS)
    console.log(`  ${view.padEnd(28)} chart at ${charts[view]} ms, query ${queries[view]} ms (queueing included)`);
  console.log(`seed queries warm, median of ${WARM_REPEATS} (target ${TARGETS.seed_query_warm_ms} ms):`);
  for (const [name, ms] of Object.entries(warmMedians)) console.log(`  ${name.padEnd(40)} ${ms} ms`);
  const path = writeResult(`dashboard-${SILVER_EVENTS}`, {
    data: {
      mart_rows: files.find((f) => f.key === EXPORT_KEYS.dailyEvents)?.rows,
      silver_events: files.filter((f) => f.key.startsWith("silver/")).reduce((n, f) => n + f.rows, 0),
      silver_partitions: files.filter((f) => f.key.startsWith("silver/")).length,
      bytes: Object.fromEntries(files.map((f) => [f.key, f.bytes])),
    },
    targets: TARGETS,
    summary: {
      first_chart_cold_ms: Math.round(firstChart),
      all_panels_cold_ms: Math.round(allCharts),
      panel_charts_cold_ms: charts,
      view_queries_cold_ms: queries,
      seed_queries_warm_ms: warmMedians,
    },
    cold_loads: loads,
    warm_ms: warm,
  });
  console.log(`\nwritten: ${path}`);
}

try {
  await main();
} finally {
  await stopAll();
}
