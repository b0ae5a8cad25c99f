// The queue worker: two workers share the queue and bring every queued day up to date, absorbing
// each bronze object once; failures are retried with backoff up to a limit; abandoned runs are
// failed and retried.
import { bronzeDayOf, enqueueRun, horizonDays, S3, utcDay } from "@growit/contract";
import { beforeEach, describe, expect, it } from "vitest";
import { buildDataset } from "../test/bronze-dataset.ts";
import { freshBucket, query, RecordingReporter, resetDatabase, testConfig } from "../test/fixtures.ts";
import type { EtlConfig } from "./config.ts";
import { Etl, type EtlOptions } from "./etl.ts";

let config: EtlConfig;
let days: string[];
let objects: number;

const RETRY = { maxAttempts: 3, baseDelayMs: 50 };

/** What the cron does for a day where bronze arrived. */
const enqueue = (day: string) => enqueueRun({ query }, day, "incremental");

const runsOf = () =>
  query<{ day: string; attempt: number; status: string; worker: string | null }>(
    "SELECT to_char(event_date, 'YYYY-MM-DD') AS day, attempt, status, worker FROM etl.runs ORDER BY event_date, attempt",
  );

/** Runs `count` workers until no run is queued or running, then stops them. */
async function workUntilIdle(count: number, options: Partial<EtlOptions> = {}) {
  const stop = new AbortController();
  const workers = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      Etl.open(config, { reporter: new RecordingReporter(), name: `test-worker-${i}`, ...options }),
    ),
  );
  const working = workers.map((w) => w.work({ pollMs: 50, retry: RETRY, signal: stop.signal }));
  try {
    for (;;) {
      const open = await query("SELECT 1 FROM etl.runs WHERE status IN ('queued', 'running')");
      if (open.length === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    stop.abort();
    await Promise.all(working);
    await Promise.all(workers.map((w) => w.close()));
  }
}

beforeEach(async () => {
  await resetDatabase();
  config = testConfig(await freshBucket());
  const s3 = new S3(config.s3);
  const dataset = buildDataset();
  for (const [key, body] of dataset.objects) await s3.put(key, body, "application/x-ndjson");
  const horizonStart = horizonDays(utcDay(new Date()))[0] as string;
  objects = [...dataset.objects.keys()].filter((key) => (bronzeDayOf(key) as string) >= horizonStart).length;
  // Within the horizon, so that the incremental runs reach them.
  days = dataset.eventDays.slice(-4);
});

const latestRuns = async () =>
  (await runsOf()).filter((run, i, all) => all[i + 1]?.day !== run.day).map((r) => [r.day, r.status]);

describe("etl work", () => {
  it("shares the queue between two workers, bringing every queued day up to date and absorbing each object once", async () => {
    for (const day of days) await enqueue(day);
    await workUntilIdle(2);
    const runs = await runsOf();
    expect(runs.filter((r) => r.status !== "done")).toEqual([]);
    for (const day of days) expect(runs.filter((r) => r.day === day).length, day).toBeGreaterThan(0);
    const absorbed = await query<{ key: string }>("SELECT key FROM etl.bronze_objects");
    // Those of the days beyond the horizon wait for a rebuild.
    expect(absorbed.length).toBe(objects);
    const duplicates = await query("SELECT 1 FROM mart.daily_events GROUP BY event_date, user_id HAVING count(*) > 1");
    expect(duplicates).toEqual([]);
    const beats = await query<{ name: string }>("SELECT name FROM etl.heartbeats ORDER BY name");
    expect(beats.map((b) => b.name)).toEqual(["test-worker-0", "test-worker-1"]);
  });

  it("retries a failing day with backoff, up to the limit, each retry a new attempt", async () => {
    const day = days[0] as string;
    await enqueue(day);
    await workUntilIdle(1, {
      hooks: {
        afterSilverUpload: () => {
          throw new Error("publish refused");
        },
      },
    });
    expect((await runsOf()).map((r) => [r.day, r.attempt, r.status])).toEqual([
      [day, 1, "failed"],
      [day, 2, "failed"],
      [day, 3, "failed"],
    ]);
    const notBefore = await query<{ delay_ms: number }>(
      "SELECT extract(epoch FROM r.not_before - q.finished_at) * 1000 AS delay_ms FROM etl.runs r JOIN etl.runs q ON q.event_date = r.event_date AND q.attempt = r.attempt - 1 ORDER BY r.attempt",
    );
    expect(notBefore.map((r) => Math.round(Number(r.delay_ms) / 10) * 10)).toEqual([50, 200]);

    // The cron's next enqueue (attempt = max + 1) runs it again; now it succeeds, and with it every day its objects touched.
    await enqueue(day);
    await workUntilIdle(1);
    expect((await runsOf()).filter((r) => r.day === day).at(-1)).toMatchObject({ attempt: 4, status: "done" });
    expect((await latestRuns()).filter(([, status]) => status !== "done")).toEqual([]);
  });

  it("fails and retries an attempt whose process stopped beating", async () => {
    const day = days[0] as string;
    await query(
      "INSERT INTO etl.runs (event_date, attempt, status, started_at, worker) VALUES ($1, 1, 'running', now(), 'etl-worker:gone:1')",
      [day],
    );
    await workUntilIdle(1, { staleAfterMs: 1_000 });
    const runs = (await runsOf()).filter((r) => r.day === day);
    expect(runs.map((r) => [r.attempt, r.status])).toEqual([
      [1, "failed"],
      [2, "done"],
    ]);
  });
});
