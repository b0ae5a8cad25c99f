import { createScheduledController } from "cloudflare:test";
import { bronzeObjectKey, type S3 } from "@growit/contract";
import { beforeAll, describe, expect, it } from "vitest";
import { testEnv } from "../../test/fixtures.ts";
import { openDb } from "../db/client.ts";
import worker from "../index.ts";
import { CRONS, runCron } from "./cron.ts";

let env: Env;
let s3: S3;
beforeAll(async () => {
  ({ env, s3 } = await testEnv("cron"));
});

async function sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  const db = openDb(env);
  try {
    return await db.query<T>(text, params);
  } finally {
    await db.close();
  }
}

const runsOf = (day: string) =>
  sql<{ attempt: number; status: string }>(
    "SELECT attempt, status FROM etl.runs WHERE event_date = $1 ORDER BY attempt",
    [day],
  );
const storeBronze = (at: Date) =>
  s3.put(bronzeObjectKey(at, crypto.randomUUID()), '{"id":"x"}\n', "application/x-ndjson");

// Each test uses its own far-future days, so tests sharing the database do not meet.
describe("cron", () => {
  it("queues nothing without bronze, and records a heartbeat", async () => {
    const before = Date.now();
    expect(await runCron(env, CRONS.quarterHourly, new Date("2031-01-10T12:00:00Z"))).toEqual([]);
    const [beat] = await sql<{ beat_at: Date }>("SELECT beat_at FROM etl.heartbeats WHERE name = 'cron'");
    expect(new Date(beat?.beat_at ?? 0).getTime()).toBeGreaterThanOrEqual(before - 5_000);
  });

  it("queues a day once when bronze arrives, and again only after new bronze follows a successful run", async () => {
    const now = new Date("2031-02-10T12:00:00Z");
    await storeBronze(new Date("2031-02-10T11:00:00Z"));
    // Yesterday too: the ETL of a day also reads the next day's bronze, where its late events land.
    expect(await runCron(env, CRONS.quarterHourly, now)).toEqual(["2031-02-09", "2031-02-10"]);
    expect(await runCron(env, CRONS.quarterHourly, now)).toEqual([]);
    expect(await runsOf("2031-02-10")).toEqual([{ attempt: 1, status: "queued" }]);

    // The ETL ran it after that object was stored: nothing new to do.
    await sql(
      "UPDATE etl.runs SET status = 'done', started_at = '2031-02-10T11:30:00Z', finished_at = '2031-02-10T11:31:00Z' WHERE event_date IN ('2031-02-09', '2031-02-10')",
    );
    expect(await runCron(env, CRONS.quarterHourly, now)).toEqual([]);

    await storeBronze(new Date("2031-02-10T11:45:00Z"));
    expect(await runCron(env, CRONS.quarterHourly, now)).toEqual(["2031-02-09", "2031-02-10"]);
    expect(await runsOf("2031-02-10")).toEqual([
      { attempt: 1, status: "done" },
      { attempt: 2, status: "queued" },
    ]);
  });

  it("queues yesterday when late events for it land in today's bronze", async () => {
    const now = new Date("2031-03-11T00:10:00Z");
    await storeBronze(new Date("2031-03-11T00:05:00Z"));
    expect((await runCron(env, CRONS.quarterHourly, now)).sort()).toEqual(["2031-03-10", "2031-03-11"]);
  });

  it("queues yesterday's final run daily, whatever bronze says", async () => {
    const now = new Date("2031-04-11T00:30:00Z");
    expect(await runCron(env, CRONS.dailyFinal, now)).toEqual(["2031-04-10"]);
    expect(await runCron(env, CRONS.dailyFinal, now)).toEqual([]);
  });

  it("runs from the worker's scheduled() handler", async () => {
    await storeBronze(new Date("2031-05-10T08:00:00Z"));
    const controller = createScheduledController({
      cron: CRONS.quarterHourly,
      scheduledTime: Date.parse("2031-05-10T08:15:00Z"),
    });
    await worker.scheduled(controller, env);
    expect(await runsOf("2031-05-10")).toEqual([{ attempt: 1, status: "queued" }]);
  });
});
