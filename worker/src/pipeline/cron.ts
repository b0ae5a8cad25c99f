import { beat, bronzeDayOf, enqueueRun, S3, unabsorbedBronze, utcDay } from "@growit/contract";
import { openDb } from "../db/client.ts";
import { s3ConfigFromEnv } from "../storage/s3.ts";

/** The cron triggers in wrangler.jsonc. */
export const CRONS = {
  /** The bronze days where objects arrived that the ETL has not absorbed. */
  quarterHourly: "*/15 * * * *",
  /** The same over every bronze day of the horizon: finds objects put into older days by other writers. */
  dailySweep: "30 0 * * *",
} as const;

export const CRON_HEARTBEAT = "cron";

/**
 * Airflow's role: queue the ETL runs that are due and record a heartbeat. Returns the days queued.
 * The cron cannot see inside objects, so it queues the bronze days new objects arrived in; the run
 * that absorbs them brings every event date they hold up to date and records a run for each.
 */
export async function runCron(env: Env, cron: string, now: Date): Promise<string[]> {
  const db = openDb(env);
  const s3 = new S3(s3ConfigFromEnv(env));
  try {
    const sweep = cron === CRONS.dailySweep;
    const arrived = await unabsorbedBronze(s3, db, { now, sweep });
    const days = [...new Set(arrived.map((o) => bronzeDayOf(o.key) ?? utcDay(now)))].sort();
    const queued: string[] = [];
    for (const day of days) if (await enqueueRun(db, day, sweep ? "sweep" : "incremental")) queued.push(day);
    await beat(db, CRON_HEARTBEAT);
    return queued;
  } finally {
    await db.close();
  }
}
