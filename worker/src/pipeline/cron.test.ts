import { createScheduledController } from "cloudflare:test";
import { bronzeDayOf, bronzeObjectKey, type S3 } from "@growit/contract";
import { beforeAll, describe, expect, it } from "vitest";
import { sql as sqlOn, testEnv } from "../../test/fixtures.ts";
import worker from "../index.ts";
import { CRONS, runCron } from "./cron.ts";

let env: Env;
let s3: S3;
beforeAll(async () => {
  ({ env, s3 } = await testEnv("cron"));
});

const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) => sqlOn<T>(env, text, params);

const runsOf = (day: string) =>
  sql<{ attempt: number; status: string; mode: string }>(
    "SELECT attempt, status, mode FROM etl.runs WHERE event_date = $1 ORDER BY attempt",
    [day],
  );

/** Stores a bronze object named after `at` (its day and time), as the worker's flush does; returns its key. */
async function storeBronze(at: string): Promise<string> {
  const key = bronzeObjectKey(new Date(at), crypto.randomUUID());
  await s3.put(key, '{"id":"x"}\n', "application/x-ndjson");
  return key;
}

/** Records `key` in the ledger as the ETL does once it has absorbed the object. */
const absorb = (key: string) =>
  sql("INSERT INTO etl.bronze_objects (key, bytes, lines, rejected, event_dates) VALUES ($1, 11, 1, 0, $2)", [
    key,
    [bronzeDayOf(key)],
  ]);

// Each test uses its own far-future days, later than the previous test's and more than a horizon
// apart: the ledger's newest object, where listing starts, only moves forward.
describe("cron", () => {
  it("queues nothing without bronze, and records a heartbeat", async () => {
    const before = Date.now();
    expect(await runCron(env, CRONS.quarterHourly, new Date("2031-01-10T12:00:00Z"))).toEqual([]);
    const [beat] = await sql<{ beat_at: Date }>("SELECT beat_at FROM etl.heartbeats WHERE name = 'cron'");
    expect(new Date(beat?.beat_at ?? 0).getTime()).toBeGreaterThanOrEqual(before - 5_000);
  });

  it("queues one run for each bronze day where unabsorbed objects arrived, once while it is queued", async () => {
    const now = new Date("2031-03-10T12:00:00Z");
    await storeBronze("2031-03-08T10:00:00Z");
    await storeBronze("2031-03-10T11:00:00Z");
    await storeBronze("2031-03-10T11:30:00Z");
    expect(await runCron(env, CRONS.quarterHourly, now)).toEqual(["2031-03-08", "2031-03-10"]);
    expect(await runCron(env, CRONS.quarterHourly, now)).toEqual([]);
    expect(await runsOf("2031-03-08")).toEqual([{ attempt: 1, status: "queued", mode: "incremental" }]);
    expect(await runsOf("2031-03-09")).toEqual([]);
    expect(await runsOf("2031-03-10")).toEqual([{ attempt: 1, status: "queued", mode: "incremental" }]);

    // A run that ended without absorbing the objects leaves them to be queued again.
    await sql("UPDATE etl.runs SET status = 'failed', finished_at = now() WHERE event_date = '2031-03-10'");
    expect(await runCron(env, CRONS.quarterHourly, now)).toEqual(["2031-03-10"]);
    expect((await runsOf("2031-03-10")).map((run) => run.status)).toEqual(["failed", "queued"]);
  });

  it("does not queue the objects the ETL absorbed", async () => {
    const now = new Date("2031-05-11T12:00:00Z");
    await absorb(await storeBronze("2031-05-10T08:00:00Z"));
    const waiting = await storeBronze("2031-05-11T09:00:00Z");
    expect(await runCron(env, CRONS.quarterHourly, now)).toEqual(["2031-05-11"]);
    expect(await runsOf("2031-05-10")).toEqual([]);

    await sql("UPDATE etl.runs SET status = 'done', finished_at = now() WHERE event_date = '2031-05-11'");
    await absorb(waiting);
    expect(await runCron(env, CRONS.quarterHourly, now)).toEqual([]);
    expect(await runCron(env, CRONS.dailySweep, now)).toEqual([]);
  });

  it("finds the objects stored around midnight after the newest absorbed one", async () => {
    await absorb(await storeBronze("2031-07-09T23:55:00Z"));
    await storeBronze("2031-07-09T23:58:00Z");
    await storeBronze("2031-07-10T00:03:00Z");
    expect(await runCron(env, CRONS.quarterHourly, new Date("2031-07-10T00:15:00Z"))).toEqual([
      "2031-07-09",
      "2031-07-10",
    ]);
  });

  it("finds an object put into an older bronze day in the daily sweep only", async () => {
    const now = new Date("2031-09-20T00:30:00Z");
    await absorb(await storeBronze("2031-09-20T00:10:00Z"));
    // Another writer's object, in a day the quarter-hourly listing has moved past.
    await storeBronze("2031-09-10T15:00:00Z");
    expect(await runCron(env, CRONS.quarterHourly, now)).toEqual([]);
    expect(await runCron(env, CRONS.dailySweep, now)).toEqual(["2031-09-10"]);
    expect(await runsOf("2031-09-10")).toEqual([{ attempt: 1, status: "queued", mode: "sweep" }]);
  });

  it("makes a queued incremental run a sweep when the daily sweep finds its day", async () => {
    await storeBronze("2031-11-10T08:00:00Z");
    expect(await runCron(env, CRONS.quarterHourly, new Date("2031-11-10T08:15:00Z"))).toEqual(["2031-11-10"]);
    expect(await runCron(env, CRONS.dailySweep, new Date("2031-11-11T00:30:00Z"))).toEqual([]);
    expect(await runsOf("2031-11-10")).toEqual([{ attempt: 1, status: "queued", mode: "sweep" }]);
  });

  it("runs from the worker's scheduled() handler", async () => {
    await storeBronze("2032-01-10T08:00:00Z");
    const controller = createScheduledController({
      cron: CRONS.quarterHourly,
      scheduledTime: Date.parse("2032-01-10T08:15:00Z"),
    });
    await worker.scheduled(controller, env);
    expect(await runsOf("2032-01-10")).toEqual([{ attempt: 1, status: "queued", mode: "incremental" }]);
  });
});
