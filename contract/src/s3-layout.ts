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

function partName(at: Date, uuid: string): string {
  const time = `${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}${pad(at.getUTCMilliseconds(), 3)}`;
  return `part-${time}-${uuid}.jsonl`;
}

/** `bronze/app/YYYY/MM/DD/part-<HHmmssSSS>-<uuid>.jsonl`, the day and time being those of `at` in UTC. */
export const bronzeObjectKey = (at: Date, uuid: string): string =>
  `${PREFIX.bronze}${dayFolder(utcDay(at))}/${partName(at, uuid)}`;

/** `bronze/_rejected/YYYY/MM/DD/part-<HHmmssSSS>-<uuid>.jsonl`. */
export const rejectedObjectKey = (at: Date, uuid: string): string =>
  `${PREFIX.rejected}${dayFolder(utcDay(at))}/${partName(at, uuid)}`;

/** The prefix holding one day's bronze objects. */
export const bronzeDayPrefix = (day: string): string => `${PREFIX.bronze}${dayFolder(day)}/`;

/** The prefix of one day's silver partition. */
export const silverPartitionPrefix = (day: string): string => `${PREFIX.silver}event_date=${day}/`;
