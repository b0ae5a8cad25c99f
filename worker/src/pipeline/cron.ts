import { S3, utcDay } from "@growit/contract";
import { openDb } from "../db/client.ts";
import { s3ConfigFromEnv } from "../storage/s3.ts";
import { bronzeDaysFor, oldestBronzeSince } from "./bronze-activity.ts";
import { beat, enqueueRun, lastSuccessStart } from "./ledger.ts";

/** The cron triggers in wrangler.toml. */
export const CRONS = {
  /** Today and yesterday, when bronze objects arrived after their last successful run. */
  quarterHourly: "*/15 * * * *",
  /** Yesterday, unconditionally: its final run once late events are in. */
  dailyFinal: "30 0 * * *",
} as const;

export const CRON_HEARTBEAT = "cron";
const DAY_MS = 24 * 60 * 60 * 1000;

/** Airflow's role: queue the ETL runs that are due and record a heartbeat. Returns the days queued. */
export async function runCron(env: Env, cron: string, now: Date): Promise<string[]> {
  const db = openDb(env);
  const s3 = new S3(s3ConfigFromEnv(env));
  try {
    const today = utcDay(now);
    const yesterday = utcDay(new Date(now.getTime() - DAY_MS));
    const queued: string[] = [];
    if (cron === CRONS.dailyFinal) {
      if (await enqueueRun(db, yesterday)) queued.push(yesterday);
    } else {
      for (const day of [yesterday, today]) {
        const arrived = await oldestBronzeSince(s3, bronzeDaysFor(day, now), await lastSuccessStart(db, day));
        if (arrived && (await enqueueRun(db, day))) queued.push(day);
      }
    }
    await beat(db, CRON_HEARTBEAT);
    return queued;
  } finally {
    await db.close();
  }
}
