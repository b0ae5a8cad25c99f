import { bronzeDayPrefix, bronzeKeyTime, bronzeStartAfter, type S3, S3Error, utcDay } from "@growit/contract";

const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * An object's name carries its first request's received time, which is a little before
 * the object is stored; this margin keeps such objects from slipping past a run's start.
 */
const KEY_TIME_MARGIN_MS = 60_000;

/** The first bronze key under `prefix` after `startAfter` (ListObjectsV2, one key), if any. */
async function firstKeyAfter(s3: S3, prefix: string, startAfter?: string): Promise<string | undefined> {
  const query = new URLSearchParams({ "list-type": "2", prefix, "max-keys": "1" });
  if (startAfter) query.set("start-after", startAfter);
  const response = await s3.send("", {}, query);
  const xml = await response.text();
  if (!response.ok) throw new S3Error(`S3 list ${prefix} answered HTTP ${response.status}`, response.status);
  return /<Key>([^<]*)<\/Key>/.exec(xml)?.[1];
}

/**
 * The time of the oldest bronze object stored after `since` (null: ever) in the bronze
 * days `days`, or null when there is none. Cheap: one ListObjectsV2 call of one key per day.
 */
export async function oldestBronzeSince(s3: S3, days: readonly string[], since: Date | null): Promise<Date | null> {
  const from = since ? new Date(since.getTime() - KEY_TIME_MARGIN_MS) : null;
  let oldest: Date | null = null;
  for (const day of days) {
    if (from && day < utcDay(from)) continue;
    const startAfter = from && day === utcDay(from) ? bronzeStartAfter(from) : undefined;
    const key = await firstKeyAfter(s3, bronzeDayPrefix(day), startAfter);
    const at = key ? bronzeKeyTime(key) : null;
    if (at && (!oldest || at < oldest)) oldest = at;
  }
  return oldest;
}

/** The bronze days whose events can belong to event date `day`: the ETL reads the day before and after too. */
export function bronzeDaysFor(day: string, now: Date): string[] {
  const at = Date.parse(`${day}T00:00:00Z`);
  return [at - DAY_MS, at, at + DAY_MS].map((t) => utcDay(new Date(t))).filter((d) => d <= utcDay(now));
}
