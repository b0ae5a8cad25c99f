// Which bronze objects the ETL has not absorbed yet. The worker's cron and status and the ETL's
// incremental run share this one rule: etl.bronze_objects (migration 008) names every object whose
// lines are in silver, and new objects are found by listing from just before the newest of them.
import { dayRange, horizonDays, utcDay } from "./days.ts";
import type { Queryable } from "./queryable.ts";
import type { S3, S3Object } from "./s3-client.ts";
import { bronzeDayPrefix, bronzeKeyTime, bronzeStartAfter } from "./s3-layout.ts";

/**
 * An object's name carries its first request's received time, a little before the object is
 * stored (a flush waits for its batch, then retries its PUT); listing from this long before the
 * newest absorbed name finds every object stored since, whatever order their PUTs finished in.
 */
export const KEY_TIME_MARGIN_MS = 10 * 60_000;

export interface ArrivalsOptions {
  now: Date;
  /** List every bronze day of the horizon, not only those after the newest absorbed object. */
  sweep?: boolean;
  /** Bronze days to list whole as well, even outside the horizon (a rebuild's own). */
  alsoDays?: readonly string[];
}

/** The newest object name etl.bronze_objects holds (ordered by key: day, then time), or null. */
async function newestAbsorbedKey(db: Queryable): Promise<string | null> {
  const [row] = await db.query<{ key: string | null }>(
    "SELECT max(key) AS key FROM etl.bronze_objects WHERE key ~ '^bronze/app/\\d{4}/\\d{2}/\\d{2}/part-\\d{9}-'",
  );
  return row?.key ?? null;
}

/**
 * The bronze objects stored and not yet absorbed, in key order. Without `sweep` it lists only
 * from KEY_TIME_MARGIN_MS before the newest absorbed object's time (the whole horizon when none
 * is absorbed yet), so its cost follows what arrived, not the horizon. A sweep also finds objects
 * that something other than the worker put into older bronze days.
 */
export async function unabsorbedBronze(s3: S3, db: Queryable, options: ArrivalsOptions): Promise<S3Object[]> {
  const today = utcDay(options.now);
  const horizon = horizonDays(today);
  const newest = options.sweep ? null : await newestAbsorbedKey(db);
  const from = newest ? new Date((bronzeKeyTime(newest) as Date).getTime() - KEY_TIME_MARGIN_MS) : null;
  const firstDay = from && utcDay(from) > (horizon[0] as string) ? utcDay(from) : (horizon[0] as string);
  const days = [...new Set([...(firstDay <= today ? dayRange(firstDay, today) : []), ...(options.alsoDays ?? [])])];
  const listed = await Promise.all(
    days.map(async (day) => {
      if (!from || day !== utcDay(from)) return s3.listObjects(bronzeDayPrefix(day));
      // On the first day, the worker's objects from just before the newest absorbed one on, and any
      // other writer's whose names sort before the worker's (those after them are listed anyway).
      const [others, recent] = await Promise.all([
        s3.listObjects(bronzeDayPrefix(day), { pageSize: 100, endBefore: `${bronzeDayPrefix(day)}part-` }),
        s3.listObjects(bronzeDayPrefix(day), { startAfter: bronzeStartAfter(from) }),
      ]);
      return [...others, ...recent];
    }),
  );
  const objects = listed.flat();
  const absorbed = new Set<string>();
  for (let at = 0; at < objects.length; at += 1000) {
    const keys = objects.slice(at, at + 1000).map((o) => o.key);
    for (const row of await db.query<{ key: string }>("SELECT key FROM etl.bronze_objects WHERE key = ANY($1)", [keys]))
      absorbed.add(row.key);
  }
  return objects.filter((o) => !absorbed.has(o.key)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The bronze day (folder) of a bronze object's key, or null for a key outside `bronze/app/YYYY/MM/DD/`. */
export function bronzeDayOf(key: string): string | null {
  const match = /^bronze\/app\/(\d{4})\/(\d{2})\/(\d{2})\//.exec(key);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : null;
}
