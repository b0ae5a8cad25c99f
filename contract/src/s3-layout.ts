/**
 * Where everything lives in the bucket (DESIGN.md, "Object layout in S3"). Days are
 * UTC calendar dates written `YYYY-MM-DD`.
 */
export const PREFIX = {
  bronze: "bronze/app/",
  rejected: "bronze/_rejected/",
  silver: "silver/events/",
  exports: "exports/",
} as const;

export const EXPORT_KEYS = {
  dailyEvents: "exports/mart/daily_events.parquet",
  manifest: "exports/manifest.json",
} as const;

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** The UTC day of an instant, `YYYY-MM-DD`. */
export const utcDay = (at: Date): string => at.toISOString().slice(0, 10);

const dayFolder = (day: string) => day.replaceAll("-", "/");

const timeOfDay = (at: Date) =>
  `${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}${pad(at.getUTCMilliseconds(), 3)}`;

const partName = (at: Date, uuid: string) => `part-${timeOfDay(at)}-${uuid}.jsonl`;

/** `bronze/app/YYYY/MM/DD/part-<HHmmssSSS>-<uuid>.jsonl`, the day and time being those of `at` in UTC. */
export const bronzeObjectKey = (at: Date, uuid: string): string =>
  `${PREFIX.bronze}${dayFolder(utcDay(at))}/${partName(at, uuid)}`;

/** `bronze/_rejected/YYYY/MM/DD/part-<HHmmssSSS>-<uuid>.jsonl`. */
export const rejectedObjectKey = (at: Date, uuid: string): string =>
  `${PREFIX.rejected}${dayFolder(utcDay(at))}/${partName(at, uuid)}`;

/**
 * For ListObjectsV2 `start-after`: a key that sorts before every bronze object named
 * at or after `at` on that UTC day (part names sort by time within a day).
 */
export const bronzeStartAfter = (at: Date): string => `${PREFIX.bronze}${dayFolder(utcDay(at))}/part-${timeOfDay(at)}`;

/** The time a bronze or rejected object's name carries (its first request's received_at), or null for other keys. */
export function bronzeKeyTime(key: string): Date | null {
  const match = /(\d{4})\/(\d{2})\/(\d{2})\/part-(\d{2})(\d{2})(\d{2})(\d{3})-[^/]*\.jsonl$/.exec(key);
  if (!match) return null;
  const [, y, mo, d, h, mi, s, ms] = match;
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
}

/** The prefix holding one day's bronze objects. */
export const bronzeDayPrefix = (day: string): string => `${PREFIX.bronze}${dayFolder(day)}/`;

/** The prefix of one day's silver partition. */
export const silverPartitionPrefix = (day: string): string => `${PREFIX.silver}event_date=${day}/`;

/** The one object of a day's silver partition, replaced whole by a single PUT so readers see the old or the new day. */
export const silverPartitionKey = (day: string): string => `${silverPartitionPrefix(day)}part-0.parquet`;

/**
 * Where the ETL puts the lines of bronze day `day` it rejected: one object per day at a fixed
 * key (`part-000000000-etl.jsonl`), replaced on every run so that re-runs do not duplicate it.
 */
export const etlRejectsKey = (day: string): string => rejectedObjectKey(new Date(`${day}T00:00:00.000Z`), "etl");
