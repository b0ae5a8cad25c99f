import { type PipelineStatus, type RunDay, S3, unabsorbedBronze } from "@growit/contract";
import { Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import { requireRole } from "../auth/session.ts";
import { s3ConfigFromEnv } from "../storage/s3.ts";

/** Events waiting this long for a successful run make the pipeline stale. */
export const STALE_AFTER_MS = 2 * 60 * 60 * 1000;
const RECENT_DAYS = 14;

/** `GET /api/status` (analysts): the pipeline's freshness, its queue and each recent day's last run. */
export const statusRoute = new Hono<AppEnv>().get("/", requireRole("analyst"), async (c) => {
  const db = c.get("db");
  const now = new Date();
  const [days, queue, heartbeats, failures, lastSuccess] = await Promise.all([
    db.query<RunDay>(
      `SELECT DISTINCT ON (event_date) to_char(event_date, 'YYYY-MM-DD') AS event_date, status AS latest_status,
              attempt AS attempts,
              (SELECT max(finished_at) FROM etl.runs d WHERE d.event_date = r.event_date AND d.status = 'done') AS last_done_at,
              bronze_lines::float8, rejected::float8, duplicates::float8, silver_rows::float8, mart_rows::float8, seconds::float8
         FROM etl.runs r WHERE event_date >= current_date - $1::int
        ORDER BY event_date DESC, attempt DESC`,
      [RECENT_DAYS],
    ),
    db.query<{ status: string; n: number }>(
      "SELECT status, count(*)::int AS n FROM etl.runs WHERE status IN ('queued', 'running') GROUP BY status",
    ),
    db.query<{ name: string; beat_at: string }>("SELECT name, beat_at FROM etl.heartbeats ORDER BY name"),
    // Failed attempts of days that have not succeeded since.
    db.query<PipelineStatus["failures"][number]>(
      `SELECT to_char(event_date, 'YYYY-MM-DD') AS event_date, attempt, error, finished_at FROM etl.runs f
        WHERE status = 'failed' AND NOT EXISTS (
          SELECT 1 FROM etl.runs d WHERE d.event_date = f.event_date AND d.status = 'done' AND d.attempt > f.attempt)
        ORDER BY finished_at DESC LIMIT 20`,
    ),
    db.query<{ started_at: string | null; finished_at: string | null }>(
      "SELECT started_at, finished_at FROM etl.runs WHERE status = 'done' ORDER BY finished_at DESC LIMIT 1",
    ),
  ]);
  const last = lastSuccess[0];
  const waiting = await unabsorbedBronze(new S3(s3ConfigFromEnv(c.env)), db, { now });
  const oldest = Math.min(...waiting.map((o) => o.lastModified.getTime()));
  const waitingMs = waiting.length > 0 ? now.getTime() - oldest : 0;
  const count = (status: string) => queue.find((q) => q.status === status)?.n ?? 0;
  const status: PipelineStatus = {
    now: now.toISOString(),
    stale: waitingMs > STALE_AFTER_MS,
    lag_seconds: Math.round(waitingMs / 1000),
    last_success_at: last?.finished_at ?? null,
    queued: count("queued"),
    running: count("running"),
    heartbeats: heartbeats.map((h) => ({
      ...h,
      age_seconds: Math.round((now.getTime() - new Date(h.beat_at).getTime()) / 1000),
    })),
    failures,
    days,
  };
  return c.json(status);
});
