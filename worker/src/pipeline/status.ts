import {
  ERASURE,
  type ErasureState,
  horizonDays,
  PipelineStatus,
  type RunDay,
  S3,
  unabsorbedBronze,
  utcDay,
} from "@growit/contract";
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import type { AppEnv } from "../app-env.ts";
import { requireRole } from "../auth/session.ts";
import type { Db } from "../db/client.ts";
import { analystsOnly, json } from "../http/responses.ts";
import { s3ConfigFromEnv } from "../storage/s3.ts";

/** Bronze waiting this long to be absorbed makes the pipeline stale. */
export const STALE_AFTER_MS = 2 * 60 * 60 * 1000;

/**
 * The pipeline's state at `now`: each event date of the horizon that has runs, with its latest
 * run and its DayState, the failures no done run has followed yet, the queue, the heartbeats,
 * and how long the oldest bronze object the ETL has not absorbed has waited.
 */
export async function pipelineStatus(db: Db, s3: S3, now: Date): Promise<PipelineStatus> {
  const today = utcDay(now);
  const within = [horizonDays(today)[0], today];
  const [days, queue, heartbeats, failures, lastSuccess, waiting, erasures] = await Promise.all([
    // A date fails while its newest failed attempt is newer than its newest done one.
    db.query<RunDay>(
      `SELECT DISTINCT ON (event_date) to_char(event_date, 'YYYY-MM-DD') AS event_date, status AS latest_status,
              CASE WHEN max(attempt) FILTER (WHERE status = 'failed') OVER dates
                        > coalesce(max(attempt) FILTER (WHERE status = 'done') OVER dates, 0)
                   THEN 'failing' ELSE status END AS state,
              attempt AS attempts, max(finished_at) FILTER (WHERE status = 'done') OVER dates AS last_done_at,
              bronze_lines::float8, rejected::float8, duplicates::float8, silver_rows::float8, mart_rows::float8, seconds::float8
         FROM etl.runs WHERE event_date BETWEEN $1 AND $2
       WINDOW dates AS (PARTITION BY event_date)
        ORDER BY event_date DESC, attempt DESC`,
      within,
    ),
    db.query<{ status: string; n: number }>(
      "SELECT status, count(*)::int AS n FROM etl.runs WHERE status IN ('queued', 'running') GROUP BY status",
    ),
    db.query<{ name: string; beat_at: string }>("SELECT name, beat_at FROM etl.heartbeats ORDER BY name"),
    db.query<PipelineStatus["failures"][number]>(
      `SELECT to_char(event_date, 'YYYY-MM-DD') AS event_date, attempt, error, finished_at FROM etl.runs f
        WHERE status = 'failed' AND event_date BETWEEN $1 AND $2 AND NOT EXISTS (
          SELECT 1 FROM etl.runs d WHERE d.event_date = f.event_date AND d.status = 'done' AND d.attempt > f.attempt)
        ORDER BY finished_at DESC LIMIT 20`,
      within,
    ),
    db.query<{ finished_at: string | null }>(
      "SELECT finished_at FROM etl.runs WHERE status = 'done' ORDER BY finished_at DESC LIMIT 1",
    ),
    unabsorbedBronze(s3, db, { now }),
    erasureState(db, now),
  ]);
  // A reduce, not Math.min(...): a long outage leaves more objects than a call takes arguments.
  const oldest = waiting.reduce((min, o) => Math.min(min, o.lastModified.getTime()), now.getTime());
  const waitingMs = now.getTime() - oldest;
  const count = (status: string) => queue.find((q) => q.status === status)?.n ?? 0;
  return {
    now: now.toISOString(),
    failing: days.some((day) => day.state === "failing"),
    stale: waitingMs > STALE_AFTER_MS,
    lag_seconds: Math.round(waitingMs / 1000),
    last_success_at: lastSuccess[0]?.finished_at ?? null,
    queued: count("queued"),
    running: count("running"),
    heartbeats: heartbeats.map((h) => ({
      ...h,
      age_seconds: Math.round((now.getTime() - new Date(h.beat_at).getTime()) / 1000),
    })),
    failures,
    days,
    erasures,
  };
}

/** The erasure requests' state, without whose they are: analysts see that erasure works, not who asked. */
async function erasureState(db: Db, now: Date): Promise<ErasureState> {
  const [[totals], recent] = await Promise.all([
    db.query<Omit<ErasureState, "recent">>(
      `SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending,
              count(*) FILTER (WHERE status = 'pending' AND requested_at < $1::timestamptz - make_interval(hours => $2))::int AS overdue,
              count(*) FILTER (WHERE status = 'done')::int AS done,
              min(requested_at) FILTER (WHERE status = 'pending') AS oldest_pending_at
         FROM app.erasures`,
      [now.toISOString(), ERASURE.erasureDueHours],
    ),
    db.query<ErasureState["recent"][number]>(
      `SELECT requested_at, status, attempts, last_error, completed_at, bronze_lines::float8, rejected_lines::float8,
              silver_rows::float8, mart_rows::float8
         FROM app.erasures ORDER BY requested_at DESC LIMIT 10`,
    ),
  ]);
  // An aggregate without GROUP BY answers one row, even over no requests.
  return { ...(totals as Omit<ErasureState, "recent">), recent };
}

const statusDoc = describeRoute({
  summary: "Where the pipeline stands",
  tags: ["analysts"],
  responses: {
    200: json("the pipeline's freshness, queue and days", PipelineStatus),
    ...analystsOnly,
  },
});

/** `GET /api/status` (analysts): pipelineStatus now. */
export const statusRoute = new Hono<AppEnv>().get("/", statusDoc, requireRole("analyst"), async (c) =>
  c.json(await pipelineStatus(c.get("db"), new S3(s3ConfigFromEnv(c.env)), new Date()), 200),
);
