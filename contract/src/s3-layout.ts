/**
 * Where everything lives in the bucket (docs/architecture.md, "The bucket layout"). Days are
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

import { utcDay } from "./days.ts";

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

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

/** The prefix holding one day's rejects. */
export const rejectedDayPrefix = (day: string): string => `${PREFIX.rejected}${dayFolder(day)}/`;

/** The prefix of one day's silver partition. */
export const silverPartitionPrefix = (day: string): string => `${PREFIX.silver}event_date=${day}/`;

/** A file of a day's silver partition; `name` is unique (the ETL uses a UUIDv7, so names sort by when they were written). */
export const silverFileKey = (day: string, name: string): string => `${silverPartitionPrefix(day)}part-${name}.parquet`;

/** The day of a silver file's key (`silver/events/event_date=D/...`), or null for other keys. */
export function silverFileDay(key: string): string | null {
  return /^silver\/events\/event_date=(\d{4}-\d{2}-\d{2})\/[^/]+\.parquet$/.exec(key)?.[1] ?? null;
}

/**
 * Where the ETL puts the lines of one bronze object it rejected (or the record that quarantines
 * the whole object): beside the object's own place, named after it, so that checking the object
 * again replaces the same key instead of adding a copy.
 */
export function etlRejectsKey(bronzeKey: string): string {
  const match = /^bronze\/app\/(\d{4}\/\d{2}\/\d{2})\/(.+?)(\.jsonl)?$/.exec(bronzeKey);
  const folder = match?.[1] ?? "0000/00/00";
  const name = (match?.[2] ?? bronzeKey).replace(/[^A-Za-z0-9_-]/g, "_");
  return `${PREFIX.rejected}${folder}/${name.startsWith("part-") ? name : `part-000000000-${name}`}-etl.jsonl`;
}
