// The soak test (issues 7 and 12): K simulated browsers run the real event SDK against the worker
// under wrangler dev for SOAK_SECONDS, while the S3 server is stopped and restarted twice and the
// worker restarted once. Some browsers go offline now and then with their clock hours to days
// back, and send that offline queue of late events when they reconnect; some send batches the
// server accepted earlier once more, same ids, with a sent_at days later. The ETL runs as in
// production (the cron queues what arrived, `etl run --pending` absorbs it), once during the load
// and once after it; then every event must be in silver exactly once, in its own event_date, and
// the mart must be exact.
//
//   npm run test:soak                      # 8 browsers x 50 events/s x 60 s (and the sustained test)
//   SOAK_BROWSERS=4 SOAK_SECONDS=30 SOAK_RATE=20 npm run test:soak
//
// Not part of `npm test`. It starts its own stack on ports of its own (soak/stack.ts).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DAY_MS, utcDay } from "@growit/contract";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { CONFIG } from "../web/src/lib/events/config.ts";
import { type SimulatedBrowser, signUpAndLogIn, simulatedBrowser } from "./browser.ts";
import { numberFromEnv } from "./env.ts";
import { expectedMart, winners } from "./expected.ts";
import { type SoakStack, sleep, startSoakStack } from "./stack.ts";
import { readBronze, readMart, readSilver, runPendingEtl } from "./verify.ts";

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
const HOUR_MS = 60 * 60_000;

/** Which browsers go offline (late) and which re-send: every fourth signed-in one, from the first and the second. */
type Role = "late" | "resender" | "plain" | "anonymous";
const roleOf = (b: number): Role =>
  b >= BROWSERS - ANONYMOUS ? "anonymous" : b % 4 === 0 ? "late" : b % 4 === 1 ? "resender" : "plain";
/**
 * How long a late browser stays offline each time: a twentieth of the load, but never more than
 * a quarter of the SDK's queue at RATE, so that the S3 outages still find room in it.
 */
const OFFLINE_MS = Math.min(0.05 * SECONDS, CONFIG.queueMaxEvents / 4 / RATE) * 1000;
/** Accepted batches each re-sender sends again at each re-send. */
const RESENT_BATCHES = 3;
/** An event's corrected time lies within this of the client's ts unless its clock was off when it sent. */
const TRANSIT_MS = 60_000;

const dir = mkdtempSync(join(tmpdir(), "growit-soak-"));
let stack: SoakStack | undefined;
const browsers: SimulatedBrowser[] = [];
const roles = new Map<SimulatedBrowser, Role>();
let failed = true;

beforeAll(async () => {
  stack = await startSoakStack(dir);
  const run = Date.now().toString(36);
  for (let b = 0; b < BROWSERS; b++) {
    const role = roleOf(b);
    const username = role === "anonymous" ? null : `soak${run}-${b}`;
    const cookie = username ? await signUpAndLogIn(stack.workerUrl, username) : null;
    const browser = simulatedBrowser({ name: `browser ${b} (${role})`, workerUrl: stack.workerUrl, username, cookie });
    browsers.push(browser);
    roles.set(browser, role);
  }
});

afterAll(async () => {
  for (const browser of browsers) browser.close();
  await stack?.stop();
  if (failed || process.env.SOAK_KEEP) console.log(`[soak] data kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
});

/** Up to `n` examples of what went wrong, for a failure message. */
const examples = <T>(items: T[], n = 5): string => JSON.stringify(items.slice(0, n));

describe("soak: the SDK under load while S3 and the worker go away and come back", () => {
  it("loses nothing, puts late events in their own day and counts every event exactly once", async () => {
    if (!stack) throw new Error("no stack");
    // Soft checks fail the test once it has ended: keep the data then too.
    onTestFailed(() => {
      failed = true;
    });
    const soak = stack;
    const t0 = Date.now();
    const at = () => ((Date.now() - t0) / 1000).toFixed(1);
    const timeline: string[] = [];
    const note = (what: string) => timeline.push(`${at()} s  ${what}`);
    const late = browsers.filter((b) => roles.get(b) === "late");
    const resenders = browsers.filter((b) => roles.get(b) === "resender");
    let outages = 0;
    let workerRestarts = 0;
    let offlineWindows = 0;
    let maxQueued = 0;
    const healthDuringOutages: string[] = [];
    const etlRuns: string[] = [];

    // The load: every tick, each browser tracks what its rate owes since the start, in one task
    // (offline or not: offline, the SDK queues).
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

    // The steps, one after another at fixed points of the run (with a short run, the steps may
    // outlast the load: the test then waits for them).
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
    const restartWorker = async () => {
      note("worker restarting");
      await soak.restartWorker();
      workerRestarts++;
      note("worker answering /api/health again");
    };
    const offline = async (lagMs: number) => {
      for (const browser of late) browser.offline(lagMs);
      note(`${late.length} browsers offline, their clocks ${lagMs / HOUR_MS} h back`);
      await sleep(OFFLINE_MS);
      for (const browser of late) browser.online();
      offlineWindows++;
      note(`${late.length} browsers online again`);
    };
    const resend = async (lagMs: number) => {
      note(
        `${resenders.length} browsers re-send ${RESENT_BATCHES} accepted batches each, ${lagMs / DAY_MS} days later`,
      );
      await Promise.all(resenders.map((b) => b.resend(RESENT_BATCHES, lagMs, Date.now() + DRAIN_MS)));
      note("re-sent batches accepted");
    };
    const etl = async (when: string) => {
      const started = Date.now();
      await soak.triggerCron();
      const days = await runPendingEtl(soak.etlEnv);
      etlRuns.push(`${when}: ${days.join(", ") || "no day"} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      note(`ETL (${when}) done: ${days.length} days`);
    };
    const steps: [number, () => Promise<void>][] = [
      [0.05, () => offline(3 * HOUR_MS)],
      [0.15, s3Outage],
      [0.25, () => resend(2 * DAY_MS)],
      [0.3, () => offline(28 * HOUR_MS)],
      [0.4, restartWorker],
      // Absorbs the first re-sends with their originals, and the originals of the later ones.
      [0.5, () => etl("during the load")],
      [0.55, () => offline(3 * DAY_MS)],
      [0.7, s3Outage],
      [0.8, () => resend(5 * DAY_MS)],
    ];
    const script = (async () => {
      for (const [fraction, step] of steps) {
        await until(fraction);
        await step();
      }
    })();

    try {
      await Promise.all([load, script]);
    } finally {
      clearInterval(loadTimer);
    }
    const loadSeconds = (Date.now() - t0) / 1000;
    note("load and steps over");

    // Every queue empties on its own (batch timer, retry backoff), within the bound.
    const drainStart = Date.now();
    const queued = () => browsers.reduce((n, b) => n + b.tracker.stats().queued, 0);
    while (queued() > 0 && Date.now() - drainStart < DRAIN_MS) await sleep(250);
    const drainSeconds = (Date.now() - drainStart) / 1000;
    note(`queues drained (${queued()} left)`);

    // The ETL absorbs what arrived since its last run; then bronze, silver and the mart are read back.
    const etlStart = Date.now();
    await etl("after the load");
    const etlSeconds = (Date.now() - etlStart) / 1000;
    const bronze = await readBronze(soak.bucket);
    const won = winners(bronze.copies);
    const silver = await readSilver(soak.bucket, join(dir, "silver"));
    const mart = await readMart(soak.databaseUrl);
    const expected = expectedMart(won.values());

    // The figures.
    const sum = (f: (b: SimulatedBrowser) => number) => browsers.reduce((n, b) => n + f(b), 0);
    const status = (code: number) => sum((b) => b.stats.statuses.get(code) ?? 0);
    const tracked = sum((b) => b.tracked);
    const loggedIn = browsers.filter((b) => b.username !== null);
    const usernames = new Set(loggedIn.map((b) => b.username));
    const userIds = [...won].filter(([, { winner }]) => winner.username !== null);
    const serverIds = [...won].filter(([, { winner }]) => winner.source === "server" && usernames.has(winner.username));
    // Late events: tracked offline, by a clock hours to days back, so before the load began.
    const lateEvents = late.flatMap((b) => [...b.sentIds].filter(([, clientTs]) => clientTs < t0));
    const lateDays = [...new Set(lateEvents.map(([, clientTs]) => utcDay(new Date(clientTs))))].sort();
    const resentIds = resenders.flatMap((b) => [...b.resentIds]);
    const copiesInOtherDays = bronze.copies.filter((copy) => {
      const winner = won.get(copy.id)?.winner;
      return winner && utcDay(new Date(copy.ts)) !== utcDay(new Date(winner.ts));
    }).length;
    const martTotal = [...mart.values()].reduce((n, cnt) => n + cnt, 0);
    const figures = {
      browsers: `${BROWSERS} (${ANONYMOUS} anonymous, ${late.length} late, ${resenders.length} re-sending)`,
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
      offline_windows: `${offlineWindows} of ${(OFFLINE_MS / 1000).toFixed(1)} s`,
      failed_while_offline: sum((b) => b.stats.offlineFailures),
      late_events: lateEvents.length,
      late_event_days: lateDays.join(", "),
      resent_batches: sum((b) => b.stats.resentBatches),
      resent_events: sum((b) => b.stats.resentEvents),
      copies_in_other_days: copiesInOtherDays,
      bronze_objects: bronze.objects,
      bronze_lines: bronze.copies.length,
      bronze_distinct_ids: won.size,
      bronze_duplicate_lines: bronze.copies.length - won.size,
      server_events_of_users: serverIds.length,
      etl_runs: etlRuns.join("; "),
      silver_files: silver.files,
      silver_rows: silver.rows,
      silver_days: [...new Set([...silver.byId.values()].map((row) => row.eventDate))].sort().join(", "),
      expected_mart_total: userIds.length,
      mart_total: martTotal,
      mart_rows: mart.size,
      load_and_steps_s: Number(loadSeconds.toFixed(1)),
      drain_s: Number(drainSeconds.toFixed(1)),
      etl_s: Number(etlSeconds.toFixed(1)),
      total_s: Number(((Date.now() - t0) / 1000).toFixed(1)),
    };
    console.log(
      [
        "[soak] timeline:",
        ...timeline.map((line) => `  ${line}`),
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
    expect(offlineWindows).toBe(3);
    // The late browsers did queue events from the past, over more than one day.
    expect(lateEvents.length).toBeGreaterThan(0);
    expect(lateDays.length).toBeGreaterThan(1);

    // Bronze holds every event each browser sent, under that browser's user (null when anonymous).
    const usersOf = new Map<string, Set<string | null>>();
    for (const copy of bronze.copies) {
      const seen = usersOf.get(copy.id) ?? new Set();
      seen.add(copy.username);
      usersOf.set(copy.id, seen);
    }
    for (const browser of browsers) {
      const missing = [...browser.sentIds.keys()].filter((id) => !usersOf.has(id));
      expect(missing.length, `${browser.name}: sent ids missing from bronze`).toBe(0);
      const misattributed = [...browser.sentIds.keys()].filter((id) => {
        const seen = usersOf.get(id);
        return seen?.size !== 1 || !seen.has(browser.username);
      });
      expect(misattributed.length, `${browser.name}: ids stored under another user`).toBe(0);
    }
    // The users' server events: a signup and a login each.
    expect(serverIds.length).toBe(2 * loggedIn.length);
    // Nothing else is in bronze: the client events are exactly those sent.
    expect(won.size).toBe(tracked + serverIds.length);
    // Every re-sent batch is in bronze twice at least (its first copy and the re-sent one), and the
    // re-sent copies, their time corrected by a sent_at days later, fell on other days.
    const withoutCopy = resentIds.filter((id) => (won.get(id)?.copies ?? 0) < 2);
    expect(withoutCopy.length, `re-sent ids stored once only: ${examples(withoutCopy)}`).toBe(0);
    expect(sum((b) => b.stats.resentBatches)).toBe(resenders.length * 2 * RESENT_BATCHES);
    if (resenders.length > 0) expect(copiesInOtherDays).toBeGreaterThan(0);

    // Silver: every event exactly once, as its winning copy, in the partition of its own event_date.
    // (Soft from here on: each check tells something of its own about the ETL.)
    expect.soft(silver.duplicateIds.length, `ids twice in silver: ${examples(silver.duplicateIds)}`).toBe(0);
    const missing = [...won.keys()].filter((id) => !silver.byId.has(id));
    expect.soft(missing.length, `ids missing from silver: ${examples(missing)}`).toBe(0);
    expect.soft(silver.rows).toBe(won.size);
    const misplaced = [...won]
      .map(([id, { winner }]) => ({ id, winner, row: silver.byId.get(id) }))
      .filter(({ winner, row }) => {
        const ts = Date.parse(winner.ts);
        return row && (row.ts !== ts || row.eventDate !== utcDay(new Date(ts)) || row.partition !== row.eventDate);
      })
      .map(({ id, winner, row }) => ({ id, bronze_ts: winner.ts, silver: row }));
    expect.soft(misplaced.length, `silver rows not as their winning copy: ${examples(misplaced)}`).toBe(0);
    // Late events are where the client's clock put them, in their own (past) days.
    const lateMisplaced = lateEvents
      .map(([id, clientTs]) => ({ id, client_ts: new Date(clientTs).toISOString(), silver: silver.byId.get(id) }))
      .filter(({ client_ts, silver }) => !silver || Math.abs(silver.ts - Date.parse(client_ts)) > TRANSIT_MS);
    expect.soft(lateMisplaced.length, `late events away from their time: ${examples(lateMisplaced)}`).toBe(0);

    // The mart counts each event of a signed-in user exactly once, on its day: row by row as
    // silver's winners say, and in all what their browsers sent plus the server events their
    // signups and logins caused.
    const martDiff = [...new Set([...expected.keys(), ...mart.keys()])]
      .filter((key) => expected.get(key) !== mart.get(key))
      .map((key) => ({ row: key, expected: expected.get(key) ?? 0, mart: mart.get(key) ?? 0 }));
    expect.soft(martDiff.length, `mart rows that differ: ${examples(martDiff, 10)}`).toBe(0);
    const expectedTotal = sum((b) => (b.username ? b.tracked : 0)) + serverIds.length;
    expect.soft(userIds.length).toBe(expectedTotal);
    expect.soft(martTotal).toBe(expectedTotal);
    failed = false;
  });
});
