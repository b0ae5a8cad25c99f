import { addDays, bronzeObjectKey, LIMITS, type PipelineStatus, type S3, utcDay } from "@growit/contract";
import { beforeAll, describe, expect, it } from "vitest";
import { Browser, signedIn, sql as sqlOn, testEnv } from "../../test/fixtures.ts";
import { openDb } from "../db/client.ts";
import { pipelineStatus, STALE_AFTER_MS } from "./status.ts";

let env: Env;
let s3: S3;
beforeAll(async () => {
  ({ env, s3 } = await testEnv("status"));
});

const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) => sqlOn<T>(env, text, params);

const as = async (role: "analyst" | "learner") => (await signedIn(role, env)).browser;

async function statusNow(): Promise<PipelineStatus> {
  const response = await (await as("analyst")).request("/api/status");
  expect(response.status).toBe(200);
  return (await response.json()) as PipelineStatus;
}

async function statusAt(now: Date): Promise<PipelineStatus> {
  const db = openDb(env);
  try {
    return await pipelineStatus(db, s3, now);
  } finally {
    await db.close();
  }
}

const finished = (status: "done" | "failed", day: string, attempt: number) =>
  sql(
    `INSERT INTO etl.runs (event_date, attempt, status, started_at, finished_at, error, bronze_lines, silver_rows, mart_rows)
     VALUES ($1, $2, $3, now(), now(), $4, 1, 1, 1)`,
    [day, attempt, status, status === "failed" ? "boom" : null],
  );
const pending = (status: "queued" | "running", day: string, attempt: number) =>
  sql("INSERT INTO etl.runs (event_date, attempt, status) VALUES ($1, $2, $3)", [day, attempt, status]);

const dayOf = (status: PipelineStatus, day: string) => status.days.find((d) => d.event_date === day);

// The route's tests use days relative to today; the tests of pipelineStatus at an instant of their
// own use far-future days, outside the route's horizon.
describe("GET /api/status", () => {
  it("is for analysts only", async () => {
    expect((await new Browser(env).request("/api/status")).status).toBe(401);
    expect((await (await as("learner")).request("/api/status")).status).toBe(403);
  });

  it("is fresh and not failing with nothing to do", async () => {
    expect(await statusNow()).toMatchObject({
      failing: false,
      stale: false,
      lag_seconds: 0,
      queued: 0,
      heartbeats: [],
      failures: [],
      days: [],
    });
  });

  it("is failing while a day's last finished run failed, until a later run of that day is done", async () => {
    const today = utcDay(new Date());
    const day = addDays(today, -5);
    await finished("done", day, 1);
    await finished("failed", day, 2);
    await pending("running", today, 1);
    const failing = await statusNow();
    expect(failing.failing).toBe(true);
    expect(failing.failures).toMatchObject([{ event_date: day, attempt: 2, error: "boom" }]);
    expect(failing.days).toMatchObject([
      { event_date: today, latest_status: "running", state: "running" },
      { event_date: day, latest_status: "failed", state: "failing", attempts: 2 },
    ]);

    // The cron queues a failing day again; the retry alone proves nothing.
    await pending("queued", day, 3);
    const retrying = await statusNow();
    expect(retrying.failing).toBe(true);
    expect(dayOf(retrying, day)).toMatchObject({ latest_status: "queued", state: "failing" });

    await sql("UPDATE etl.runs SET status = 'done', finished_at = now() WHERE event_date = $1 AND attempt = 3", [day]);
    const recovered = await statusNow();
    expect(recovered.failing).toBe(false);
    expect(recovered.failures).toEqual([]);
    expect(dayOf(recovered, day)).toMatchObject({ latest_status: "done", state: "done" });
    expect(dayOf(recovered, day)?.last_done_at).not.toBeNull();
    expect(recovered.last_success_at).not.toBeNull();
  });

  it("does not count a failed run of a day older than the horizon", async () => {
    const gone = addDays(utcDay(new Date()), -(LIMITS.maxEventAgeDays + 1));
    await finished("failed", gone, 1);
    const status = await statusNow();
    expect(status.failing).toBe(false);
    expect(status.failures).toEqual([]);
    expect(dayOf(status, gone)).toBeUndefined();
  });
});

describe("pipelineStatus", () => {
  it("is failing at an instant when a day of its horizon fails, and lists the horizon's days newest first", async () => {
    const now = new Date("2031-06-20T12:00:00Z");
    await finished("failed", "2031-06-15", 1);
    await finished("done", "2031-06-19", 1);
    await pending("queued", "2031-06-20", 1);
    await finished("failed", "2031-05-01", 1);
    const status = await statusAt(now);
    expect(status.now).toBe(now.toISOString());
    expect(status.failing).toBe(true);
    expect(status.days.map((d) => [d.event_date, d.state])).toEqual([
      ["2031-06-20", "queued"],
      ["2031-06-19", "done"],
      ["2031-06-15", "failing"],
    ]);
    expect(status.failures.map((f) => f.event_date)).toEqual(["2031-06-15"]);
    expect(dayOf(status, "2031-06-19")).toMatchObject({ bronze_lines: 1, silver_rows: 1, mart_rows: 1 });
    // Once the failed day has left the horizon.
    expect((await statusAt(new Date("2031-07-16T00:00:00Z"))).failing).toBe(false);
  });

  it("is stale once an unabsorbed bronze object has waited longer than the threshold since it was stored", async () => {
    const key = bronzeObjectKey(new Date(), crypto.randomUUID());
    await s3.put(key, "{}\n", "application/x-ndjson");
    const [object] = await s3.listObjects(key);
    const stored = object?.lastModified.getTime() ?? Number.NaN;

    const soon = await statusAt(new Date(stored + STALE_AFTER_MS - 60_000));
    expect(soon).toMatchObject({ stale: false, lag_seconds: STALE_AFTER_MS / 1000 - 60 });
    const later = await statusAt(new Date(stored + 3 * 60 * 60 * 1000));
    expect(later).toMatchObject({ stale: true, lag_seconds: 3 * 60 * 60 });

    await sql("INSERT INTO etl.bronze_objects (key, bytes, lines, rejected, event_dates) VALUES ($1, 3, 1, 0, $2)", [
      key,
      [utcDay(new Date(stored))],
    ]);
    expect(await statusAt(new Date(stored + 3 * 60 * 60 * 1000))).toMatchObject({ stale: false, lag_seconds: 0 });
  });
});
