import { bronzeObjectKey, type S3 } from "@growit/contract";
import { sign } from "hono/jwt";
import { beforeAll, describe, expect, it } from "vitest";
import { Browser, testEnv } from "../../test/fixtures.ts";
import { SESSION_COOKIE } from "../auth/session.ts";
import { openDb } from "../db/client.ts";

let env: Env;
let s3: S3;
beforeAll(async () => {
  ({ env, s3 } = await testEnv("status"));
});

async function as(role: "analyst" | "learner"): Promise<Browser> {
  const browser = new Browser(env);
  const exp = Math.floor(Date.now() / 1000) + 600;
  browser.cookie = `${SESSION_COOKIE}=${await sign({ sub: `${role}-x`, role, exp }, env.SESSION_SECRET, "HS256")}`;
  return browser;
}

describe("GET /api/status", () => {
  it("is for analysts only", async () => {
    expect((await new Browser(env).request("/api/status")).status).toBe(401);
    expect((await (await as("learner")).request("/api/status")).status).toBe(403);
  });

  it("reports stale when events have waited more than 2 hours for a successful run", async () => {
    const analyst = await as("analyst");
    const fresh = await (await analyst.request("/api/status")).json();
    expect(fresh).toMatchObject({
      stale: false,
      lag_seconds: 0,
      queued: expect.any(Number),
      heartbeats: expect.any(Array),
    });

    await s3.put(
      bronzeObjectKey(new Date(Date.now() - 3 * 60 * 60 * 1000), crypto.randomUUID()),
      "{}\n",
      "application/x-ndjson",
    );
    const stale = (await (await analyst.request("/api/status")).json()) as { stale: boolean; lag_seconds: number };
    expect(stale.stale).toBe(true);
    expect(stale.lag_seconds).toBeGreaterThan(3 * 60 * 60 - 60);

    const db = openDb(env);
    try {
      await db.query(
        `INSERT INTO etl.runs (event_date, attempt, status, started_at, finished_at, bronze_lines, silver_rows, mart_rows)
         VALUES (current_date, 99, 'done', now(), now(), 1, 1, 1)`,
      );
    } finally {
      await db.close();
    }
    const caughtUp = (await (await analyst.request("/api/status")).json()) as {
      stale: boolean;
      last_success_at: string;
      days: Array<{ event_date: string; latest_status: string }>;
    };
    expect(caughtUp.stale).toBe(false);
    expect(caughtUp.last_success_at).not.toBeNull();
    const today = new Date().toISOString().slice(0, 10);
    expect(caughtUp.days.find((day) => day.event_date === today)).toMatchObject({
      latest_status: "done",
      bronze_lines: 1,
      mart_rows: 1,
    });
  });
});
