// The soak test (issue 7): K simulated browsers run the real event SDK against the worker
// under wrangler dev for SOAK_SECONDS, while the S3 server is stopped and restarted twice
// and the worker restarted once. The SDK keeps and retries; then the ETL runs and every
// event must be in silver exactly once and counted in the mart exactly once.
//
//   npm run test:soak                      # 8 browsers x 50 events/s x 60 s (and the sustained test)
//   SOAK_BROWSERS=4 SOAK_SECONDS=30 SOAK_RATE=20 npm run test:soak
//
// Not part of `npm test`. It starts its own stack on ports of its own (soak/stack.ts).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { utcDay } from "@growit/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimulatedBrowser, signUpAndLogIn, simulatedBrowser } from "./browser.ts";
import { numberFromEnv } from "./env.ts";
import { type SoakStack, sleep, startSoakStack } from "./stack.ts";
import { martTotal, readBronze, readSilver, runEtl } from "./verify.ts";

const BROWSERS = Math.round(numberFromEnv("SOAK_BROWSERS", 8));
const SECONDS = numberFromEnv("SOAK_SECONDS", 60);
/** Events per second per browser. */
const RATE = numberFromEnv("SOAK_RATE", 50);
/** How long each S3 outage lasts. */
const OUTAGE_MS = numberFromEnv("SOAK_OUTAGE_SECONDS", 5) * 1000;
/** The bound on emptying every queue after the load. */
const DRAIN_MS = numberFromEnv("SOAK_DRAIN_SECONDS", 240) * 1000;
/** A quarter of the browsers (2 of 8) stay anonymous. */
const ANONYMOUS = Math.floor(BROWSERS / 4);
const TICK_MS = 100;

const dir = mkdtempSync(join(tmpdir(), "growit-soak-"));
let stack: SoakStack | undefined;
const browsers: SimulatedBrowser[] = [];
let failed = true;

beforeAll(async () => {
  stack = await startSoakStack(dir);
  const run = Date.now().toString(36);
  for (let b = 0; b < BROWSERS; b++) {
    const anonymous = b >= BROWSERS - ANONYMOUS;
    const username = anonymous ? null : `soak${run}-${b}`;
    const cookie = username ? await signUpAndLogIn(stack.workerUrl, username) : null;
    browsers.push(simulatedBrowser({ name: `browser ${b}`, workerUrl: stack.workerUrl, username, cookie }));
  }
});

afterAll(async () => {
  for (const browser of browsers) browser.close();
  await stack?.stop();
  if (failed || process.env.SOAK_KEEP) console.log(`[soak] data kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
});

describe("soak: the SDK under load while S3 and the worker go away and come back", () => {
  it("loses nothing and counts every event exactly once", async () => {
    if (!stack) throw new Error("no stack");
    const soak = stack;
    const t0 = Date.now();
    const at = () => ((Date.now() - t0) / 1000).toFixed(1);
    const chaosLog: string[] = [];
    const note = (what: string) => chaosLog.push(`${at()} s  ${what}`);
    let outages = 0;
    let workerRestarts = 0;
    let maxQueued = 0;
    const healthDuringOutages: string[] = [];

    // The load: every tick, each browser tracks what its rate owes since the start, in one task.
    let loadTimer: ReturnType<typeof setInterval> | undefined;
    const load = new Promise<void>((resolve) => {
      loadTimer = setInterval(() => {
        const elapsed = Math.min(SECONDS, (Date.now() - t0) / 1000);
        for (const browser of browsers) {
          browser.track(Math.floor(RATE * elapsed) - browser.tracked);
          maxQueued = Math.max(maxQueued, browser.tracker.stats().queued);
        }
        if (elapsed >= SECONDS) {
          clearInterval(loadTimer);
          resolve();
        }
      }, TICK_MS);
    });

    // The chaos, one step after another at fixed points of the run (with a short run, the
    // steps may outlast the load: the test then waits for them).
    const until = (fraction: number) => sleep(Math.max(0, t0 + fraction * SECONDS * 1000 - Date.now()));
    const s3Outage = async () => {
      note("S3 server stopping");
      await soak.stopS3();
      outages++;
      // The worker's health names S3, and only S3, as down: it uses this S3 server and this Postgres.
      const health = await fetch(`${soak.workerUrl}/api/health`, { signal: AbortSignal.timeout(10_000) });
      healthDuringOutages.push(`${health.status} ${((await health.json()) as { status: string }).status}`);
      note(`S3 server down (worker health: ${healthDuringOutages.at(-1)})`);
      await sleep(OUTAGE_MS);
      await soak.startS3();
      note("S3 server up again");
    };
    const chaos = (async () => {
      await until(0.15);
      await s3Outage();
      await until(0.4);
      note("worker restarting");
      await soak.restartWorker();
      workerRestarts++;
      note("worker answering /api/health again");
      await until(0.7);
      await s3Outage();
    })();

    try {
      await Promise.all([load, chaos]);
    } finally {
      clearInterval(loadTimer);
    }
    const loadSeconds = (Date.now() - t0) / 1000;
    note("load and chaos over");

    // Every queue empties on its own (batch timer, retry backoff), within the bound.
    const drainStart = Date.now();
    const queued = () => browsers.reduce((n, b) => n + b.tracker.stats().queued, 0);
    while (queued() > 0 && Date.now() - drainStart < DRAIN_MS) await sleep(250);
    const drainSeconds = (Date.now() - drainStart) / 1000;
    note(`queues drained (${queued()} left)`);
    const tEnd = Date.now();

    // Bronze, then the ETL for the days involved, then silver and the mart.
    const bronze = await readBronze(soak.bucket);
    // Today, and yesterday too if the run crossed midnight (UTC).
    const days = [...new Set([...bronze.days, utcDay(new Date(t0)), utcDay(new Date(tEnd))])].sort();
    const etlStart = Date.now();
    for (const day of days) await runEtl(day, soak.etlEnv);
    const etlSeconds = (Date.now() - etlStart) / 1000;
    const silver = await readSilver(soak.bucket, join(dir, "silver"));
    const mart = await martTotal(soak.databaseUrl);

    // The figures.
    const sum = (f: (b: SimulatedBrowser) => number) => browsers.reduce((n, b) => n + f(b), 0);
    const status = (code: number) => sum((b) => b.stats.statuses.get(code) ?? 0);
    const tracked = sum((b) => b.tracked);
    const loggedIn = browsers.filter((b) => b.username !== null);
    const usernames = new Set(loggedIn.map((b) => b.username));
    const bronzeIds = new Set(bronze.lines.map((e) => e.id));
    const userIds = new Set(bronze.lines.filter((e) => e.username !== null).map((e) => e.id));
    const serverIds = new Set(
      bronze.lines.filter((e) => e.source === "server" && usernames.has(e.username)).map((e) => e.id),
    );
    const figures = {
      browsers: `${BROWSERS} (${ANONYMOUS} anonymous)`,
      rate_per_browser: RATE,
      seconds_of_load: SECONDS,
      events_sent: tracked,
      distinct_ids_sent: sum((b) => b.sentIds.size),
      accepted: sum((b) => b.stats.accepted),
      requests: sum((b) => b.stats.requests),
      retried_requests: sum((b) => b.stats.retried),
      answers_202: status(202),
      answers_503: status(503),
      other_answers: sum((b) =>
        [...b.stats.statuses].reduce((n, [code, k]) => n + (code === 202 || code === 503 ? 0 : k), 0),
      ),
      network_errors: sum((b) => b.stats.networkErrors),
      max_queue_depth: maxQueued,
      dropped_by_sdk: sum((b) => b.tracker.stats().dropped),
      rejected: sum((b) => b.tracker.stats().rejected),
      s3_outages: `${outages} (worker health meanwhile: ${healthDuringOutages.join("; ")})`,
      worker_restarts: workerRestarts,
      bronze_objects: bronze.objects,
      bronze_lines: bronze.lines.length,
      bronze_distinct_ids: bronzeIds.size,
      bronze_duplicate_lines: bronze.lines.length - bronzeIds.size,
      server_events_of_users: serverIds.size,
      etl_days: days.join(", "),
      silver_files: silver.files,
      silver_rows: silver.rows,
      silver_distinct_ids: silver.distinctIds,
      expected_mart_total: userIds.size,
      mart_total: mart.total,
      mart_rows: mart.rows,
      load_and_chaos_s: Number(loadSeconds.toFixed(1)),
      drain_s: Number(drainSeconds.toFixed(1)),
      etl_s: Number(etlSeconds.toFixed(1)),
      total_s: Number(((Date.now() - t0) / 1000).toFixed(1)),
    };
    console.log(
      [
        "[soak] timeline:",
        ...chaosLog.map((line) => `  ${line}`),
        "[soak] figures:",
        ...Object.entries(figures).map(([k, v]) => `  ${k.padEnd(24)} ${v}`),
      ].join("\n"),
    );

    // Nothing lost in the browsers: every queue empty, nothing dropped or refused, every tracked event sent.
    for (const browser of browsers) {
      const stats = browser.tracker.stats();
      expect({ browser: browser.name, ...stats }).toEqual({
        browser: browser.name,
        queued: 0,
        dropped: 0,
        rejected: 0,
        sender: true,
      });
      expect(browser.sentIds.size, `${browser.name}: distinct ids sent`).toBe(browser.tracked);
    }
    expect(outages).toBe(2);
    expect(healthDuringOutages).toEqual(["503 unavailable: s3", "503 unavailable: s3"]);
    expect(workerRestarts).toBe(1);

    // Bronze holds every event each browser sent, under that browser's user (null when anonymous).
    const usersOf = new Map<string, Set<string | null>>();
    for (const line of bronze.lines) {
      const seen = usersOf.get(line.id) ?? new Set();
      seen.add(line.username);
      usersOf.set(line.id, seen);
    }
    for (const browser of browsers) {
      const missing = [...browser.sentIds].filter((id) => !usersOf.has(id));
      expect(missing.length, `${browser.name}: sent ids missing from bronze`).toBe(0);
      const misattributed = [...browser.sentIds].filter((id) => {
        const seen = usersOf.get(id);
        return seen?.size !== 1 || !seen.has(browser.username);
      });
      expect(misattributed.length, `${browser.name}: ids stored under another user`).toBe(0);
    }
    // The users' server events: a signup and a login each.
    expect(serverIds.size).toBe(2 * loggedIn.length);
    // Nothing else is in bronze: the client events are exactly those sent.
    expect(bronzeIds.size).toBe(tracked + serverIds.size);

    // Silver: no duplicate id, and every event once.
    expect(silver.rows).toBe(silver.distinctIds);
    expect(silver.rows).toBe(bronzeIds.size);
    for (const browser of browsers) {
      const missing = [...browser.sentIds].filter((id) => !silver.ids.has(id));
      expect(missing.length, `${browser.name}: sent ids missing from silver`).toBe(0);
    }

    // The mart counts each event of a logged-in user exactly once: what their browsers sent
    // plus the server events their signups and logins caused.
    const expected = sum((b) => (b.username ? b.tracked : 0)) + serverIds.size;
    expect(userIds.size).toBe(expected);
    expect(mart.total).toBe(expected);
    failed = false;
  });
});
