// Days are UTC calendar dates written YYYY-MM-DD (contract s3-layout.ts).
import { utcDay } from "@growit/contract";

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** True for a real calendar date written YYYY-MM-DD. */
export const isDay = (text: string): boolean => DAY.test(text) && utcDay(new Date(`${text}T00:00:00Z`)) === text;

const startOf = (day: string) => Date.parse(`${day}T00:00:00Z`);

export const addDays = (day: string, n: number): string => utcDay(new Date(startOf(day) + n * DAY_MS));

/** Every day from `from` to `to`, both included; throws when `to` is before `from`. */
export function dayRange(from: string, to: string): string[] {
  if (to < from) throw new Error(`--to ${to} is before --from ${from}`);
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  return days;
}

/**
 * The bronze days that may hold events of event_date `day`: bronze is foldered by received_at
 * and ts may be up to LIMITS.maxClockSkewMs (24 h) either side of it, so D-1, D and D+1.
 */
export const bronzeWindow = (day: string): string[] => [addDays(day, -1), day, addDays(day, 1)];
