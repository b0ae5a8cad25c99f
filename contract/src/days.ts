// Days are UTC calendar dates written YYYY-MM-DD.
import { DAY_MS, LIMITS } from "./limits.ts";

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The UTC day of an instant, `YYYY-MM-DD`. */
export const utcDay = (at: Date): string => at.toISOString().slice(0, 10);

/** Milliseconds since the epoch of a day's first instant. */
export const dayStart = (day: string): number => Date.parse(`${day}T00:00:00Z`);

/** True for a real calendar date written YYYY-MM-DD. */
export const isDay = (text: string): boolean => DAY.test(text) && utcDay(new Date(dayStart(text))) === text;

/** The day `n` days after `day` (before, when `n` is negative). */
export const addDays = (day: string, n: number): string => utcDay(new Date(dayStart(day) + n * DAY_MS));

/** The UTC day `offset` days after the UTC day of `now` (before, when `offset` is negative). */
export const utcDayFromToday = (offset: number, now: Date = new Date()): string => addDays(utcDay(now), offset);

/** Every day from `from` to `to`, both included; throws when `to` is before `from`. */
export function dayRange(from: string, to: string): string[] {
  if (to < from) throw new Error(`the range ends (${to}) before it starts (${from})`);
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  return days;
}

/**
 * The bronze days (folders, by received_at) that may hold events of event date `day`: an event
 * is received at most LIMITS.maxEventAgeDays after it happened and at most
 * LIMITS.maxFutureSkewMs before, so from the day before to maxEventAgeDays after. None after `today`.
 */
export function bronzeDaysOf(day: string, today: string): string[] {
  const last = addDays(day, LIMITS.maxEventAgeDays);
  return dayRange(addDays(day, -1), last < today ? last : today);
}

/** The event dates still open to late events on `today`: the horizon, oldest first. */
export const horizonDays = (today: string): string[] => dayRange(addDays(today, -LIMITS.maxEventAgeDays), today);
